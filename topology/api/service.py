"""The whole service: every router plus the components that run beside them.

:func:`topology.api.app.create_app` builds the request-answering core; this module adds
report ingestion (its group-commit writer, liveness sweeps and retention), the event
hub behind ``GET /api/v1/events``, the alert engine and the webhook notifier, all
started in the app's lifespan and stopped in reverse order before the store closes.
``meshctl serve``, the demo and the benchmarks use :func:`create_service_app`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml
from fastapi import FastAPI

from topology.alerts import AlertConfig
from topology.alerts.config import ConfigError
from topology.api import alerts, events, metrics, reports
from topology.api.alerts import Alerting
from topology.api.app import ROUTERS, Lifespan, create_app
from topology.api.deps import ApiSettings
from topology.federation.settings import FederationSettings
from topology.ingest.service import IngestSettings
from topology.network import CommunityNetwork
from topology.notify import WebhookConfig

# Reports come first: route matching is linear, and they are most of the traffic.
SERVICE_ROUTERS: tuple[ModuleType, ...] = (reports, *ROUTERS, metrics, events, alerts)


@dataclass(frozen=True, slots=True)
class ServiceConfig:
    """Settings of the components (each documented where it is defined)."""

    ingest: IngestSettings = field(default_factory=IngestSettings)
    alerts: AlertConfig = field(default_factory=AlertConfig)
    webhooks: WebhookConfig = field(default_factory=WebhookConfig)
    heartbeat_s: float = 15.0
    federation: FederationSettings | None = None  # None: this service does not federate

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any] | None, base: Path | None = None
    ) -> ServiceConfig:
        """From the service config file's sections ``alerts``, ``webhooks`` and
        ``federation`` (its relative paths are taken from ``base``)."""
        data = dict(data or {})
        unknown = sorted(set(data) - {"alerts", "webhooks", "federation"})
        if unknown:
            raise ConfigError(f"unknown section(s) {unknown} (known: alerts, webhooks, federation)")
        federation = data.get("federation")
        return cls(
            alerts=AlertConfig.from_mapping(data.get("alerts")),
            webhooks=WebhookConfig.from_mapping(data.get("webhooks")),
            federation=(
                None if federation is None else FederationSettings.from_mapping(federation, base)
            ),
        )


def load_service_config(path: Path) -> ServiceConfig:
    """Read a YAML service config; errors name the file and the setting."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the service config: {exc}") from None
    if data is not None and not isinstance(data, dict):
        raise ConfigError(f"{path}: the service config must be a mapping of sections")
    try:
        config = ServiceConfig.from_mapping(data, path.parent)
    except (ConfigError, TypeError, ValueError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    if config.federation is not None:  # a bad registry stops the start, with its reason
        from topology.federation.registry import load_registry

        load_registry(config.federation.registry)
    return config


def create_service_app(
    network: CommunityNetwork,
    settings: ApiSettings | None = None,
    config: ServiceConfig | None = None,
    *,
    lifespans: Sequence[Lifespan] = (),
    fast_path: bool = True,
) -> FastAPI:
    """The full service app over ``network``.

    ``lifespans`` are extra components entered after the service's own (and left before
    them); ``fast_path=False`` answers reports through the ordinary FastAPI route.
    """
    config = config or ServiceConfig()

    @asynccontextmanager
    async def alerting(app: FastAPI) -> AsyncIterator[None]:
        sources = app.state.ingest  # satisfies topology.alerts.sources' protocols
        running = Alerting.start(
            app,
            network,
            alerts=config.alerts,
            webhooks=config.webhooks,
            reports=sources,
            liveness=sources,
            loss=sources,
            heartbeat_s=config.heartbeat_s,
        )
        try:
            yield
        finally:
            running.stop()

    app = create_app(
        network,
        settings,
        routers=SERVICE_ROUTERS,
        lifespans=[reports.ingestion(config.ingest), alerting, *_federation(config), *lifespans],
    )
    if fast_path:  # reports skip FastAPI's routing and dependency machinery (the hot path)
        app.add_middleware(reports.ReportFastPath)
    return app


def _federation(config: ServiceConfig) -> list[Lifespan]:
    """The federation component, when the config has a ``federation`` section."""
    if config.federation is None:
        return []
    from topology.federation.runtime import federation_lifespan

    return [federation_lifespan(config.federation)]
