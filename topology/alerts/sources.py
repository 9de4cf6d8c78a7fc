"""What the alert engine needs from the report ingestion: three small protocols.

One object may satisfy all three; pass it as ``reports=``, ``liveness=`` and ``loss=``
to :class:`topology.alerts.engine.AlertEngine`. Each method is called at most once per
evaluation (about once per second under load, and every sweep), from the engine's
thread: return a read-only view or a cheap copy, and never block for long.

The names are whole-network on purpose: ``IngestService.link_liveness(link_id)`` is a
per-link lookup with another signature, so these can be added beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol


class NodeReports(Protocol):
    """When each node last reported (the ingestion keeps it)."""

    def last_report_times(self) -> Mapping[str, datetime]:
        """Node id -> time (aware, UTC) of its newest accepted report, for every node that
        ever reported. Called once per evaluation: return a view or a cheap copy."""
        ...


class LinkLiveness(Protocol):
    """Which links the ingestion considers stale or down."""

    def links_not_fresh(self) -> Mapping[str, str]:
        """Link id -> ``"stale"`` or ``"down"`` for the links that are not fresh; fresh
        links may be absent or map to anything else (``"up"``). Values may be
        :class:`topology.ingest.liveness.Liveness` members (a ``StrEnum``)."""
        ...


class LinkLoss(Protocol):
    """The latest measured packet loss of links."""

    def link_losses(self) -> Mapping[str, float]:
        """Link id -> loss as a fraction (0.25 = 25 %) from the latest report."""
        ...
