"""Request and response bodies (pydantic) of the network resources, and their conversions.

Input models forbid unknown fields and non-finite numbers, bound every integer (the store
keeps 32-bit integers on PostgreSQL) and every text (no control characters, valid UTF-8),
so anything they accept can be stored. Output models are built from the domain types
with ``of(...)``; a node's private fields (``contact``, ``owner``) are left out of the
JSON entirely unless the caller may see them.

Node bodies are in :mod:`topology.api.schemas_nodes`; addresses, routing and NetJSON
bodies in :mod:`topology.api.schemas_routing`.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, Literal, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    model_validator,
)

from topology.auth import AccessRole, TokenInfo
from topology.model import (
    LOCAL_ID_RE,
    SLUG_RE,
    AddressPlan,
    BBox,
    Community,
    Link,
    LinkMetrics,
    LinkType,
    Status,
    Zone,
)


def _utf8(text: str) -> str:
    """Refuse lone surrogates (JSON allows ``"\\ud800"``; UTF-8 and the store do not)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode (no lone surrogates)") from None
    return text


_PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
LocalId = Annotated[str, StringConstraints(pattern=LOCAL_ID_RE.pattern)]
Slug = Annotated[str, StringConstraints(pattern=SLUG_RE.pattern)]
#: A node or link id: global ``community:local``, or local (this community's).
Ref = Annotated[
    str, StringConstraints(pattern=rf"^(?:{SLUG_RE.pattern[1:-1]}:)?{LOCAL_ID_RE.pattern[1:]}")
]
Name = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, pattern=_PRINTABLE),
    AfterValidator(_utf8),
]
Text = Annotated[str, StringConstraints(max_length=200, pattern=_PRINTABLE), AfterValidator(_utf8)]
Account = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")]


class InModel(BaseModel):
    """A request body: strict types (no ``true`` for a number, no ``"1"`` for an integer),
    no unknown fields, finite numbers."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)


E = TypeVar("E", bound=Enum)
#: An enum field of a strict model: its JSON string value is accepted.
Lax = Annotated[E, Strict(False)]


class OutModel(BaseModel):
    model_config = ConfigDict(allow_inf_nan=False)


def omit_none(default: Any = None) -> Any:
    """A field left out of the JSON when it is ``None`` (e.g. not shown to this caller)."""
    return Field(default=default, exclude_if=lambda v: v is None)


# --------------------------------------------------------------------------- errors


class ErrorDetail(OutModel):
    loc: list[str | int] = Field(description="Path of the offending field, e.g. body.position.lat")
    message: str


class ErrorInfo(OutModel):
    status: int
    code: str = Field(description="invalid, unauthorized, forbidden, not_found, no_route, ...")
    message: str
    details: list[ErrorDetail] = []


class ErrorBody(OutModel):
    error: ErrorInfo


# --------------------------------------------------------------------------- zones


class BBoxModel(InModel):
    min_lat: float = Field(ge=-90, le=90)
    min_lon: float = Field(ge=-180, le=180)
    max_lat: float = Field(ge=-90, le=90)
    max_lon: float = Field(ge=-180, le=180)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.min_lat > self.max_lat or self.min_lon > self.max_lon:
            raise ValueError("bbox: a minimum is above its maximum")
        return self


class ZoneBody(InModel):
    """A zone without its id (``PUT /zones/{zone}`` replaces the whole zone)."""

    name: Name
    parent: Slug | None = None
    bbox: BBoxModel | None = None
    dns_servers: list[Text] = Field(default=[], max_length=16)
    ntp_servers: list[Text] = Field(default=[], max_length=16)

    def domain(self, zone_id: str) -> Zone:
        b = self.bbox
        return Zone(
            zone_id,
            self.name,
            self.parent,
            None if b is None else BBox(b.min_lat, b.min_lon, b.max_lat, b.max_lon),
            tuple(self.dns_servers),
            tuple(self.ntp_servers),
        )


class ZoneIn(ZoneBody):
    id: Slug


class ZoneOut(OutModel):
    id: str
    name: str
    parent: str | None
    bbox: BBoxModel | None
    dns_servers: list[str]
    ntp_servers: list[str]

    @classmethod
    def of(cls, z: Zone) -> Self:
        b = z.bbox
        return cls(
            id=z.id,
            name=z.name,
            parent=z.parent_id,
            bbox=None if b is None else BBoxModel(**_bbox(b)),
            dns_servers=list(z.dns_servers),
            ntp_servers=list(z.ntp_servers),
        )


def _bbox(b: BBox) -> dict[str, float]:
    return {"min_lat": b.min_lat, "min_lon": b.min_lon, "max_lat": b.max_lat, "max_lon": b.max_lon}


# --------------------------------------------------------------------------- links


class LinkIn(InModel):
    id: LocalId | None = Field(default=None, description="Local id; default '<a>--<b>'.")
    a: Ref
    b: Ref
    type: Lax[LinkType] = LinkType.WDS
    status: Lax[Status] = Status.PLANNED
    a_interface: Text = ""
    b_interface: Text = ""
    allocate: bool = Field(default=False, description="Also allocate the backbone /30.")


class LinkPatch(InModel):
    type: Lax[LinkType] | None = None
    status: Lax[Status] | None = None
    a_interface: Text | None = None
    b_interface: Text | None = None

    @model_validator(mode="after")
    def _not_null(self) -> Self:
        nulls = [f for f in self.model_fields_set if getattr(self, f) is None]
        if nulls:
            raise ValueError(f"{', '.join(sorted(nulls))}: may be left out, but not null")
        return self


class MetricsOut(OutModel):
    cost: float | None
    rx_cost: float | None
    tx_cost: float | None
    signal_dbm: float | None
    rate_mbps: float | None
    last_seen: datetime | None
    #: the latest loss (fraction) an end reported; live only, not kept in the store
    loss: float | None = None

    @classmethod
    def of(cls, m: LinkMetrics, loss: float | None = None) -> Self:
        return cls(**asdict(m), loss=loss)


class LinkOut(OutModel):
    id: str
    a: str
    b: str
    type: LinkType
    status: Status
    a_interface: str
    b_interface: str
    metrics: MetricsOut

    @classmethod
    def of(cls, link: Link, loss: float | None = None) -> Self:
        return cls(
            id=link.id,
            a=link.a,
            b=link.b,
            type=link.type,
            status=link.status,
            a_interface=link.a_interface,
            b_interface=link.b_interface,
            metrics=MetricsOut.of(link.metrics, loss),
        )


class LinkList(OutModel):
    total: int
    limit: int
    offset: int
    items: list[LinkOut]


# --------------------------------------------------------------------------- community


class CommunityOut(OutModel):
    slug: str
    name: str
    url: str
    licence: str
    address_plan: dict[str, int | str]
    zones: int
    nodes: int
    links: int

    @classmethod
    def of(cls, c: Community, plan: AddressPlan, zones: int, nodes: int, links: int) -> Self:
        fields = asdict(plan)
        return cls(
            slug=c.slug,
            name=c.name,
            url=c.url,
            licence=c.licence,
            address_plan=fields,
            zones=zones,
            nodes=nodes,
            links=links,
        )


class Health(OutModel):
    status: Literal["ok"]
    version: str
    graph_version: int
    store: str


# --------------------------------------------------------------------------- tokens


class TokenIn(InModel):
    role: Literal["admin", "steward", "volunteer", "agent"]
    name: Account | None = Field(
        default=None,
        description="Account name (a volunteer's owner name) or a label; an agent token's "
        "defaults to its node's local id.",
    )
    zones: list[Slug] = Field(default=[], max_length=64, description="A steward's zones.")
    node: Ref | None = Field(default=None, description="An agent's node.")
    note: Text = ""
    replace: bool = Field(default=False, description="Revoke the node's current agent token.")


class TokenOut(OutModel):
    id: str
    role: AccessRole
    name: str
    zones: list[str]
    node: str | None
    note: str
    created_at: datetime | None
    created_by: str | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, t: TokenInfo) -> Self:
        return cls(
            id=t.id,
            role=t.role,
            name=t.name,
            zones=list(t.zones),
            node=t.node_id,
            note=t.note,
            created_at=t.created_at,
            created_by=t.created_by,
            revoked_at=t.revoked_at,
        )


class TokenCreated(TokenOut):
    token: str = Field(description="The secret: shown this once, never stored.")
