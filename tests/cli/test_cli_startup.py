"""Start-up stays light: --help and the service commands never import the heavy parts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.cli.support import Served

HEAVY = ("sqlalchemy", "networkx", "scipy", "numpy", "fastapi", "textual", "matplotlib")


def imported(*args: str, env: dict[str, str]) -> set[str]:
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "meshctl.cli", *args],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    return {line.split("|")[-1].strip() for line in done.stderr.splitlines() if "|" in line}


def test_help_imports_neither_httpx_nor_rich_nor_the_store(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path)}
    modules = imported("--help", env=env)
    assert not {m for m in modules if m.split(".")[0] in (*HEAVY, "httpx", "rich")}
    assert "importlib.metadata" not in modules


def test_node_list_is_a_pure_client(served: Served, tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path), "MESHCOMMONS_URL": served.url}
    modules = imported("node", "list", "--json", env=env)
    assert "httpx" in modules
    assert not {m for m in modules if m.split(".")[0] in HEAVY}
