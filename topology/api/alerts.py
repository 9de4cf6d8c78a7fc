"""Alerts: list and read them (anyone), acknowledge them (stewards of their zone, admins).

Alerts are raised and cleared by the alert engine (:mod:`topology.alerts.engine`), which
the app keeps in ``app.state.alert_engine``; this router reads them from the store, so
the history of cleared alerts is there too. Who acknowledged an alert is shown to
callers with a token only.

:class:`Alerting` starts and stops the event hub, the alert engine and the webhook
notifier of an app together (for its lifespan).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Self

from fastapi import APIRouter, FastAPI, Path, Query, Request

from topology.alerts.config import AlertConfig
from topology.alerts.engine import AlertEngine
from topology.alerts.model import Alert, AlertKind, Severity
from topology.alerts.sources import LinkLiveness, LinkLoss, NodeReports
from topology.api.deps import API_PREFIX, NetworkDep, PrincipalDep, authorize, zone_target
from topology.api.events import EventHub
from topology.api.schemas import OutModel, omit_none
from topology.auth import Action, Principal
from topology.events import EventKind
from topology.network import CommunityNetwork
from topology.notify import WebhookConfig, WebhookNotifier
from topology.store import alerts as alert_store

router = APIRouter(prefix=API_PREFIX, tags=["alerts"])

AlertId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The alert's number")]


class AlertOut(OutModel):
    id: int
    kind: AlertKind
    subject: str
    severity: Severity
    message: str
    zone: str | None
    active: bool
    raised_at: datetime
    cleared_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None = omit_none()

    @classmethod
    def of(cls, a: Alert, principal: Principal) -> Self:
        return cls(
            id=a.id,
            kind=a.kind,
            subject=a.subject,
            severity=a.severity,
            message=a.message,
            zone=a.zone,
            active=a.active,
            raised_at=a.raised_at,
            cleared_at=a.cleared_at,
            acknowledged_at=a.acknowledged_at,
            acknowledged_by=None if principal.is_public else a.acknowledged_by,
        )


class AlertList(OutModel):
    total: int
    limit: int
    offset: int
    items: list[AlertOut]


def get_alert_engine(request: Request) -> AlertEngine | None:
    """The app's alert engine (``app.state.alert_engine``), if it runs."""
    engine = getattr(request.app.state, "alert_engine", None)
    return engine if isinstance(engine, AlertEngine) else None


@router.get("/alerts", response_model=AlertList)
def list_alerts(
    network: NetworkDep,
    principal: PrincipalDep,
    active: Annotated[
        bool | None, Query(description="true: active only; false: cleared only; none: all")
    ] = None,
    kind: AlertKind | None = None,
    subject: Annotated[str | None, Query(max_length=300)] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> AlertList:
    """Alerts, newest first, filtered by state, kind and subject (node, link, address)."""
    found, total = alert_store.list_alerts(
        network.store,
        active=active,
        kind=None if kind is None else kind.value,
        subject=subject,
        limit=limit,
        offset=offset,
    )
    items = [AlertOut.of(a, principal) for a in found]
    return AlertList(total=total, limit=limit, offset=offset, items=items)


@router.get("/alerts/{alert_id}", response_model=AlertOut)
def get_alert(alert_id: AlertId, network: NetworkDep, principal: PrincipalDep) -> AlertOut:
    """One alert (404 if unknown)."""
    return AlertOut.of(alert_store.get_alert(network.store, alert_id), principal)


@router.post("/alerts/{alert_id}/ack", response_model=AlertOut)
def acknowledge_alert(
    alert_id: AlertId, request: Request, network: NetworkDep, principal: PrincipalDep
) -> AlertOut:
    """Acknowledge an alert: stewards of the alert's zone (or a parent zone) and admins.
    Acknowledging again keeps the first acknowledgement. The alert still clears by
    itself when its cause goes."""
    alert = alert_store.get_alert(network.store, alert_id)  # 404 before 401/403
    authorize(principal, Action.ALERT_ACK, zone_target(network, alert.zone))
    by = principal.name or principal.token_id or principal.role.value
    engine = get_alert_engine(request)
    if engine is not None:
        return AlertOut.of(engine.acknowledge(alert_id, by), principal)
    return AlertOut.of(_acknowledge_without_engine(network, alert_id, by), principal)


def _acknowledge_without_engine(network: CommunityNetwork, alert_id: int, by: str) -> Alert:
    now = datetime.now(UTC)
    alert, changed = alert_store.acknowledge_alert(network.store, alert_id, by, now)
    if changed:
        network.events.publish(EventKind.ALERT_ACKNOWLEDGED, str(alert.id), now, alert.to_json())
    return alert


# --------------------------------------------------------------------------- wiring


@dataclass
class Alerting:
    """The event hub, alert engine and webhook notifier of one app, started together.

    In the app's lifespan::

        alerting = Alerting.start(app, network, alerts=AlertConfig.from_mapping(...),
                                  webhooks=WebhookConfig.from_mapping(...),
                                  reports=ingest, liveness=ingest, loss=ingest)
        yield
        alerting.stop()
    """

    hub: EventHub
    engine: AlertEngine
    notifier: WebhookNotifier

    @classmethod
    def start(
        cls,
        app: FastAPI,
        network: CommunityNetwork,
        *,
        alerts: AlertConfig | None = None,
        webhooks: WebhookConfig | None = None,
        reports: NodeReports | None = None,
        liveness: LinkLiveness | None = None,
        loss: LinkLoss | None = None,
        heartbeat_s: float = 15.0,
    ) -> Alerting:
        """Start the hub (first: it must see the alerts), the notifier, then the engine,
        and put the hub and engine into ``app.state`` for the routers."""
        hub = EventHub(network.events, heartbeat_s=heartbeat_s)
        hub.start()
        notifier = WebhookNotifier(webhooks or WebhookConfig())
        notifier.start(network.events)
        engine = AlertEngine(network, alerts, reports=reports, liveness=liveness, loss=loss)
        engine.start()
        app.state.event_hub = hub
        app.state.alert_engine = engine
        return cls(hub, engine, notifier)

    def stop(self) -> None:
        """Stop the engine (no new alerts), deliver nothing more, end the streams."""
        self.engine.stop()
        self.notifier.stop()
        self.hub.stop()
