"""Alert values: what a rule finds (:class:`Finding`) and what is kept (:class:`Alert`).

Pure types, no I/O. A *cause* is the pair ``(kind, subject)``: at most one alert per
cause is active at a time, so the same cause is never raised twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class AlertKind(StrEnum):
    NODE_DOWN = "node.down"  # an agent that reported has gone silent
    LINK_DEGRADED = "link.degraded"  # cost, loss or signal past a threshold
    LINK_STALE = "link.stale"  # not reported for a few intervals (ingestion's liveness)
    LINK_DOWN = "link.down"  # not reported for long (ingestion's liveness)
    GATEWAY_LOST = "gateway.lost"  # a node with no path to any Internet gateway
    ADDRESS_CONFLICT = "address.conflict"  # an address used by two nodes, or not theirs
    FEED_REJECTED = "federation.rejected"  # a peer's feed failed an acceptance check
    FEDERATION_CONFLICT = "federation.conflict"  # an address claimed by two communities


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


Cause = tuple[AlertKind, str]


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule's verdict that a cause is present now."""

    kind: AlertKind
    subject: str  # node id, link id or address
    severity: Severity
    message: str
    zone: str | None = None  # the zone whose stewards look after it (None: admins only)
    details: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def cause(self) -> Cause:
        return (self.kind, self.subject)


@dataclass(frozen=True, slots=True)
class Alert:
    """A stored alert. Active while ``cleared_at`` is None."""

    id: int
    kind: AlertKind
    subject: str
    severity: Severity
    message: str
    zone: str | None
    raised_at: datetime
    cleared_at: datetime | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None

    @property
    def cause(self) -> Cause:
        return (self.kind, self.subject)

    @property
    def active(self) -> bool:
        return self.cleared_at is None

    def to_json(self, *, private: bool = False) -> dict[str, Any]:
        """The alert as anyone may see it; ``private`` adds who acknowledged it (an
        account name, not for the public: event streams and webhooks leave it out)."""

        def iso(t: datetime | None) -> str | None:
            return None if t is None else t.isoformat()

        return {
            "id": self.id,
            "kind": self.kind.value,
            "subject": self.subject,
            "severity": self.severity.value,
            "message": self.message,
            "zone": self.zone,
            "active": self.active,
            "raised_at": iso(self.raised_at),
            "cleared_at": iso(self.cleared_at),
            "acknowledged_at": iso(self.acknowledged_at),
        } | ({"acknowledged_by": self.acknowledged_by} if private else {})
