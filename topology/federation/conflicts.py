"""Address conflicts between communities: one address or prefix claimed by two of them.

Delegations in the registry never overlap and accepted feeds stay inside theirs, so a
conflict means a community uses space that is not its own (its own addresses are not
checked against its delegation), or two services load different registries. Every
service that sees both claims reports it. Pure; a sorted sweep, O(n log n).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from topology.federation.merge import community_of
from topology.federation.registry import address_span


@dataclass(frozen=True, slots=True)
class AddressConflict:
    address: str  # the narrower of the two claims
    claims: tuple[tuple[str, str], ...]  # (holder id, address or prefix) per community

    @property
    def communities(self) -> tuple[str, ...]:
        return tuple(sorted({community_of(h) for h, _ in self.claims}))

    def message(self) -> str:
        parts = ", ".join(f"{h} ({a})" for h, a in self.claims)
        return f"address {self.address} is claimed by {' and '.join(self.communities)}: {parts}"


def address_conflicts(claims: Iterable[tuple[str, str]]) -> list[AddressConflict]:
    """Overlapping claims of different communities; ``claims`` are (holder id, text)."""
    spans: list[tuple[int, int, int, str, str]] = []
    for holder, text in claims:
        found_span = address_span(text)
        if found_span is not None:
            spans.append((*found_span, holder, text))
    spans.sort()
    found: dict[str, AddressConflict] = {}
    open_spans: list[tuple[int, int, int, str, str]] = []
    for span in spans:
        open_spans = [s for s in open_spans if s[0] == span[0] and s[2] >= span[1]]
        for other in open_spans:
            if community_of(other[3]) != community_of(span[3]):
                narrower = span if span[2] - span[1] <= other[2] - other[1] else other
                key = narrower[4]
                held = found.get(key)
                pair = {(other[3], other[4]), (span[3], span[4])}
                if held is not None:
                    pair |= set(held.claims)
                found[key] = AddressConflict(key, tuple(sorted(pair)))
        open_spans.append(span)
    return [found[k] for k in sorted(found)]
