"""Community identity: Ed25519 keys, their text form, and the fingerprints peers pin.

A public key travels as the standard base64 of its 32 raw bytes. Its *fingerprint* is
``SHA256:`` plus the unpadded base64 of the SHA-256 of those bytes (the form OpenSSH
shows), short enough to read out over the phone and what ``peer add --key`` takes.
Pure: nothing here reads or writes files (see :mod:`topology.federation.keyfile`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from topology.federation.errors import FederationError

FINGERPRINT_PREFIX = "SHA256:"
_FINGERPRINT_LEN = 43  # unpadded base64 of 32 bytes


def generate_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def public_key_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The base64 text of a public key (of a private key's public half)."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def _raw_public(text: str) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise FederationError(
            f"public key {text[:60]!r} is not an Ed25519 key (base64 of 32 bytes expected)"
        )
    return raw


def load_public_key(text: str) -> Ed25519PublicKey:
    """An Ed25519 public key from its base64 text; :class:`FederationError` if malformed."""
    return Ed25519PublicKey.from_public_bytes(_raw_public(text))


def fingerprint(public_text: str) -> str:
    """``SHA256:<base64>`` of a public key given as text."""
    digest = hashlib.sha256(_raw_public(public_text)).digest()
    return FINGERPRINT_PREFIX + base64.b64encode(digest).decode("ascii").rstrip("=")


def normalise_fingerprint(text: str) -> str:
    """A fingerprint as typed (with or without ``SHA256:``), checked and in full form."""
    body = text.strip()
    if body.upper().startswith(FINGERPRINT_PREFIX):
        body = body[len(FINGERPRINT_PREFIX) :]
    try:
        ok = len(body) == _FINGERPRINT_LEN and len(base64.b64decode(body + "=")) == 32
    except (binascii.Error, ValueError):
        ok = False
    if not ok:
        raise FederationError(
            f"key fingerprint {text!r} is not valid: expected SHA256: followed by "
            f"{_FINGERPRINT_LEN} base64 characters (as 'meshctl federation whoami' prints)"
        )
    return FINGERPRINT_PREFIX + body


def sign(key: Ed25519PrivateKey, data: bytes) -> str:
    """The base64 Ed25519 signature of ``data``."""
    return base64.b64encode(key.sign(data)).decode("ascii")


def verify(public_text: str, signature: str, data: bytes) -> bool:
    """Whether ``signature`` (base64) is the signature of ``data`` by that public key."""
    try:
        raw_sig = base64.b64decode(signature, validate=True)
        load_public_key(public_text).verify(raw_sig, data)
    except (InvalidSignature, binascii.Error, ValueError, FederationError):
        return False
    return True


def private_key_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_private_key_pem(data: bytes, where: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise FederationError(f"{where}: not a PEM private key: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise FederationError(f"{where}: the key is not an Ed25519 key")
    return key
