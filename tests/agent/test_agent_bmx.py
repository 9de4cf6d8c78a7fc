"""BMX6/BMX7: the whole-mesh JSON samples of ../shared/realdata/routing (counted by hand:
7 names, one of them a typo'd ``PP9SF...`` the data really has; 6 undirected links),
and one node's link tables (hand-written bmx6 ``json/links`` and bmx7 ``--jshow links``
captures in tests/agent/data)."""

from __future__ import annotations

from pathlib import Path

import pytest

from node_agent.collectors.base import Cycle
from node_agent.collectors.bmx import BmxCollector, etx, links_of, parse_bmx, topology_of
from node_agent.errors import ParseError, RetrievalError
from tests.agent.support import DATA

COUNTS = {"bmx6.json": (7, 6), "bmx6-1+1.json": (7, 6)}


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_counts_of_every_sample(routing: Path, name: str) -> None:
    topo = topology_of(parse_bmx((routing / name).read_text()))
    assert (len(topo["nodes"]), len(topo["links"])) == COUNTS[name]


def test_every_bmx_sample_is_covered(routing: Path) -> None:
    assert {p.name for p in routing.glob("bmx*")} == set(COUNTS)


def test_one_node_changed(routing: Path) -> None:
    a = set(topology_of(parse_bmx((routing / "bmx6.json").read_text()))["nodes"])
    b = set(topology_of(parse_bmx((routing / "bmx6-1+1.json").read_text()))["nodes"])
    assert a - b == {"P9SFDrTruetaa183-b713"} and b - a == {"P9SFDrTruetaa183-b715"}


def test_links_of_a_named_node(routing: Path) -> None:
    s = parse_bmx((routing / "bmx6.json").read_text())
    drafts = {d.link["address"]: d.link for d in links_of(s, "P9SFAlmogavers237-56ac")}
    assert set(drafts) == {"P9SFBadajoz93-6e99", "P9SFBilbao102-7df9", "P9SFCastanys31-1663"}
    assert drafts["P9SFBadajoz93-6e99"] == {"address": "P9SFBadajoz93-6e99", "rx_cost": 281.32}
    assert drafts["P9SFBilbao102-7df9"]["cost"] == round(100 / 97 * 100 / 40, 4)
    assert links_of(s, None) == []


def test_bmx6_local_links() -> None:
    s = parse_bmx((DATA / "bmx6-links.json").read_text())
    good, broken = links_of(s, None)
    assert good.link == {
        "address": "fe80::21b:21ff:fe3c:4a5d", "interface": "wlan0-adhoc", "rx_cost": 256.0,
        "tx_cost": 281.32, "cost": round(100 / 91, 4),
    }  # fmt: skip
    assert "gorham-library.0fa3c1d2e4b5a697" in good.keys
    assert "cost" not in broken.link and "tx_cost" not in broken.link


def test_bmx7_uses_rq_tq() -> None:
    (draft,) = links_of(parse_bmx((DATA / "bmx7-links.json").read_text()), None)
    assert draft.link["cost"] == round(100 / 98 * 100 / 87, 4)
    assert draft.link["interface"] == "wlan0"


def test_etx() -> None:
    assert etx(100, 100) == 1.0 and etx(50, 50) == 4.0 and etx(100, 0) is None


@pytest.mark.parametrize(
    "text", ["", "nope", "{}", '[{ "test": "test" }]', '[{"name": "a", "links": [{"name": "b"}]}]',
             '{"links": [{"rxRate": 1, "txRate": 1}]}'],
)  # fmt: skip
def test_garbage(text: str) -> None:
    with pytest.raises(ParseError):
        parse_bmx(text)


def test_collector_file(tmp_path: Path) -> None:
    c = BmxCollector({"file": str(DATA / "bmx6-links.json")})
    assert len(c.part(c.collect(Cycle())).links) == 2
    with pytest.raises(RetrievalError):
        BmxCollector({"file": str(tmp_path / "absent")}).collect(Cycle())
