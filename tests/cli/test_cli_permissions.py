"""Who may do what, seen from the CLI: the service decides, the CLI says it in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.support import Served, meshctl

pytestmark = pytest.mark.slow  # a dozen CLI processes


def test_a_volunteer_cannot_change_another_volunteers_node(
    served: Served, tmp_path: Path
) -> None:
    # gorham-home-01 belongs to adoe; broe tries
    for argv in (
        ("node", "set-status", "gorham-home-01", "Reserved"),
        ("node", "retire", "gorham-home-01", "--yes"),
        ("link", "add", "gorham-home-01", "gorham-library", "--type", "cable"),
        ("ip", "allocate", "lan", "gorham-home-01"),
    ):
        out = meshctl(*argv, home=tmp_path, url=served.url, token=served.broe)
        assert out.returncode == 1, (argv, out.stderr)
        assert out.stderr.startswith("meshctl: 403"), argv
        assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
    with served.network.lock:
        node = served.network.graph.node("androscoggin:gorham-home-01")
    assert node.status.value == "Working"
    own = meshctl("node", "show", "gorham-home-02", "--json", home=tmp_path, url=served.url,
                  token=served.broe)
    assert json.loads(own.stdout)["node"]["owner"] == "broe"


def test_a_public_client_never_sees_contacts(served: Served, tmp_path: Path) -> None:
    listed = meshctl("node", "list", "--json", home=tmp_path, url=served.url)
    assert listed.returncode == 0, listed.stderr
    nodes = json.loads(listed.stdout)
    assert nodes and not any("contact" in n or "owner" in n for n in nodes)
    shown = meshctl("node", "show", "gorham-home-01", "--json", home=tmp_path, url=served.url)
    assert "contact" not in json.loads(shown.stdout)["node"]
    table = meshctl("node", "show", "gorham-home-01", home=tmp_path, url=served.url)
    assert "alex.doe@example.org" not in table.stdout and "contact" not in table.stdout
    # the owner does see hers
    mine = meshctl("node", "show", "gorham-home-01", home=tmp_path, url=served.url,
                   token=served.adoe)
    assert "alex.doe@example.org" in mine.stdout


def test_a_public_client_cannot_register(served: Served, tmp_path: Path) -> None:
    out = meshctl("node", "register", "--name", "Sneaky", "--zone", "gorham", "--position",
                  "44.38,-71.17", home=tmp_path, url=served.url)
    assert out.returncode == 1 and out.stderr.startswith("meshctl: 401")
