"""Comparing two snapshots of a network, in any supported format (netdiff-style).

Links are matched by their unordered pair of node ids (and, where a format keeps
several links per pair, by the link's own id): ``added``, ``removed``, and ``changed``
(cost, type or status differ; costs within 0.1%, as daemons print 3 decimals, are
equal). Nodes are compared by id too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from topology.formats.parsed import ParsedLink, ParsedNetwork

LinkKey = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class LinkChange:
    key: LinkKey
    before: ParsedLink
    after: ParsedLink

    def fields(self) -> dict[str, tuple[Any, Any]]:
        out: dict[str, tuple[Any, Any]] = {}
        for name in ("cost", "type", "status"):
            a, b = getattr(self.before, name), getattr(self.after, name)
            if name == "cost" and a is not None and b is not None:
                if math.isclose(a, b, rel_tol=1e-3, abs_tol=1e-3):
                    continue
            elif a == b:
                continue
            out[name] = (a, b)
        return out


@dataclass(frozen=True, slots=True)
class NetworkDiff:
    added: tuple[ParsedLink, ...]
    removed: tuple[ParsedLink, ...]
    changed: tuple[LinkChange, ...]
    nodes_added: tuple[str, ...]
    nodes_removed: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.nodes_added
                    or self.nodes_removed)

    def as_dict(self) -> dict[str, Any]:
        def link(lk: ParsedLink) -> dict[str, Any]:
            return {"source": lk.a, "target": lk.b, "cost": lk.cost,
                    "type": str(lk.type) if lk.type else None, "status": str(lk.status)}

        return {
            "added": [link(lk) for lk in self.added],
            "removed": [link(lk) for lk in self.removed],
            "changed": [
                {"source": c.after.a, "target": c.after.b,
                 **{k: {"before": _plain(a), "after": _plain(b)}
                    for k, (a, b) in c.fields().items()}}
                for c in self.changed
            ],
            "nodes_added": list(self.nodes_added),
            "nodes_removed": list(self.nodes_removed),
        }


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, int | float) else str(value)


def _keyed(net: ParsedNetwork) -> dict[LinkKey, ParsedLink]:
    out: dict[LinkKey, ParsedLink] = {}
    for lk in (*net.links, *net.other_links):
        a, b = (lk.a, lk.b) if lk.a < lk.b else (lk.b, lk.a)
        key = (a, b, lk.id if net.format == "meshviewer" else "")
        out[key] = lk
    return out


def diff(old: ParsedNetwork, new: ParsedNetwork) -> NetworkDiff:
    a, b = _keyed(old), _keyed(new)
    changed = []
    for key in sorted(a.keys() & b.keys()):
        change = LinkChange(key, a[key], b[key])
        if change.fields():
            changed.append(change)
    return NetworkDiff(
        added=tuple(b[k] for k in sorted(b.keys() - a.keys())),
        removed=tuple(a[k] for k in sorted(a.keys() - b.keys())),
        changed=tuple(changed),
        nodes_added=tuple(sorted(new.nodes.keys() - old.nodes.keys())),
        nodes_removed=tuple(sorted(old.nodes.keys() - new.nodes.keys())),
    )
