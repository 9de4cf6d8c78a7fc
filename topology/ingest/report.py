"""The body of a node's report (``POST /api/v1/nodes/{node}/reports``), as pydantic models.

Parse a body with ``Report.model_validate_json(raw_bytes)`` (pydantic's Rust JSON parser:
no intermediate ``dict``; it refuses lone surrogates like ``"\\ud800"``, so every text
is valid UTF-8 for the store). Unknown fields are ignored, so a newer agent can talk to an
older service; a missing required field or a value out of range is refused with the path
of the field (``links.3.loss``).

Units (see docs/api.md):

* ``cost``: ETX-like, 1.0 = one perfect transmission (the scale of
  :mod:`topology.routing.costs`); the agent normalises its daemon's figure.
* ``rx_cost`` / ``tx_cost``: the daemon's own per-direction costs, in 1/256 units
  (babeld and OLSR's LQ: 256 = a perfect wireless direction; babeld's wired hop says 96).
  When ``cost`` is absent it is derived from these: see
  :func:`topology.ingest.process.derived_cost`.
* ``loss``: a fraction 0..1; ``rtt_ms`` milliseconds; ``rate_mbps`` the PHY rate.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

MAX_LINKS = 512
MAX_INTERFACES = 256
MAX_ROUTES = 20_000
MAX_COLLECTORS = 64


_PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
#: A short printable text (an id, an interface name, an address).
Name = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=_PRINTABLE),
]
NodeRef = Annotated[
    str,
    StringConstraints(min_length=1, max_length=300, pattern=_PRINTABLE),
]
Text = Annotated[str, StringConstraints(max_length=256, pattern=_PRINTABLE)]
NonNegInt = Annotated[int, Field(ge=0, lt=2**63)]


def _exists_in_utc(t: datetime) -> datetime:
    """Refuse a time whose UTC date is outside years 1..9999 (``0001-01-01T00:00+05:00``):
    the store keeps UTC. The time itself is kept as given."""
    try:
        t.astimezone(UTC)
    except OverflowError:
        raise ValueError("the time is out of range once in UTC (years 1 to 9999)") from None
    return t


#: A time with its UTC offset, one that exists in UTC.
Time = Annotated[AwareDatetime, AfterValidator(_exists_in_utc)]
Dbm = Annotated[float, Field(ge=-200, le=50)]


class _Part(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, allow_inf_nan=False)


class ObservedLink(_Part):
    """One neighbour as the reporting node's routing daemon sees it."""

    neighbour: NodeRef | None = None
    address: Name | None = None
    interface: Text = ""
    rx_cost: Annotated[float, Field(ge=0)] | None = None
    tx_cost: Annotated[float, Field(ge=0)] | None = None
    cost: Annotated[float, Field(gt=0)] | None = None
    signal_dbm: Dbm | None = None
    noise_dbm: Dbm | None = None
    rate_mbps: Annotated[float, Field(ge=0, le=1_000_000)] | None = None
    rtt_ms: Annotated[float, Field(ge=0)] | None = None
    loss: Annotated[float, Field(ge=0, le=1)] | None = None

    @model_validator(mode="after")
    def _names_the_neighbour(self) -> ObservedLink:
        if self.neighbour is None and self.address is None:
            raise ValueError("a link needs its neighbour (node id) or its address")
        return self


class InterfaceCounters(_Part):
    name: Name
    rx_bytes: NonNegInt = 0
    tx_bytes: NonNegInt = 0
    rx_errors: NonNegInt = 0
    tx_errors: NonNegInt = 0
    oper_up: bool = True
    speed_mbps: Annotated[float, Field(ge=0)] | None = None


class SystemStats(_Part):
    uptime_s: Annotated[float, Field(ge=0)] | None = None
    load1: Annotated[float, Field(ge=0)] | None = None
    memory_used_pct: Annotated[float, Field(ge=0, le=100)] | None = None
    clients: NonNegInt | None = None


class InstalledRoute(_Part):
    destination: Name
    next: Text = ""
    cost: Annotated[float, Field(ge=0)] | None = None
    device: Text = ""


class CollectorStatus(_Part):
    name: Name
    ok: bool
    error: Annotated[str, Field(max_length=2000)] = ""


class Report(_Part):
    """A node agent's periodic report."""

    seq: Annotated[int, Field(ge=0, lt=2**63)]
    time: Time
    interval_s: Annotated[int, Field(ge=1, le=86_400)] = 60
    links: Annotated[list[ObservedLink], Field(max_length=MAX_LINKS)] = []
    interfaces: Annotated[list[InterfaceCounters], Field(max_length=MAX_INTERFACES)] = []
    system: SystemStats | None = None
    routes: Annotated[list[InstalledRoute], Field(max_length=MAX_ROUTES)] | None = None
    dropped_reports: NonNegInt = 0
    collectors: Annotated[list[CollectorStatus], Field(max_length=MAX_COLLECTORS)] = []


def report_schema() -> dict[str, Any]:
    """JSON schema of the body, self-contained (no ``$ref``), for the OpenAPI document."""
    schema = Report.model_json_schema()
    defs = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return inline(defs[ref.removeprefix("#/$defs/")])
            return {k: inline(v) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    result: dict[str, Any] = inline(schema)
    return result
