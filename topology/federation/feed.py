"""The feed: what a community shares with its peers, built from its network and read back.

Built (:func:`feed_content`) from the live state, public by construction: nodes pass
through :func:`topology.inventory.public_node` (no contact, no owner, private positions
rounded as in public exports) and only the fields listed below are copied, so nothing
added to the model later leaks by default. Devices (models, MACs, SSIDs) are left out;
a node's addresses are its interfaces' host addresses and its allocated prefixes.

Read (:func:`parse_feed`) into a :class:`PeerData`; any malformed part rejects the feed.
Both directions are pure.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from topology.federation.errors import FeedRejected
from topology.inventory import public_node
from topology.model import (
    ID_SEP,
    LOCAL_ID_RE,
    SLUG_RE,
    Allocation,
    Community,
    HolderKind,
    Link,
    LinkMetrics,
    LinkType,
    ModelError,
    Node,
    Position,
    Role,
    Status,
    Zone,
)

FORMAT = "meshcommons-federation/1"


def _community_of(global_id: str) -> str:
    return global_id.partition(ID_SEP)[0]


# --------------------------------------------------------------------------- building


def node_addresses(node: Node, held: Mapping[str, list[str]]) -> list[str]:
    found = set(held.get(node.id, ()))
    for device in node.devices:
        for iface in device.interfaces:
            for text in (iface.ipv4, iface.ipv6):
                if text:
                    try:
                        found.add(str(ipaddress.ip_interface(text).ip))
                    except ValueError:
                        continue  # the inventory validation reports it
    return sorted(found)


def _node(node: Node, addresses: list[str]) -> dict[str, Any]:
    n = public_node(node)
    out: dict[str, Any] = {
        "id": n.id,
        "name": n.name,
        "zone": n.zone_id,
        "lat": n.position.lat,
        "lon": n.position.lon,
        "status": n.status.value,
    }
    if n.role is not Role.CLIENT:
        out["role"] = n.role.value
    if n.gateway:
        out["gateway"] = True
    if addresses:
        out["addresses"] = addresses
    return out


def _link(link: Link, prefixes: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": link.id,
        "a": link.a,
        "b": link.b,
        "type": link.type.value,
        "status": link.status.value,
    }
    m = link.metrics
    for key, value in (("cost", m.cost), ("signal_dbm", m.signal_dbm), ("rate_mbps", m.rate_mbps)):
        if value is not None:
            out[key] = value
    if prefixes:
        out["prefixes"] = sorted(prefixes)
    return out


def feed_content(
    community: Community,
    *,
    public_key: str,
    public_url: str,
    delegations: Mapping[str, Sequence[str]],
    zones: Iterable[Zone],
    nodes: Iterable[Node],
    links: Iterable[Link],
    allocations: Iterable[Allocation],
) -> dict[str, Any]:
    """Everything a feed says except its revision and time (what the revision counts)."""
    held: dict[str, list[str]] = {}
    for a in allocations:
        if a.released_at is None and a.holder_kind in (HolderKind.NODE, HolderKind.LINK):
            held.setdefault(a.holder_id, []).append(a.prefix)
    slug = community.slug
    node_list = list(nodes)
    internal: list[dict[str, Any]] = []
    border: list[dict[str, Any]] = []
    for lk in links:
        inside = _community_of(lk.a) == slug and _community_of(lk.b) == slug
        (internal if inside else border).append(_link(lk, held.get(lk.id, ())))
    zone_list = []
    for z in zones:
        zone = {"id": z.id, "name": z.name}
        if z.parent_id is not None:
            zone["parent"] = z.parent_id
        zone_list.append(zone)
    return {
        "format": FORMAT,
        "community": {
            "slug": slug,
            "name": community.name,
            "url": public_url or community.url,
            "public_key": public_key,
        },
        "delegations": {k: list(v) for k, v in delegations.items()},
        "zones": zone_list,
        "nodes": [_node(n, node_addresses(n, held)) for n in node_list],
        "links": internal,
        "border_links": border,
        "gateways": sorted(n.id for n in node_list if n.gateway and n.status is Status.WORKING),
    }


# --------------------------------------------------------------------------- reading
#
# A feed may hold tens of thousands of nodes and links, so it is read column by column
# (one list per field, checked with one pass each) and domain objects are made only
# for what is looked at: a route's hops, a node shown on a map.

_LINK_TYPES = {t.value: t for t in LinkType}
_STATUSES = {s.value: s for s in Status}
_ROLES = {r.value: r for r in Role}


@dataclass(frozen=True, slots=True)
class FeedLink:
    """A link as a feed tells it (made a :class:`Link` only when a route shows it)."""

    id: str
    a: str
    b: str
    type: LinkType
    status: Status
    cost: float | None = None
    signal_dbm: float | None = None
    rate_mbps: float | None = None
    prefixes: tuple[str, ...] = ()

    def link(self) -> Link:
        metrics = LinkMetrics(cost=self.cost, signal_dbm=self.signal_dbm, rate_mbps=self.rate_mbps)
        return Link(self.id, self.a, self.b, self.type, self.status, metrics)


@dataclass(frozen=True, slots=True)
class LinkColumns(Sequence[FeedLink]):
    """A feed's links as columns; indexing or iterating gives :class:`FeedLink` s."""

    ids: list[str]
    a: list[str]
    b: list[str]
    types: list[str]
    statuses: list[str]
    costs: list[float | None]
    signals: list[float | None]
    rates: list[float | None]
    prefixes: Mapping[int, tuple[str, ...]]  # only the links that have some

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, i: int) -> FeedLink:  # type: ignore[override]
        return FeedLink(
            self.ids[i],
            self.a[i],
            self.b[i],
            _LINK_TYPES[self.types[i]],
            _STATUSES[self.statuses[i]],
            self.costs[i],
            self.signals[i],
            self.rates[i],
            self.prefixes.get(i, ()),
        )

    def __iter__(self) -> Iterator[FeedLink]:
        return (self[i] for i in range(len(self.ids)))


@dataclass(frozen=True, slots=True)
class NodeColumns(Mapping[str, Node]):
    """A feed's nodes as columns; a mapping id -> :class:`Node` (made when asked for)."""

    ids: list[str]
    names: list[str]
    zones: list[str]
    lats: list[float]
    lons: list[float]
    statuses: list[str]
    roles: list[str]
    gateways: list[bool]
    index: Mapping[str, int]

    def __getitem__(self, node_id: str) -> Node:
        i = self.index[node_id]
        return Node(
            id=node_id,
            name=self.names[i],
            zone_id=self.zones[i],
            position=Position(self.lats[i], self.lons[i]),
            status=_STATUSES[self.statuses[i]],
            role=_ROLES[self.roles[i]],
            gateway=self.gateways[i],
        )

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True, slots=True)
class PeerData:
    """An accepted feed, read."""

    community: str
    name: str
    url: str
    public_key: str
    revision: int
    generated_at: str
    zones: tuple[Zone, ...]
    nodes: NodeColumns
    links: LinkColumns
    border_links: LinkColumns
    gateways: tuple[str, ...]
    addresses: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # node -> addresses

    def claims(self) -> Iterable[tuple[str, str]]:
        """Every (holder id, address or prefix) the feed uses."""
        for node_id, addresses in self.addresses.items():
            for a in addresses:
                yield node_id, a
        for links in (self.links, self.border_links):
            for i, prefixes in links.prefixes.items():
                for p in prefixes:
                    yield links.ids[i], p


class _Bad(ValueError):
    """A feed value is wrong; ``where`` names it (``nodes[3].status``)."""

    def __init__(self, where: str, what: str) -> None:
        super().__init__(f"{where}: {what}")


def _check(name: str, key: str, column: list[Any], ok: Callable[[Any], bool], what: str) -> None:
    """One pass over a column; on failure find the first bad row for the message."""
    if all(map(ok, column)):
        return
    i = next(i for i, v in enumerate(column) if not ok(v))
    raise _Bad(f"{name}[{i}].{key}", f"{what}, not {column[i]!r}"[:200])


def _is_str(v: Any) -> bool:
    return type(v) is str


def _is_number(v: Any) -> bool:
    return type(v) is float or type(v) is int


def _is_opt_number(v: Any) -> bool:
    return v is None or type(v) is float or type(v) is int


def _is_latitude(v: Any) -> bool:
    return _is_number(v) and -90 <= v <= 90


def _is_longitude(v: Any) -> bool:
    return _is_number(v) and -180 <= v <= 180


def _rows(feed: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    rows = feed.get(name, [])
    if not isinstance(rows, list):
        raise _Bad(name, "must be a list")
    _check(name, "", rows, lambda r: type(r) is dict, "must be a mapping")
    return rows


def _column(rows: list[dict[str, Any]], name: str, key: str) -> list[Any]:
    try:
        return [r[key] for r in rows]
    except KeyError:
        i = next(i for i, r in enumerate(rows) if key not in r)
        raise _Bad(f"{name}[{i}]", f"{key} is missing") from None


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(map(_is_str, value)):
        raise _Bad(where, "must be a list of strings")
    return tuple(value)


def _global_id(v: Any) -> bool:
    if type(v) is not str:
        return False
    community, sep, local = v.partition(ID_SEP)
    return bool(sep and SLUG_RE.match(community) and LOCAL_ID_RE.match(local))


def _links(feed: Mapping[str, Any], name: str) -> LinkColumns:
    rows = _rows(feed, name)
    cols = {k: _column(rows, name, k) for k in ("id", "a", "b", "type", "status")}
    for key in ("id", "a", "b"):
        _check(name, key, cols[key], _global_id, "must be a global id (community:local)")
    _check(name, "type", cols["type"], _LINK_TYPES.__contains__, "is not a link type")
    _check(name, "status", cols["status"], _STATUSES.__contains__, "is not a status")
    same = [i for i, (a, b) in enumerate(zip(cols["a"], cols["b"], strict=True)) if a == b]
    if same:
        raise _Bad(f"{name}[{same[0]}]", "a link must join two different nodes")
    metrics = {}
    for key in ("cost", "signal_dbm", "rate_mbps"):
        metrics[key] = [r.get(key) for r in rows]
        _check(name, key, metrics[key], _is_opt_number, "must be a number")
    prefixes = {}
    for i, r in enumerate(rows):
        if "prefixes" in r:
            prefixes[i] = _strings(r["prefixes"], f"{name}[{i}].prefixes")
    return LinkColumns(
        cols["id"],
        cols["a"],
        cols["b"],
        cols["type"],
        cols["status"],
        metrics["cost"],
        metrics["signal_dbm"],
        metrics["rate_mbps"],
        prefixes,
    )


def _nodes(feed: Mapping[str, Any]) -> tuple[NodeColumns, dict[str, tuple[str, ...]]]:
    rows = _rows(feed, "nodes")
    cols = {k: _column(rows, "nodes", k) for k in ("id", "name", "zone", "lat", "lon", "status")}
    _check("nodes", "id", cols["id"], _global_id, "must be a global id (community:local)")
    for key in ("name", "zone"):
        _check("nodes", key, cols[key], _is_str, "must be text")
    _check("nodes", "lat", cols["lat"], _is_latitude, "is not a latitude")
    _check("nodes", "lon", cols["lon"], _is_longitude, "is not a longitude")
    _check("nodes", "status", cols["status"], _STATUSES.__contains__, "is not a status")
    roles = [r.get("role", "client") for r in rows]
    _check("nodes", "role", roles, _ROLES.__contains__, "is not a role")
    gateways = [r.get("gateway", False) for r in rows]
    _check("nodes", "gateway", gateways, lambda v: type(v) is bool, "must be true or false")
    index = {node_id: i for i, node_id in enumerate(cols["id"])}
    if len(index) != len(rows):
        i = next(i for i, v in enumerate(cols["id"]) if index[v] != i)
        raise _Bad(f"nodes[{i}].id", f"{cols['id'][i]} is used more than once")
    addresses = {
        r["id"]: _strings(r["addresses"], f"nodes[{i}].addresses")
        for i, r in enumerate(rows)
        if "addresses" in r
    }
    nodes = NodeColumns(
        cols["id"],
        cols["name"],
        cols["zone"],
        [float(v) for v in cols["lat"]],
        [float(v) for v in cols["lon"]],
        cols["status"],
        roles,
        gateways,
        index,
    )
    return nodes, addresses


def parse_feed(feed: Mapping[str, Any]) -> PeerData:
    """Read a (verified) feed; :class:`FeedRejected` (``malformed``) names the bad part."""
    try:
        if feed.get("format") != FORMAT:
            raise _Bad("format", f"is not {FORMAT!r}")
        who = feed.get("community")
        if not isinstance(who, dict) or not all(
            isinstance(who.get(k), str) for k in ("slug", "public_key")
        ):
            raise _Bad("community", "must give slug and public_key")
        revision = feed.get("revision")
        if type(revision) is not int or revision < 1:
            raise _Bad("revision", "must be a positive integer")
        nodes, addresses = _nodes(feed)
        zones = []
        for i, d in enumerate(_rows(feed, "zones")):
            try:
                zones.append(Zone(id=str(d["id"]), name=str(d["name"]), parent_id=d.get("parent")))
            except (KeyError, ModelError) as exc:
                raise _Bad(f"zones[{i}]", str(exc)) from None
        return PeerData(
            community=who["slug"],
            name=str(who.get("name", who["slug"])),
            url=str(who.get("url", "")),
            public_key=who["public_key"],
            revision=revision,
            generated_at=str(feed.get("generated_at", "")),
            zones=tuple(zones),
            nodes=nodes,
            links=_links(feed, "links"),
            border_links=_links(feed, "border_links"),
            gateways=_strings(feed.get("gateways", []), "gateways"),
            addresses=addresses,
        )
    except _Bad as exc:
        raise FeedRejected("malformed", f"the feed is malformed at {exc}") from None
