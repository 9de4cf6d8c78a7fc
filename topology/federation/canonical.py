"""Canonical serialisation of a feed and the signed document around it.

Canonical JSON: keys sorted, no spaces, UTF-8, no NaN or infinity. Python writes a
float as the shortest text that reads back as the same float, so one value always
gives the same bytes.

The signed document is itself canonical JSON::

    {"feed":<canonical feed>,"signature":{"algorithm":"ed25519","public_key":"...","value":"..."}}

The signature covers exactly the bytes of the ``feed`` member as they stand in the
document. A verifier cuts them out and checks them as received, so it never has to
serialise a large feed again (and nothing depends on two JSON libraries agreeing).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from topology.federation.errors import FeedRejected
from topology.federation.identity import public_key_text, sign

ALGORITHM = "ed25519"
_HEAD = b'{"feed":'
_SIGNATURE = b',"signature":'


def canonical_bytes(value: Any) -> bytes:
    """``value`` as canonical JSON bytes."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def sign_feed(feed: Mapping[str, Any], key: Ed25519PrivateKey) -> bytes:
    """The signed document of ``feed`` (canonical JSON bytes)."""
    body = canonical_bytes(feed)
    signature = {
        "algorithm": ALGORITHM,
        "public_key": public_key_text(key),
        "value": sign(key, body),
    }
    return _HEAD + body + _SIGNATURE + canonical_bytes(signature) + b"}"


@dataclass(frozen=True, slots=True)
class SignedFeed:
    """A signed document taken apart (not yet verified)."""

    body: bytes  # the signed bytes of the feed
    feed: dict[str, Any]
    public_key: str
    signature: str


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def open_signed(data: bytes) -> SignedFeed:
    """Take a signed document apart; :class:`FeedRejected` (``malformed``) if it is not one."""
    cut = data.rfind(_SIGNATURE)
    if not data.startswith(_HEAD) or not data.endswith(b"}") or cut < 0:
        raise FeedRejected("malformed", "the feed is not a signed feed document")
    body = data[len(_HEAD) : cut]
    try:
        feed = json.loads(body, parse_constant=_refuse_constant)
        signature = json.loads(data[cut + len(_SIGNATURE) : -1])
    except (ValueError, UnicodeDecodeError) as exc:
        raise FeedRejected("malformed", f"the feed is not valid JSON: {exc}") from None
    if not isinstance(feed, dict) or not isinstance(signature, dict):
        raise FeedRejected("malformed", "the feed document does not hold a feed and a signature")
    public_key, value = signature.get("public_key"), signature.get("value")
    if signature.get("algorithm") != ALGORITHM:
        raise FeedRejected("malformed", f"the signature algorithm is not {ALGORITHM}")
    if not isinstance(public_key, str) or not isinstance(value, str):
        raise FeedRejected("malformed", "the signature has no public key or value")
    return SignedFeed(body, feed, public_key, value)
