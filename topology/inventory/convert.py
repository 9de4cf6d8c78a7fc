"""Pure conversion of validated inventory documents into the domain model.

No file access here: :func:`build_model` merges parsed :class:`InventoryFile` documents
(in order) into a :class:`NetworkModel`, or returns the located problems found: the
cross-reference checks of :meth:`NetworkModel.validate` and the model's own rules,
each at the path of the offending field.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterator, Sequence
from typing import Any

from topology.model import (
    ID_SEP,
    AddressPlan,
    Allocation,
    BBox,
    Community,
    Contact,
    Device,
    HolderKind,
    Interface,
    Link,
    LinkMetrics,
    ModelError,
    NetworkModel,
    Node,
    Pool,
    Position,
    Radio,
    Zone,
    make_id,
)

from .addresses import plan_problems, purpose_problem
from .ids import Path, Problem, derived_link_id, global_id, local_part
from .schema import DeviceDoc, InventoryFile, LinkDoc, NodeDoc

_HINT_BUDGET = 50  # "did you mean" look-ups per load (slow on huge inventories)
Where = tuple[int, Path]  # (document number, path) of a definition


class _Builder:
    def __init__(self, docs: Sequence[InventoryFile]) -> None:
        self.docs = docs
        self.problems: list[Problem] = []
        self.hints = _HINT_BUDGET

    def fail(
        self, source: int | None, path: Path, message: str, first: Where | None = None
    ) -> None:
        self.problems.append(Problem(source, path, message, first))

    def hint(self, value: str, known: Collection[str]) -> str:
        if self.hints <= 0 or not known:
            return ""
        self.hints -= 1
        close = difflib.get_close_matches(value, list(known), n=1, cutoff=0.75)
        return f" (did you mean {close[0]!r}?)" if close else ""

    def items(self, key: str) -> Iterator[tuple[int, Path, Any]]:
        for i, doc in enumerate(self.docs):
            section: Sequence[Any] = doc.get(key) or ()  # type: ignore[assignment]
            for j, item in enumerate(section):
                yield i, (key, j), item

    def single(self, key: str) -> tuple[int, Any] | None:
        where = [i for i, doc in enumerate(self.docs) if doc.get(key) is not None]
        for i in where[1:]:
            self.fail(i, (key,), f"{key} is defined more than once", first=(where[0], (key,)))
        return (where[0], self.docs[where[0]].get(key)) if where else None

    def unique(self, seen: dict[str, Where], key: str, what: str, at: Where) -> bool:
        if key in seen:
            self.fail(at[0], at[1], f"{what} is used more than once", first=seen[key])
            return False
        seen[key] = at
        return True

    # ------------------------------------------------------------------ sections

    def community(self) -> Community | None:
        found = self.single("community")
        if found is None:
            self.fail(None, ("community",), "no file defines the community (community: slug, name)")
            return None
        i, c = found
        try:
            return Community(**c)
        except ModelError as exc:
            self.fail(i, ("community", "slug"), str(exc))
            return None

    def address_plan(self) -> AddressPlan:
        found = self.single("address_plan")
        if found is None:
            return AddressPlan()
        i, doc = found
        plan = AddressPlan(**doc)
        for key, message in plan_problems(plan):
            self.fail(i, ("address_plan", key), message)
        return plan

    def zones(self) -> tuple[list[Zone], dict[str, Where]]:
        zones: list[Zone] = []
        at: dict[str, Where] = {}
        for i, path, z in self.items("zones"):
            bbox = None
            if z.get("bbox") is not None:
                try:
                    bbox = BBox(**z["bbox"])
                except ModelError as exc:
                    self.fail(i, (*path, "bbox"), str(exc))
            try:
                zone = Zone(
                    id=z["id"],
                    name=z["name"],
                    parent_id=z.get("parent"),
                    bbox=bbox,
                    dns_servers=tuple(z.get("dns_servers") or ()),
                    ntp_servers=tuple(z.get("ntp_servers") or ()),
                )
            except ModelError as exc:
                self.fail(i, (*path, "id"), str(exc))
                continue
            if self.unique(at, zone.id, f"zone id {zone.id!r}", (i, (*path, "id"))):
                zones.append(zone)
        parent = {z.id: z.parent_id for z in zones}
        for z in zones:
            i, id_path = at[z.id]
            parent_path = (*id_path[:-1], "parent")
            if z.parent_id is not None and z.parent_id not in at:
                hint = self.hint(z.parent_id, at)
                self.fail(i, parent_path, f"parent zone {z.parent_id!r} does not exist{hint}")
                continue
            chain = [z.id]
            cur = parent.get(z.id)
            while cur is not None and cur not in chain:
                chain.append(cur)
                cur = parent.get(cur)
            if cur == z.id:
                self.fail(i, parent_path, "parent chain loops back: " + " -> ".join([*chain, cur]))
        return zones, at

    @staticmethod
    def device(d: DeviceDoc) -> Device:
        interfaces = []
        for f in d.get("interfaces") or ():
            fields: dict[str, Any] = dict(f)
            radio = f.get("radio")
            if radio is not None:
                fields["radio"] = Radio(**radio)
            interfaces.append(Interface(**fields))
        fields = {**d, "name": d.get("name", d["id"]), "interfaces": tuple(interfaces)}
        return Device(**fields)

    def node(
        self, node_id: str, i: int, path: Path, n: NodeDoc, zones: Collection[str]
    ) -> Node | None:
        ok = True
        zone = n["zone"]
        if zone not in zones:
            self.fail(i, (*path, "zone"), f"zone {zone!r} does not exist{self.hint(zone, zones)}")
            ok = False
        devices: list[Device] = []
        seen: dict[str, Where] = {}
        for k, d in enumerate(n.get("devices") or ()):
            at = (i, (*path, "devices", k, "id"))
            ok = self.unique(seen, d["id"], f"device id {d['id']!r} (in this node)", at) and ok
            devices.append(self.device(d))
        if not ok:
            return None
        fields: dict[str, Any] = {**n, "id": node_id, "devices": tuple(devices)}
        del fields["zone"]
        contact = n.get("contact")
        if contact is not None:
            fields["contact"] = Contact(**contact)
        try:
            fields["position"] = Position(**n["position"])
            return Node(zone_id=zone, **fields)
        except ModelError as exc:  # the schema checks ranges already: a safety net
            self.fail(i, (*path, "position"), str(exc))
            return None

    def link(
        self, slug: str, i: int, path: Path, lk: LinkDoc, nodes: dict[str, str]
    ) -> Link | None:
        ends: list[str] = []
        for key in ("a", "b"):
            written: str = lk[key]
            end = nodes.get(written)  # the common case: a local id of a known node
            if end is None:
                try:
                    end = global_id(slug, written)
                except ModelError as exc:
                    self.fail(i, (*path, key), str(exc))
                    continue
                # A border link may end at another community's node (federation).
                if end not in nodes and end.partition(ID_SEP)[0] == slug:
                    hint = self.hint(local_part(slug, end), list(nodes))
                    self.fail(i, (*path, key), f"node {written!r} does not exist{hint}")
                    continue
            ends.append(end)
        if len(ends) != 2:
            return None
        local = lk.get("id")
        try:
            link_id = make_id(slug, local or derived_link_id(slug, ends[0], ends[1]))
        except ModelError as exc:
            hint = "" if local is not None else "; give this link an id"
            self.fail(i, (*path, "id") if local is not None else path, f"{exc}{hint}")
            return None
        fields: dict[str, Any] = {**lk, "id": link_id, "a": ends[0], "b": ends[1]}
        metrics = lk.get("metrics")
        fields["metrics"] = LinkMetrics() if metrics is None else LinkMetrics(**metrics)
        try:
            return Link(**fields)
        except ModelError as exc:
            self.fail(i, (*path, "b"), str(exc))
            return None

    def pools(self, zones: Collection[str]) -> list[Pool]:
        pools: list[Pool] = []
        seen: dict[str, Where] = {}
        for i, path, p in self.items("pools"):
            zone, prefix = p.get("zone"), p["prefix"]
            if zone is not None and zone not in zones:
                hint = self.hint(zone, zones)
                self.fail(i, (*path, "zone"), f"zone {zone!r} does not exist{hint}")
            message = purpose_problem(prefix, p["purpose"])
            if message is not None:
                self.fail(i, (*path, "prefix"), message)
            self.unique(seen, prefix, f"pool {prefix}", (i, (*path, "prefix")))
            pools.append(Pool(prefix=prefix, purpose=p["purpose"], zone_id=zone))
        return pools

    def allocations(self, slug: str, known: dict[HolderKind, Collection[str]]) -> list[Allocation]:
        out: list[Allocation] = []
        for i, path, a in self.items("allocations"):
            kind, holder = a["holder_kind"], a["holder"]
            if kind in (HolderKind.NODE, HolderKind.LINK):
                try:
                    holder = global_id(slug, holder)
                except ModelError as exc:
                    self.fail(i, (*path, "holder"), str(exc))
                    continue
            ours = kind is HolderKind.ZONE or holder.partition(ID_SEP)[0] == slug
            # A released allocation (held down) may outlive its holder.
            active = a.get("released_at") is None
            if kind in known and ours and active and holder not in known[kind]:
                self.fail(i, (*path, "holder"), f"{kind.value} {a['holder']!r} does not exist")
            message = purpose_problem(a["prefix"], a["purpose"])
            if message is not None:
                self.fail(i, (*path, "prefix"), message)
            fields: dict[str, Any] = {**a, "holder_id": holder}
            del fields["holder"]
            out.append(Allocation(**fields))
        return out

    # ------------------------------------------------------------------ whole

    def run(self) -> NetworkModel | None:
        community = self.community()
        plan = self.address_plan()
        zones, zone_at = self.zones()
        if community is None:
            return None
        slug = community.slug
        declared: dict[str, str] = {}  # written id -> global id, of every well-formed node id
        node_at: dict[str, Where] = {}
        todo: list[tuple[int, Path, NodeDoc, str]] = []
        for i, path, n in self.items("nodes"):
            try:
                node_id = make_id(slug, n["id"])
            except ModelError as exc:
                self.fail(i, (*path, "id"), str(exc))
                continue
            if self.unique(node_at, node_id, f"node id {n['id']!r}", (i, (*path, "id"))):
                declared[n["id"]] = node_id
                todo.append((i, path, n, node_id))
        known_nodes = dict(declared)
        known_nodes.update((g, g) for g in declared.values())  # global spelling too
        nodes: list[Node] = []
        for i, path, n, node_id in todo:
            node = self.node(node_id, i, path, n, zone_at)
            if node is not None:
                nodes.append(node)
        links: list[Link] = []
        link_at: dict[str, Where] = {}
        for i, path, lk in self.items("links"):
            link = self.link(slug, i, path, lk, known_nodes)
            if link is None:
                continue
            what = f"link id {local_part(slug, link.id)!r}"
            if lk.get("id") is None:
                what += " (made from its ends: give the link an id)"
            at = (i, (*path, "id") if lk.get("id") is not None else path)
            if self.unique(link_at, link.id, what, at):
                links.append(link)
        pools = self.pools(zone_at)
        allocations = self.allocations(
            slug,
            {HolderKind.NODE: known_nodes, HolderKind.LINK: link_at, HolderKind.ZONE: zone_at},
        )
        if self.problems:
            return None
        model = NetworkModel(
            community=community,
            address_plan=plan,
            zones=tuple(zones),
            nodes=tuple(nodes),
            links=tuple(links),
            pools=tuple(pools),
            allocations=tuple(allocations),
        )
        for message in model.validate():  # a safety net: the checks above should catch all
            self.fail(None, (), message)
        return None if self.problems else model


def build_model(docs: Sequence[InventoryFile]) -> tuple[NetworkModel | None, list[Problem]]:
    """Merge validated documents (in order) into one model, checking cross-references.

    Returns ``(model, [])``, or ``(None, problems)`` with every problem found.
    """
    builder = _Builder(docs)
    model = builder.run()
    return model, builder.problems
