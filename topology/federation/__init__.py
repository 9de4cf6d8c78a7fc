"""Federation: independent community services sharing a signed, privacy-safe view.

Pure parts: :mod:`.identity` (Ed25519 keys, fingerprints), :mod:`.canonical` (canonical
JSON and the signed document), :mod:`.feed` (building and reading a feed),
:mod:`.accept` (acceptance checks), :mod:`.registry` (delegations), :mod:`.merge` and
:mod:`.route` (the federated graph, routes and what-ifs), :mod:`.conflicts`,
:mod:`.status`, :mod:`.settings`. Edges: :mod:`.keyfile` (the private key on disk),
:mod:`.runtime` (publishing, polling, the view of a running service) and
:mod:`topology.store.federation` (tables). See docs/federation.md.
"""
