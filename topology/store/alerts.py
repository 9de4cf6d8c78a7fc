"""Persistence of alerts: the ``alerts`` table and the functions that read and write it.

An alert is *active* while ``cleared_at`` is NULL. A partial unique index allows one
active alert per cause (``kind``, ``subject``): raising the same cause twice is refused
by the database too, not only by the engine. Cleared alerts stay as history.

Every function runs in its own transaction, committed before it returns.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text, func, insert, select, text, update
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from topology.alerts.model import Alert, AlertKind, Finding, Severity
from topology.store.engine import transaction
from topology.store.errors import NotFound
from topology.store.repository import Store
from topology.store.tables import Base, UTCDateTime

KIND_LEN = 32
ACTIVE = text("cleared_at IS NULL")


class AlertRow(Base):
    __tablename__ = "alerts"
    __table_args__ = (
        Index(
            "uq_alerts_active_cause",
            "kind",
            "subject",
            unique=True,
            postgresql_where=ACTIVE,
            sqlite_where=ACTIVE,
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(KIND_LEN))
    subject: Mapped[str] = mapped_column(Text, index=True)
    severity: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    zone: Mapped[str | None] = mapped_column(Text)  # whose stewards may acknowledge it
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(Text)


def _alert(row: Any) -> Alert:
    return Alert(
        id=row.id,
        kind=AlertKind(row.kind),
        subject=row.subject,
        severity=Severity(row.severity),
        message=row.message,
        zone=row.zone,
        raised_at=row.raised_at,
        cleared_at=row.cleared_at,
        acknowledged_at=row.acknowledged_at,
        acknowledged_by=row.acknowledged_by,
    )


def insert_alerts(store: Store, findings: Iterable[Finding], at: datetime) -> list[Alert]:
    """Store a new active alert for each finding, in one transaction (all or none).

    :class:`Conflict` if a cause is active already (or repeated in ``findings``).
    """
    raised = []
    with transaction(store.engine, write=True) as conn:
        for f in findings:
            values = {
                "kind": f.kind.value,
                "subject": f.subject,
                "severity": f.severity.value,
                "message": f.message,
                "zone": f.zone,
                "raised_at": at,
            }
            new_id = conn.execute(insert(AlertRow).values(**values).returning(AlertRow.id))
            raised.append(
                Alert(
                    int(new_id.scalar_one()), f.kind, f.subject, f.severity, f.message, f.zone, at
                )
            )
    return raised


def insert_alert(store: Store, finding: Finding, at: datetime) -> Alert:
    """Store a new active alert for ``finding``; :class:`Conflict` if its cause is active."""
    return insert_alerts(store, [finding], at)[0]


def clear_alerts(store: Store, ids: Iterable[int], at: datetime) -> list[Alert]:
    """Mark the active alerts among ``ids`` cleared at ``at``; returns them as cleared."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    cleared: list[Alert] = []
    with transaction(store.engine, write=True) as conn:
        for chunk in (wanted[i : i + 500] for i in range(0, len(wanted), 500)):
            where = AlertRow.id.in_(chunk) & AlertRow.cleared_at.is_(None)
            rows = conn.execute(select(AlertRow).where(where)).all()
            conn.execute(update(AlertRow).where(where).values(cleared_at=at))
            cleared.extend(_alert(r) for r in rows)
    return [_cleared(a, at) for a in cleared]


def _cleared(a: Alert, at: datetime) -> Alert:
    return Alert(
        a.id,
        a.kind,
        a.subject,
        a.severity,
        a.message,
        a.zone,
        a.raised_at,
        at,
        a.acknowledged_at,
        a.acknowledged_by,
    )


def acknowledge_alert(store: Store, alert_id: int, by: str, at: datetime) -> tuple[Alert, bool]:
    """Acknowledge an alert (active or not). Returns it and whether this call changed it:
    acknowledging twice keeps the first acknowledgement. :class:`NotFound` if unknown."""
    with transaction(store.engine, write=True) as conn:
        row = conn.execute(select(AlertRow).where(AlertRow.id == alert_id)).one_or_none()
        if row is None:
            raise NotFound(f"alert {alert_id} does not exist")
        if row.acknowledged_at is not None:
            return _alert(row), False
        conn.execute(
            update(AlertRow)
            .where(AlertRow.id == alert_id)
            .values(acknowledged_at=at, acknowledged_by=by)
        )
        row = conn.execute(select(AlertRow).where(AlertRow.id == alert_id)).one()
    return _alert(row), True


def get_alert(store: Store, alert_id: int) -> Alert:
    with transaction(store.engine, write=False) as conn:
        row = conn.execute(select(AlertRow).where(AlertRow.id == alert_id)).one_or_none()
    if row is None:
        raise NotFound(f"alert {alert_id} does not exist")
    return _alert(row)


def list_alerts(
    store: Store,
    *,
    active: bool | None = None,
    kind: str | None = None,
    subject: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[Alert], int]:
    """Alerts, newest first, and how many match in all (for paging).

    ``active``: True only active ones, False only cleared ones, None both.
    """
    where: list[ColumnElement[bool]] = []
    if active is not None:
        where.append(AlertRow.cleared_at.is_(None) if active else AlertRow.cleared_at.is_not(None))
    if kind is not None:
        where.append(AlertRow.kind == kind)
    if subject is not None:
        where.append(AlertRow.subject == subject)
    query = select(AlertRow).where(*where).order_by(AlertRow.id.desc()).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    with transaction(store.engine, write=False) as conn:
        rows = conn.execute(query).all()
        total = conn.execute(select(func.count()).select_from(AlertRow).where(*where)).scalar()
    return [_alert(r) for r in rows], int(total or 0)


def active_alerts(store: Store) -> list[Alert]:
    """Every active alert, oldest first."""
    with transaction(store.engine, write=False) as conn:
        rows = conn.execute(
            select(AlertRow).where(AlertRow.cleared_at.is_(None)).order_by(AlertRow.id)
        ).all()
    return [_alert(r) for r in rows]
