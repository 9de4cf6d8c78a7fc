"""Filtering and sorting of the Nodes and Links tables, in memory (pure functions).

A filter is words separated by spaces; a row matches when every word does. A word is a
substring of the row's id, name, zone, status or addresses, or ``field:value`` for one
field (``status:work``, ``zone:gorham``, ``addr:10.228``, ``role:super``), or an IP
address inside one of the node's prefixes (``10.228.16.33``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from topology.client_models import LinkInfo
from topology.presentation import BAND_NAMES, band_of
from topology.presentation import measured_cost as link_cost
from tui.state import NetState, NodeRow, short

NODE_COLUMNS = ("status", "name", "id", "zone", "role", "live", "addresses")
LINK_COLUMNS = (
    "quality", "cost", "loss", "signal", "rate", "flaps", "type", "status", "a", "b", "id"
)
_FIELDS = {"name": "name", "zone": "zone", "status": "status", "role": "role", "addr": "addresses",
           "id": "id", "live": "liveness"}  # fmt: skip


def _address(word: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not any(c in word for c in ".:") or "/" in word:
        return None
    try:
        return ipaddress.ip_address(word)
    except ValueError:
        return None


def _prefix_holds(prefixes: str, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    for p in prefixes.split():
        try:
            if address in ipaddress.ip_network(p, strict=False):
                return True
        except ValueError:
            continue
    return False


def node_matcher(query: str) -> Callable[[NodeRow], bool]:
    """A predicate for the rows matching ``query`` (see the module docstring)."""
    tests = [_word_test(word) for word in query.lower().split()]
    if not tests:
        return lambda r: True
    if len(tests) == 1:
        return tests[0]
    return lambda r: all(t(r) for t in tests)


def _word_test(word: str) -> Callable[[NodeRow], bool]:
    name, sep, value = word.partition(":")
    if sep and name in _FIELDS and value:
        attr = _FIELDS[name]

        def field_has(r: NodeRow) -> bool:
            return value in str(getattr(r, attr)).lower()

        return field_has
    ip = _address(word)
    if ip is not None:
        address = ip

        def holds(r: NodeRow) -> bool:
            return word in r.haystack or _prefix_holds(r.addresses, address)

        return holds

    def has(r: NodeRow) -> bool:
        return word in r.haystack

    return has


_STATUS_ORDER = {s: i for i, s in enumerate(
    ("Inactive", "Testing", "Building", "Working", "Reserved", "Planned", "Dropped")
)}  # fmt: skip


def node_sort_key(column: str) -> Callable[[NodeRow], Any]:
    if column == "status":
        return lambda r: (_STATUS_ORDER.get(r.status, 99), r.id)
    if column == "live":
        return lambda r: ({"down": 0, "stale": 1, "up": 2}.get(r.liveness, 3), r.id)
    attr = {"addresses": "addresses"}.get(column, column)
    return lambda r: (str(getattr(r, attr, "")).lower(), r.id)


def filter_nodes(
    rows: Sequence[NodeRow], query: str, sort: str = "name", reverse: bool = False
) -> list[NodeRow]:
    """The rows matching ``query``, sorted by column ``sort``."""
    match = node_matcher(query)
    found = [r for r in rows if match(r)] if query.strip() else list(rows)
    found.sort(key=node_sort_key(sort), reverse=reverse)
    return found


def narrows(old: str, new: str) -> bool:
    """Whether every row matching ``new`` also matches ``old`` (``new`` only adds
    letters or words), so ``new`` may filter ``old``'s result instead of every row.
    Not when an IP address is involved (an address matches a prefix it is not part of),
    nor a ``field:`` word (``zone`` then ``zone:b`` searches another way)."""
    if not old.strip() or not new.startswith(old):
        return False
    for w in new.lower().split():
        if _address(w) is not None or w.partition(":")[0] in _FIELDS:
            return False
    return True


def keep_matching(rows: Sequence[NodeRow], query: str) -> list[NodeRow]:
    """The rows matching ``query``, in their order (no sort)."""
    match = node_matcher(query)
    return [r for r in rows if match(r)]


# --------------------------------------------------------------------------- links


@dataclass(frozen=True, slots=True)
class LinkRow:
    id: str
    a: str
    b: str
    type: str
    status: str
    cost: float | None
    signal: float | None
    rate: float | None
    quality: str
    flaps: int
    haystack: str
    loss: float | None = None  # latest reported (fraction)


def link_rows(state: NetState) -> list[LinkRow]:
    out = []
    for ident, lk in state.links.items():
        m = lk.get("metrics") or {}
        cost = link_cost(lk)
        sig, rate, loss = m.get("signal_dbm"), m.get("rate_mbps"), m.get("loss")
        a, b = str(lk.get("a", "")), str(lk.get("b", ""))
        typ, st = str(lk.get("type", "")), str(lk.get("status", ""))
        q = band_of(cost)
        out.append(
            LinkRow(
                ident, a, b, typ, st, cost,
                float(sig) if isinstance(sig, int | float) else None,
                float(rate) if isinstance(rate, int | float) else None,
                q, state.flaps.get(ident, 0),
                f"{ident} {short(a)} {short(b)} {typ} {st} {q}".lower(),
                float(loss) if isinstance(loss, int | float) else None,
            )
        )
    return out


def badness(row: LinkRow) -> tuple[float, float, float, float]:
    """Worst first: flapping, then lossy (5 % steps, so small noise does not reorder),
    then cost (unmeasured last), then weak signal."""
    cost = row.cost if row.cost is not None else -1.0
    signal = row.signal if row.signal is not None else 0.0
    loss = round((row.loss or 0.0) * 20)
    return (-float(row.flaps), -float(loss), -cost, signal)


def link_sort_key(column: str) -> Callable[[LinkRow], Any]:
    if column in ("quality", "cost"):
        return lambda r: (-(r.cost if r.cost is not None else -1.0), r.id)
    if column == "loss":  # lossiest first
        return lambda r: (-(r.loss if r.loss is not None else -1.0), r.id)
    if column == "signal":  # weakest first
        return lambda r: (r.signal if r.signal is not None else 1e9, r.id)
    if column == "rate":  # slowest first
        return lambda r: (r.rate if r.rate is not None else 1e9, r.id)
    if column == "flaps":
        return lambda r: (-r.flaps, r.id)
    return lambda r: (str(getattr(r, column, "")).lower(), r.id)


def filter_links(
    rows: Sequence[LinkRow], query: str, sort: str = "worst", reverse: bool = False
) -> list[LinkRow]:
    words = query.lower().split()
    found = [r for r in rows if all(w in r.haystack for w in words)]
    found.sort(key=badness if sort == "worst" else link_sort_key(sort), reverse=reverse)
    return found


def fuzzy_rank(query: str, candidates: Sequence[tuple[str, str]], limit: int = 8) -> list[str]:
    """Ids of ``candidates`` (id, label) best matching ``query``: exact id, then prefix,
    then substring, then the letters in order (subsequence), shortest label first."""
    q = query.lower().strip()
    if not q:
        return []
    scored: list[tuple[int, int, str]] = []
    for ident, label in candidates:
        text = f"{short(ident)} {label}".lower()
        if q == short(ident).lower() or q == ident.lower():
            rank = 0
        elif text.startswith(q) or label.lower().startswith(q):
            rank = 1
        elif q in text:
            rank = 2
        elif _subsequence(q, text):
            rank = 3
        else:
            continue
        scored.append((rank, len(text), ident))
    scored.sort()
    return [ident for _, _, ident in scored[:limit]]


def _subsequence(needle: str, hay: str) -> bool:
    it = iter(hay)
    return all(c in it for c in needle)


__all__ = [
    "BAND_NAMES",
    "LINK_COLUMNS",
    "NODE_COLUMNS",
    "LinkInfo",
    "LinkRow",
    "filter_links",
    "filter_nodes",
    "fuzzy_rank",
    "link_rows",
    "node_matcher",
]
