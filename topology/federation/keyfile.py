"""The service's private key on disk: a PEM file readable by its owner only (mode 600)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from topology.federation.errors import FederationError
from topology.federation.identity import generate_key, load_private_key_pem, private_key_pem


def load_or_create_key(path: Path) -> Ed25519PrivateKey:
    """The key in ``path``, made (mode 600, folder 700 when created) if missing.

    A key file others may read is refused: a leaked key lets anyone speak for the
    community, so it is better to stop than to carry on.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return _create(path)
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise FederationError(
            f"{path}: the federation key is readable by others (mode {stat.S_IMODE(mode):o}); "
            f"run: chmod 600 {path}"
        )
    return load_private_key_pem(path.read_bytes(), str(path))


def _create(path: Path) -> Ed25519PrivateKey:
    key = generate_key()
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(private_key_pem(key))
            f.flush()
            os.fsync(f.fileno())
        os.link(tmp, path)  # fails if another process made one meanwhile: keep theirs
    except FileExistsError:
        return load_private_key_pem(path.read_bytes(), str(path))
    finally:
        tmp.unlink(missing_ok=True)
    return key
