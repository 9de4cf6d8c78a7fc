"""The simulated collector from a config file: for trying a service without a router.
Its reports say they are simulated; its settings are validated like every other's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from node_agent import cli
from tests.agent.test_agent_cli import write_config

LINKS = """\
  system: false
  simulated:
    links:
      - {neighbour: "test:n2", address: "fe80::2", interface: wlan0, cost: 1.5}
      - {address: "10.0.0.3", interface: eth1}
"""


def test_check_shows_the_simulated_links(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, LINKS)
    assert cli.main(["check", "--config", str(config), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [c["name"] for c in doc["report"]["collectors"]] == ["simulated"]
    links = doc["report"]["links"]
    assert links[0]["neighbour"] == "test:n2" and links[0]["cost"] == 1.5
    assert links[1]["address"] == "10.0.0.3" and links[1]["cost"] == 1.0
    assert cli.main(["check", "--config", str(config)]) == 0
    assert "simulated" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("{address: fe80::2}", "each item needs interface"),
        ("{interface: wlan0, cost: 0.5}", "cost: 0.5 is outside 1..1000"),
        ("{interface: wlan0, colour: red}", "unknown key 'colour'"),
        ("wlan0", "each item must be a mapping"),
    ],
)
def test_bad_simulated_links_name_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], item: str, message: str
) -> None:
    config = write_config(tmp_path, f"  simulated:\n    links:\n      - {item}\n")
    assert cli.main(["check", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert f"{config}:8:" in err and "collectors.simulated.links" in err and message in err
