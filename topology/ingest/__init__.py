"""Report ingestion: node agents' reports into the live graph, liveness and metrics history.

* :mod:`.report`: the report body (pydantic);
* :mod:`.process`: pure decisions for one report (which links, what metrics, samples);
* :mod:`.liveness`: pure up / stale / down judgement;
* :mod:`.writer`: the group-commit writer thread;
* :mod:`.batch`: applying a batch (store first, then memory, then events);
* :mod:`.history`: reading the history, and the retention job;
* :mod:`.service`: :class:`~topology.ingest.service.IngestService`, what the app runs.

The HTTP side is :mod:`topology.api.reports` and :mod:`topology.api.metrics`.
"""
