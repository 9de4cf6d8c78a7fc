"""The HTTP API of the topology service (FastAPI): see ``docs/api.md``.

:func:`topology.api.app.create_app` builds the app; :mod:`topology.api.deps` holds what
routers share (the network, the caller, permission checks).
"""
