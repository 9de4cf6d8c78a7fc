"""``GET /healthz``: is the service up, which version, which store."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter

from topology.api.deps import NetworkDep
from topology.api.schemas import Health

router = APIRouter(tags=["service"])


def service_version() -> str:
    try:
        return version("meshcommons")
    except PackageNotFoundError:  # a source tree that was never installed
        return "0+unknown"


@router.get("/healthz", response_model=Health)
def healthz(network: NetworkDep) -> Health:
    """Liveness: answers without touching the database."""
    return Health(
        status="ok",
        version=service_version(),
        graph_version=network.graph.version,
        store=network.store.backend,
    )
