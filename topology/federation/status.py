"""A peer's status as people and the TUI see it, from its stored record. Pure.

* ``never``: no feed accepted yet (and the last attempt was not a rejection);
* ``rejected``: the last feed fetched failed a check (the last good one stays in use);
* ``stale``: not reached for ``stale_after_s`` (its data stays, marked stale, until
  ``expire_after_s``);
* ``ok``: otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from topology.federation.settings import FederationSettings
from topology.store.federation import PeerRecord

STATUSES = ("ok", "stale", "rejected", "never")


@dataclass(frozen=True, slots=True)
class PeerStatus:
    community: str
    url: str
    fingerprint: str
    status: str
    revision: int | None
    last_sync: datetime | None
    stale_since: datetime | None
    error: str | None
    expired: bool = False  # stale so long that its data left the view

    def to_json(self) -> dict[str, Any]:
        def iso(t: datetime | None) -> str | None:
            return None if t is None else t.isoformat()

        return {
            "community": self.community,
            "url": self.url,
            "fingerprint": self.fingerprint,
            "status": self.status,
            "revision": self.revision,
            "last_sync": iso(self.last_sync),
            "stale_since": iso(self.stale_since),
            "error": self.error,
        }


def peer_status(rec: PeerRecord, now: datetime, settings: FederationSettings) -> PeerStatus:
    stale_since = None
    expired = False
    if rec.last_sync is not None:
        quiet = (now - rec.last_sync).total_seconds()
        if quiet >= settings.stale_after_s:
            stale_since = rec.last_sync + timedelta(seconds=settings.stale_after_s)
        expired = quiet >= settings.expire_after_s
    if rec.outcome == "rejected":
        status = "rejected"
    elif rec.last_sync is None:
        status = "never"
    elif stale_since is not None:
        status = "stale"
    else:
        status = "ok"
    return PeerStatus(
        community=rec.community,
        url=rec.url,
        fingerprint=rec.fingerprint,
        status=status,
        revision=rec.revision,
        last_sync=rec.last_sync,
        stale_since=stale_since,
        error=rec.error,
        expired=expired,
    )
