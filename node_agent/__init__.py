"""meshcommons node agent: reads a router's routing daemon, radios and probes, and reports
to the community's topology service (docs/agent.md).

Modules: ``collectors`` (one per source: pure parser + thin I/O), ``models`` (the typed
shapes), ``report`` (build and encode a report), ``spool`` (sequence numbers and the
offline spool), ``transport`` (HTTP), ``config`` (YAML, file:line errors), ``loop``
(the agent), ``check`` and ``cli`` (``node-agent``). Importing this package loads none of
them: a router that runs babeld only never imports pysnmp or scapy.
"""
