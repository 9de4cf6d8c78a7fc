"""Acceptance checks of a peer's feed: all pass, or the feed is rejected as a whole.

In order, each failure a :class:`FeedRejected` with its reason code:

1. ``malformed``: not a signed feed document;
2. ``wrong-key``: signed with a key other than the pinned one;
3. ``bad-signature``: the signature does not verify (a changed byte);
4. ``namespace``: the feed speaks for another community, or names a node, link or
   gateway outside the peer's namespace (a border link must start at one of its nodes);
5. ``not-newer``: its revision is not newer than the last accepted one (replay, rollback);
6. ``outside-delegation``: an address or prefix outside the peer's delegations in the
   registry (also a delegation it declares beyond them).

Pure: the caller fetches, stores and alerts.
"""

from __future__ import annotations

from topology.federation.canonical import open_signed
from topology.federation.errors import FederationError, FeedRejected
from topology.federation.feed import PeerData, parse_feed
from topology.federation.identity import fingerprint, verify
from topology.federation.registry import Member
from topology.model import ID_SEP


def _shown(items: list[str], limit: int = 3) -> str:
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def check_namespace(data: PeerData, slug: str) -> None:
    prefix = slug + ID_SEP
    bad = [i for i in data.nodes.ids if not i.startswith(prefix)]
    for links in (data.links, data.border_links):
        bad += [i for i in links.ids if not i.startswith(prefix)]
    inner = data.links
    bad += [
        inner.ids[k]
        for k, (a, b) in enumerate(zip(inner.a, inner.b, strict=True))
        if not (a.startswith(prefix) and b.startswith(prefix))
    ]
    border = data.border_links
    bad += [
        border.ids[k]
        for k, (a, b) in enumerate(zip(border.a, border.b, strict=True))
        if not (a.startswith(prefix) or b.startswith(prefix))
    ]
    bad += [g for g in data.gateways if g not in data.nodes.index]
    if bad:
        raise FeedRejected(
            "namespace", f"the feed of {slug} names ids outside its namespace: {_shown(bad)}"
        )


def check_delegations(data: PeerData, member: Member, declared: object) -> None:
    outside = [f"{addr} ({holder})" for holder, addr in data.claims() if not member.covers(addr)]
    if isinstance(declared, dict):
        for family in ("ipv4", "ipv6"):
            for prefix in declared.get(family, []) or []:
                if not isinstance(prefix, str) or not member.covers(prefix):
                    outside.append(f"{prefix} (declared delegation)")
    if outside:
        allowed = ", ".join(str(d) for d in member.delegations) or "none"
        raise FeedRejected(
            "outside-delegation",
            f"the feed of {member.slug} uses addresses outside its delegations ({allowed}): "
            f"{_shown(outside)}",
        )


def accept_feed(
    document: bytes, *, member: Member, pinned: str, last_revision: int | None
) -> PeerData:
    """The feed of ``document`` if it passes every check (see the module doc)."""
    signed = open_signed(document)
    try:
        got = fingerprint(signed.public_key)
    except FederationError:
        got = "an invalid key"
    if got != pinned:
        raise FeedRejected(
            "wrong-key", f"the feed of {member.slug} is signed by {got}, not by the pinned {pinned}"
        )
    if not verify(signed.public_key, signed.signature, signed.body):
        raise FeedRejected(
            "bad-signature",
            f"the signature of {member.slug}'s feed does not verify: it was changed on the way",
        )
    data = parse_feed(signed.feed)
    if data.community != member.slug:
        raise FeedRejected(
            "namespace", f"the feed at {member.slug}'s address speaks for {data.community!r}"
        )
    if last_revision is not None and data.revision <= last_revision:
        raise FeedRejected(
            "not-newer",
            f"the feed of {member.slug} has revision {data.revision}, not newer than the "
            f"accepted {last_revision} (a replay or a rollback)",
        )
    check_namespace(data, member.slug)
    check_delegations(data, member, signed.feed.get("delegations"))
    return data
