"""What every parser returns: the network as the file describes it, before it becomes a model.

Kept lighter than :class:`topology.model.NetworkModel` on purpose: ids are the file's own
(IP addresses, MACs, Guifi numbers), positions may be missing, and nothing is validated
beyond what the format itself promises. :func:`topology.formats.build.build_model` turns
it into a model (global ids, a zone for every node, existing address allocations).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from topology.model import AddressPlan, Allocation, Device, LinkType, Pool, Role, Status, Zone


class _NoProperties(Mapping[str, Any]):
    """An empty, read-only, hashable mapping (dataclasses accept it as a default)."""

    def __getitem__(self, key: str) -> Any:
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "{}"


#: The properties of a node or link that has none: one shared object, not a factory
#: call per node and link (a big graph has ~100,000 of them).
NO_PROPERTIES: Mapping[str, Any] = _NoProperties()


@dataclass(slots=True)
class ParsedNode:
    id: str  # the file's own id
    name: str = ""
    lat: float | None = None
    lon: float | None = None
    antenna_height_m: float = 0.0
    status: Status = Status.WORKING
    role: Role = Role.CLIENT
    gateway: bool = False
    private_position: bool = False  # imported positions are already public
    zone: str | None = None  # a zone id of ParsedNetwork.zones
    devices: tuple[Device, ...] = ()
    properties: Mapping[str, Any] = NO_PROPERTIES


@dataclass(slots=True)
class ParsedLink:
    a: str
    b: str
    cost: float | None = None
    id: str = ""  # the file's own link id, when it has one
    type: LinkType | None = None
    status: Status = Status.WORKING
    a_interface: str = ""
    b_interface: str = ""
    properties: Mapping[str, Any] = NO_PROPERTIES


@dataclass(slots=True)
class ParsedAddress:
    """An address seen on an interface: ``10.138.53.101`` in ``10.138.53.96/27``."""

    node: str
    address: str
    prefix: str
    interface: str = ""  # "device/interface", as in ParsedLink.a_interface


@dataclass(slots=True)
class ParsedNetwork:
    format: str
    source: str
    nodes: dict[str, ParsedNode] = field(default_factory=dict)
    links: list[ParsedLink] = field(default_factory=list)
    # Links a model cannot hold (CNML: far end outside the file, or both ends in one
    # node); kept so that diffs of two snapshots still see them.
    other_links: list[ParsedLink] = field(default_factory=list)
    zones: list[Zone] = field(default_factory=list)
    addresses: list[ParsedAddress] = field(default_factory=list)
    label: str = ""
    metric: str = ""
    plan: AddressPlan | None = None  # when the file states one (our own CNML exports)
    # Address management stated whole (our own CNML exports): holders of kind node or
    # link are the file's ids. When set, ``addresses`` are not turned into allocations.
    pools: list[Pool] = field(default_factory=list)
    allocations: list[Allocation] | None = None
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # format-specific tallies

    def pairs(self) -> set[tuple[str, str]]:
        """Unique undirected node pairs joined by a link (what netdiff's graph holds)."""
        return {(lk.a, lk.b) if lk.a < lk.b else (lk.b, lk.a) for lk in self.links}

    def node(self, node_id: str) -> ParsedNode:
        """The node ``node_id``, added bare when a link names one the file never lists."""
        got = self.nodes.get(node_id)
        if got is None:
            got = self.nodes[node_id] = ParsedNode(node_id, node_id)
        return got
