"""What the TUI knows of the network: plain data, patched by the service's events.

Pure: no I/O, no Textual. :class:`NetState` holds the nodes, links, alerts, gateways and
addresses as the service answered them (``topology.client_models`` shapes) and
:meth:`NetState.apply` folds one Server-Sent Event into them, so the screens redraw from
memory instead of asking the service again. Every change bumps :attr:`NetState.version`
(and the version of the part that changed) so a screen redraws only when it must.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from topology.client_models import (
    AlertInfo,
    AllocationInfo,
    FederatedGraph,
    FederatedRoute,
    Gateways,
    LinkInfo,
    NodeInfo,
    ServerEvent,
)
from topology.presentation import (
    STATUS_STYLE,
)

STATUSES = tuple(STATUS_STYLE)
LIVENESS_STYLE: dict[str, tuple[str, str]] = {
    "up": ("▲", "green"),
    "stale": ("◆", "yellow"),
    "down": ("▼", "red"),
}


def short(ident: str) -> str:
    """``community:local`` -> ``local`` (ids stay unique inside one community)."""
    return ident.rpartition(":")[2]


@dataclass(frozen=True, slots=True)
class NodeRow:
    """One node as the Nodes table shows it, with a lower-case haystack for filtering."""

    id: str
    name: str
    zone: str
    status: str
    role: str
    gateway: bool
    liveness: str
    addresses: str
    haystack: str


#: What the federation screens say when the service answers 404 (no federation set up).
FEDERATION_MISSING = "federation is not configured on this service"


@dataclass
class FederatedView:
    """The federation as the Map and Route show it when ``f`` turns it on: the merged
    graph of this community and its peers (``GET /federation/graph``) and the last route
    across communities. Shared by both screens, so ``M`` shows Route's path on the Map."""

    on: bool = False
    graph: FederatedGraph | None = None
    version: int = 0  # bumped with every new graph (the map rebuilds its scene)
    route: FederatedRoute | None = None

    def set_graph(self, graph: FederatedGraph) -> None:
        self.graph = graph
        self.version += 1

    def nodes(self) -> dict[str, str]:
        """Node id -> name, over every community."""
        found = (self.graph or {}).get("nodes", [])
        return {str(n.get("id")): str(n.get("name", "")) for n in found if n.get("id")}

    def own(self, node_id: str) -> bool:
        """Whether ``node_id`` is of this service's community (unknown ids: no)."""
        found = (self.graph or {}).get("nodes", [])
        return any(n.get("id") == node_id and n.get("own") for n in found)


@dataclass
class NetState:
    """The network as last heard from the service (see the module docstring)."""

    community: str = ""
    nodes: dict[str, NodeInfo] = field(default_factory=dict)
    links: dict[str, LinkInfo] = field(default_factory=dict)
    alerts: list[AlertInfo] = field(default_factory=list)  # newest first
    gateways: Gateways | None = None
    addresses: dict[str, list[str]] = field(default_factory=dict)  # holder -> prefixes
    liveness: dict[str, str] = field(default_factory=dict)  # node or link id -> up/stale/down
    flaps: Counter[str] = field(default_factory=Counter)  # link id -> changes seen
    updates: Counter[int] = field(default_factory=Counter)  # minute -> reports accepted
    version: int = 0
    nodes_version: int = 0
    links_version: int = 0
    alerts_version: int = 0
    fed: FederatedView = field(default_factory=FederatedView)  # not reset by load()
    _rows: list[NodeRow] | None = None
    _adjacent: dict[str, list[str]] | None = None

    # ------------------------------------------------------------------ loading

    def load(
        self,
        *,
        community: str,
        nodes: Iterable[NodeInfo],
        links: Iterable[LinkInfo],
        alerts: Iterable[AlertInfo] = (),
        gateways: Gateways | None = None,
        allocations: Iterable[AllocationInfo] = (),
    ) -> None:
        """Replace everything by a fresh answer of the service (keeps live counters)."""
        self.community = community
        self.nodes = {n["id"]: n for n in nodes if isinstance(n.get("id"), str)}
        self.links = {lk["id"]: lk for lk in links if isinstance(lk.get("id"), str)}
        self.alerts = [a for a in alerts if isinstance(a.get("id"), int)]
        self.gateways = gateways
        held: dict[str, list[str]] = {}
        for a in allocations:
            holder, prefix = a.get("holder_id"), a.get("prefix")
            if isinstance(holder, str) and isinstance(prefix, str):
                held.setdefault(holder, []).append(prefix)
        self.addresses = held
        self._touch(nodes=True, links=True, alerts=True)

    def _touch(self, *, nodes: bool = False, links: bool = False, alerts: bool = False) -> None:
        self.version += 1
        if nodes:
            self.nodes_version += 1
            self._rows = None
        if links:
            self.links_version += 1
            self._adjacent = None
        if alerts:
            self.alerts_version += 1

    # ------------------------------------------------------------------ events

    def apply(self, ev: ServerEvent, minute: int | None = None) -> str:
        """Fold one event in; answers what changed: ``nodes``, ``links``, ``alerts``,
        ``reload`` (the client must load everything again) or ``""`` (nothing).

        ``minute``: the receiving minute (epoch minutes) for the reports-per-minute count.
        Malformed events change nothing.
        """
        kind = ev.event if ev.event != "message" else str(ev.data.get("kind", ""))
        if kind in ("gap", "overflow", "network.imported"):
            return "reload"
        subject = ev.data.get("subject")
        inner = ev.data.get("data")
        data: dict[str, Any] = inner if isinstance(inner, dict) else {}
        if not isinstance(subject, str) or not subject:
            return ""
        if kind.startswith("alert."):
            return self._alert(data)
        if kind == "node.changed":
            return self._node(subject, data)
        if kind == "node.removed":
            if self.nodes.pop(subject, None) is None:
                return ""
            self._touch(nodes=True)
            return "nodes"
        if kind == "node.reported":  # one per accepted report: the Overview's rate
            if minute is None:
                return ""
            self.updates[minute] += 1
            return "reports"
        if kind in ("link.changed", "link.metrics"):
            return self._link(subject, data)
        if kind in ("address.allocated", "address.released"):
            return self._address(kind, subject, data)
        if kind == "link.removed":
            if self.links.pop(subject, None) is None:
                return ""
            self._touch(links=True)
            return "links"
        return ""

    def _node(self, node_id: str, data: dict[str, Any]) -> str:
        node: NodeInfo = dict(self.nodes.get(node_id) or {"id": node_id, "name": short(node_id)})  # type: ignore[assignment]
        for key in ("name", "zone", "status", "role"):
            if isinstance(data.get(key), str):
                node[key] = data[key]
        if isinstance(data.get("gateway"), bool):
            node["gateway"] = data["gateway"]
        if isinstance(data.get("liveness"), str):
            self.liveness[node_id] = data["liveness"]
        self.nodes[node_id] = node
        self._touch(nodes=True)
        return "nodes"

    def _link(self, link_id: str, data: dict[str, Any]) -> str:
        old = self.links.get(link_id)
        link: LinkInfo = dict(old or {"id": link_id})  # type: ignore[assignment]
        for key in ("a", "b", "type", "status"):
            if isinstance(data.get(key), str):
                link[key] = data[key]
        if "a" not in link or "b" not in link:
            return ""  # a link we cannot place: wait for a reload
        metrics = dict(link.get("metrics") or {})
        for key in ("cost", "signal_dbm", "rate_mbps", "loss"):
            value = data.get(key)
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if key in data and (value is None or number):
                metrics[key] = value
        link["metrics"] = metrics  # type: ignore[typeddict-item]
        was_live = self.liveness.get(link_id)
        live = data.get("liveness")
        if isinstance(live, str):
            self.liveness[link_id] = live
            if was_live is not None and was_live != live:
                self.flaps[link_id] += 1
        if old is not None and old.get("status") != link.get("status"):
            self.flaps[link_id] += 1
        self.links[link_id] = link
        self._touch(links=True)
        return "links"

    def _address(self, kind: str, prefix: str, data: dict[str, Any]) -> str:
        holder = data.get("holder")
        if not isinstance(holder, str):
            return ""
        held = [p for p in self.addresses.get(holder, []) if p != prefix]
        if kind == "address.allocated":
            held.append(prefix)
        self.addresses[holder] = held
        self._touch(nodes=True)
        return "nodes"

    def _alert(self, data: dict[str, Any]) -> str:
        ident = data.get("id")
        if not isinstance(ident, int) or isinstance(ident, bool):
            return ""
        alert: AlertInfo = data  # type: ignore[assignment]
        kept = [a for a in self.alerts if a.get("id") != ident]
        self.alerts = sorted([alert, *kept], key=lambda a: a.get("id", 0), reverse=True)
        self._touch(alerts=True)
        return "alerts"

    # ------------------------------------------------------------------ views

    def node_rows(self) -> list[NodeRow]:
        """Every node as a table row (cached until a node changes)."""
        if self._rows is None:
            rows = []
            for ident, n in self.nodes.items():
                name, zone = str(n.get("name", "")), str(n.get("zone", ""))
                status = str(n.get("status", ""))
                addrs = " ".join(self.addresses.get(ident, ()))
                live = self.liveness.get(ident, "")
                hay = f"{ident} {name} {zone} {status} {addrs}".lower()
                rows.append(
                    NodeRow(
                        ident, name, short(zone), status, str(n.get("role", "")),
                        bool(n.get("gateway")), live, addrs, hay,
                    )
                )
            self._rows = rows
        return self._rows

    def adjacent(self) -> dict[str, list[str]]:
        """Node id -> ids of the links touching it (cached until a link changes)."""
        if self._adjacent is None:
            adj: dict[str, list[str]] = {}
            for ident, lk in self.links.items():
                adj.setdefault(lk.get("a", ""), []).append(ident)
                adj.setdefault(lk.get("b", ""), []).append(ident)
            self._adjacent = adj
        return self._adjacent

    def active_alerts(self) -> list[AlertInfo]:
        return [a for a in self.alerts if a.get("active")]

    def unheard(self) -> list[str]:
        """Nodes not heard from: liveness stale or down, or an active node.down alert."""
        out = {n for n, s in self.liveness.items() if s in ("stale", "down") and n in self.nodes}
        out |= {
            str(a.get("subject"))
            for a in self.active_alerts()
            if str(a.get("kind", "")).startswith("node.") and a.get("subject") in self.nodes
        }
        return sorted(out)

    def gateway_load(self) -> list[tuple[str, int]]:
        """Each gateway and how many nodes use it as their nearest, busiest first."""
        if not self.gateways:
            return []
        load = Counter(str(g.get("gateway")) for g in self.gateways.get("nodes", []))
        return sorted(
            ((g, load.get(g, 0)) for g in self.gateways.get("gateways", [])),
            key=lambda gl: (-gl[1], gl[0]),
        )

    def nearest_gateway(self, node_id: str) -> str | None:
        for g in (self.gateways or {}).get("nodes", []):
            if g.get("node") == node_id:
                return str(g.get("gateway"))
        return None

    def updates_per_minute(self, now_minute: int, minutes: int = 30) -> list[float]:
        first = now_minute - minutes + 1
        return [float(self.updates.get(m, 0)) for m in range(first, now_minute + 1)]
