"""``meshctl login``: the saved file (mode 600), and what overrides it."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from tests.cli.support import Served, meshctl


def test_login_saves_url_and_token_readable_by_the_owner_only(
    served: Served, tmp_path: Path
) -> None:
    token_file = tmp_path / "admin-token"
    token_file.write_text(served.admin + "\n")
    out = meshctl("login", served.url, "--token-file", str(token_file), home=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "Androscoggin Valley Mesh" in out.stdout and served.admin not in out.stdout
    saved = tmp_path / "meshcommons" / "meshctl.json"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert stat.S_IMODE(saved.parent.stat().st_mode) == 0o700
    assert json.loads(saved.read_text()) == {"url": served.url, "token": served.admin}
    # the other commands use it: an admin sees tokens
    listed = meshctl("token", "list", "--json", home=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert {t["role"] for t in json.loads(listed.stdout)} >= {"admin", "volunteer"}


def test_flags_and_environment_override_the_saved_login(served: Served, tmp_path: Path) -> None:
    assert meshctl("login", served.url, "--token", served.adoe, home=tmp_path).returncode == 0
    # saved: the volunteer adoe sees only her own tokens (none)
    mine = meshctl("token", "list", "--json", home=tmp_path)
    assert json.loads(mine.stdout) == []
    # the environment wins over the file ...
    env = meshctl("token", "list", "--json", home=tmp_path, token=served.admin)
    assert len(json.loads(env.stdout)) >= 4
    # ... and a flag over both: a dead URL answers exit 3
    dead = meshctl("node", "list", "--url", "http://127.0.0.1:1", home=tmp_path)
    assert dead.returncode == 3 and "Traceback" not in dead.stderr
    assert len(dead.stderr.strip().splitlines()) == 1


def test_login_refuses_a_bad_token_and_saves_nothing(served: Served, tmp_path: Path) -> None:
    out = meshctl("login", served.url, "--token", "mc_000000000000_nope", home=tmp_path)
    assert out.returncode == 1
    assert out.stderr.startswith("meshctl: 401") and len(out.stderr.splitlines()) == 1
    assert not (tmp_path / "meshcommons" / "meshctl.json").exists()


def test_unreachable_service_exits_3(tmp_path: Path) -> None:
    out = meshctl("login", "http://127.0.0.1:1", "--public", home=tmp_path)
    assert out.returncode == 3, out.stderr
    assert "Traceback" not in out.stderr


def test_no_service_configured_is_a_usage_error(tmp_path: Path) -> None:
    out = meshctl("node", "list", home=tmp_path)
    assert out.returncode == 2
    assert "meshctl login" in out.stderr


def test_logout_forgets(served: Served, tmp_path: Path) -> None:
    assert meshctl("login", served.url, "--public", home=tmp_path).returncode == 0
    assert meshctl("logout", home=tmp_path).returncode == 0
    assert meshctl("node", "list", home=tmp_path).returncode == 2
