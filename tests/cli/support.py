"""Helpers of the CLI tests: run meshctl as a subprocess; the served network's tokens."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from topology.network import CommunityNetwork

MESHCTL = [sys.executable, "-m", "meshctl.cli"]


@dataclass(frozen=True)
class Served:
    url: str
    admin: str
    steward: str  # steward of gorham
    adoe: str  # volunteer, owner of gorham-home-01
    broe: str  # volunteer, owner of gorham-home-02
    network: CommunityNetwork


def meshctl(
    *args: str,
    home: Path,
    url: str | None = None,
    token: str | None = None,
    cwd: Path | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run meshctl with its own config directory ``home`` (XDG_CONFIG_HOME); ``url`` and
    ``token`` go through the environment, as in a script."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", "XDG_CONFIG_HOME": str(home)}
    for key in ("MESHCOMMONS_URL", "MESHCOMMONS_TOKEN", "MESHCOMMONS_DATA_DIR"):
        env.pop(key, None)
    if url is not None:
        env["MESHCOMMONS_URL"] = url
    if token is not None:
        env["MESHCOMMONS_TOKEN"] = token
    return subprocess.run(
        [*MESHCTL, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=cwd,
        input=stdin,
    )
