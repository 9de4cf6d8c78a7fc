"""Bodies of the address, routing and NetJSON endpoints, and their conversions."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Self

from pydantic import Field, model_validator

from topology.api.schemas import InModel, Lax, LinkOut, OutModel, Ref, Slug, Text, omit_none
from topology.ipam import PoolUsage
from topology.model import Allocation, HolderKind, LinkType, Purpose, Status
from topology.routing import (
    GatewayAssignment,
    Hop,
    NetworkGraph,
    NetworkRoutes,
    PathExplanation,
    WhatIf,
)

# --------------------------------------------------------------------------- addresses


class AllocateIn(InModel):
    purpose: Lax[Purpose]
    holder_kind: Lax[HolderKind]
    holder_id: Text = Field(min_length=1, description="Node or link id (local or global).")
    zone: Slug | None = Field(default=None, description="Zone whose pools to use.")
    prefixlen: int | None = Field(default=None, ge=0, le=128)
    note: Text = ""


class ReleaseIn(InModel):
    prefix: str = Field(max_length=64, examples=["10.228.16.32/27"])


class AllocationOut(OutModel):
    prefix: str
    purpose: Purpose
    holder_kind: HolderKind
    holder_id: str
    pool: str
    allocated_at: datetime | None
    released_at: datetime | None
    note: str

    @classmethod
    def of(cls, a: Allocation) -> Self:
        return cls(
            prefix=a.prefix,
            purpose=a.purpose,
            holder_kind=a.holder_kind,
            holder_id=a.holder_id,
            pool=a.pool,
            allocated_at=a.allocated_at,
            released_at=a.released_at,
            note=a.note,
        )


class LinkCreated(OutModel):
    link: LinkOut
    addresses: list[AllocationOut] = Field(description="Allocated when `allocate` was asked.")
    address_error: str | None = Field(
        description="Why allocation failed (the link is added all the same)."
    )


class PoolOut(OutModel):
    prefix: str
    purpose: Purpose
    zone: str | None
    total: int
    allocated: int
    delegated: int
    held: int
    free: int
    largest_free: str | None

    @classmethod
    def of(cls, u: PoolUsage) -> Self:
        return cls(
            prefix=u.pool.prefix,
            purpose=u.pool.purpose,
            zone=u.pool.zone_id,
            total=u.total,
            allocated=u.allocated,
            delegated=u.delegated,
            held=u.held,
            free=u.free,
            largest_free=u.largest_free,
        )


# --------------------------------------------------------------------------- routing


class HopOut(OutModel):
    source: str
    target: str
    link: str
    type: LinkType
    status: Status
    cost: float
    measured: bool = Field(description="The cost came from the routing daemon.")
    signal_dbm: float | None
    rate_mbps: float | None
    parallel_links: int

    @classmethod
    def of(cls, h: Hop) -> Self:
        return cls(
            source=h.source,
            target=h.target,
            link=h.link_id,
            type=h.type,
            status=h.status,
            cost=h.cost,
            measured=h.measured,
            signal_dbm=h.signal_dbm,
            rate_mbps=h.rate_mbps,
            parallel_links=h.parallel_links,
        )


class PathOut(OutModel):
    source: str
    target: str
    nodes: list[str]
    hops: list[HopOut]
    hop_count: int
    total_cost: float
    bottleneck: HopOut | None = Field(description="The hop with the highest cost.")
    version: int = Field(description="Graph version the path was computed at.")

    @classmethod
    def of(cls, p: PathExplanation) -> Self:
        return cls(
            source=p.source,
            target=p.target,
            nodes=list(p.nodes),
            hops=[HopOut.of(h) for h in p.hops],
            hop_count=p.hop_count,
            total_cost=p.total_cost,
            bottleneck=None if p.bottleneck is None else HopOut.of(p.bottleneck),
            version=p.version,
        )


class NodeGateway(OutModel):
    node: str
    gateway: str
    cost: float


class GatewaysOut(OutModel):
    gateways: list[str] = Field(description="The active gateway nodes.")
    nodes: list[NodeGateway]
    unreachable: list[str] = Field(description="Nodes that reach no gateway.")
    version: int

    @classmethod
    def of(cls, g: GatewayAssignment) -> Self:
        return cls(
            gateways=list(g.gateways),
            nodes=[
                NodeGateway(node=n, gateway=gw, cost=g.cost[n])
                for n, gw in sorted(g.gateway.items())
            ],
            unreachable=list(g.unreachable),
            version=g.version,
        )


class WhatIfIn(InModel):
    """Exactly one of ``node`` and ``link``."""

    node: Ref | None = None
    link: Ref | None = None

    @model_validator(mode="after")
    def _one(self) -> Self:
        if (self.node is None) == (self.link is None):
            raise ValueError("give exactly one of node and link")
        return self


class GatewayChange(OutModel):
    node: str
    before: str
    after: str


class WhatIfOut(OutModel):
    removed: str
    kind: Literal["node", "link"]
    harmless: bool = Field(description="Nobody loses reach or a gateway.")
    lost_reach: list[str]
    lost_gateway: list[str]
    changed_gateway: list[GatewayChange]
    components_before: int
    components_after: int
    version: int

    @classmethod
    def of(cls, w: WhatIf) -> Self:
        return cls.model_validate(
            {
                "removed": w.removed,
                "kind": w.kind,
                "harmless": w.harmless,
                "lost_reach": list(w.lost_reach),
                "lost_gateway": list(w.lost_gateway),
                "changed_gateway": [
                    {"node": n, "before": b, "after": a}
                    for n, (b, a) in sorted(w.changed_gateway.items())
                ],
                "components_before": w.components_before,
                "components_after": w.components_after,
                "version": w.version,
            }
        )


# --------------------------------------------------------------------------- NetJSON


class NetJsonRoute(OutModel):
    destination: str
    next: str
    device: str
    cost: float


class NetworkRoutesOut(OutModel):
    """NetJSON ``NetworkRoutes`` (netjson.org, schema ``network-routes.json``)."""

    type: Literal["NetworkRoutes"]
    protocol: str
    version: str
    metric: str
    revision: str | None = omit_none()
    router_id: str | None = omit_none()
    routes: list[NetJsonRoute]

    @classmethod
    def of(cls, table: NetworkRoutes) -> Self:
        return cls.model_validate(table)


class NetJsonNode(OutModel):
    id: str
    label: str
    properties: dict[str, Any]


class NetJsonLink(OutModel):
    source: str
    target: str
    cost: float
    properties: dict[str, Any]


class NetworkGraphOut(OutModel):
    """NetJSON ``NetworkGraph`` (netjson.org, schema ``network-graph.json``)."""

    type: Literal["NetworkGraph"]
    protocol: str
    version: str
    metric: str
    revision: str | None = omit_none()
    label: str | None = omit_none()
    router_id: str | None = omit_none()
    nodes: list[NetJsonNode]
    links: list[NetJsonLink]

    @classmethod
    def of(cls, graph: NetworkGraph) -> Self:
        return cls.model_validate(graph)
