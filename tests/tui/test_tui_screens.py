"""The TUI driven by Pilot against the real service on loopback (sample network)."""

from __future__ import annotations

import time

import httpx
import pytest
from textual.widgets import DataTable, Sparkline, Static

from tests.tui.conftest import Service, make_app, post_report, wait_for
from tui.screens.alerts import AlertsScreen
from tui.screens.links import LinksScreen
from tui.screens.map import MapCanvas, MapScreen
from tui.screens.node_detail import NodeDetailScreen
from tui.screens.nodes import NodesScreen
from tui.screens.overview import OverviewScreen
from tui.screens.route import RouteScreen
from tui.screens.whatif import WhatIfScreen
from tui.vtable import VirtualTable

pytestmark = pytest.mark.anyio

HOME1 = "androscoggin:gorham-home-01"
HALL = "androscoggin:gorham-town-hall"
HALL_HOME1 = "androscoggin:gorham-town-hall--gorham-home-01"


def cells(table: DataTable[object] | VirtualTable[object], column: int) -> list[str]:
    if isinstance(table, VirtualTable):
        return table.column_texts(column)
    return [str(table.get_row_at(i)[column]) for i in range(table.row_count)]


@pytest.mark.slow
async def test_every_screen_opens_by_key(service: Service) -> None:
    app = make_app(service.url, service.admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.loaded)
        assert isinstance(app.screen, OverviewScreen)
        expected = {"n": NodesScreen, "l": LinksScreen, "m": MapScreen, "a": AlertsScreen,
                    "r": RouteScreen}  # fmt: skip
        for key, screen in expected.items():
            await pilot.press("escape", key)
            await pilot.pause()
            assert isinstance(app.screen, screen), key
        await pilot.press("escape", "w")
        assert isinstance(app.screen, WhatIfScreen)
        await pilot.press("escape", "question_mark")
        await pilot.pause()
        assert app.screen.query("HelpPanel")
        await pilot.press("t")
        assert app.theme == "textual-light"
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Screen: Map", "Screen: Peers", "Theme"} <= titles  # the command palette
        assert app.who.role == "admin"


@pytest.mark.slow
async def test_nodes_filter_sort_and_open_detail(service: Service) -> None:
    app = make_app(service.url, service.admin)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.loaded)
        await pilot.press("n")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, NodesScreen)
        table = screen.query_one("#nodes-table", VirtualTable)
        assert table.row_count == 35
        await pilot.press("slash", *"zone:berlin")
        await pilot.pause()
        zones = cells(table, 3)
        assert zones and set(zones) == {"berlin"}
        await pilot.press("ctrl+a", "ctrl+k", *"status:planned")  # clear, then a status
        await pilot.pause()
        assert {s.split()[-1] for s in cells(table, 0)} == {"Planned"}
        assert all(s.startswith("○") for s in cells(table, 0))  # symbol, not only colour
        await pilot.press("ctrl+a", "ctrl+k", "enter")  # no filter; back to the table
        await pilot.pause()
        assert table.row_count == 35
        names = cells(table, 1)
        assert names == sorted(names, key=str.lower)
        await pilot.press("s")  # next column: id
        await pilot.pause()
        ids = cells(table, 2)
        assert screen.sort == "id" and ids == sorted(ids)
        await pilot.press("S")
        await pilot.pause()
        assert cells(table, 2) == sorted(ids, reverse=True)
        await pilot.press("slash", *"exchange", "enter")  # Home on Exchange Street
        await pilot.pause()
        assert cells(table, 2) == ["gorham-home-01"]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, NodeDetailScreen))
        detail = app.screen
        assert isinstance(detail, NodeDetailScreen) and detail.node_id == HOME1
        neigh = detail.query_one("#nd-neigh", DataTable)
        await wait_for(pilot, lambda: detail.details is not None)
        assert "gorham-town-hall" in cells(neigh, 0)
        route = str(detail.query_one("#nd-route", Static).render())
        assert "gorham-home-01 → gorham-town-hall" in route
        await pilot.press("escape")
        assert isinstance(app.screen, NodesScreen)


@pytest.mark.slow
async def test_route_query_shows_hops_and_bottleneck(service: Service) -> None:
    app = make_app(service.url)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.loaded)
        await pilot.press("r")
        await pilot.pause()
        await pilot.press(*"exchange", "enter")  # fuzzy: Home on Exchange Street
        await pilot.press(*"berlin-library", "enter")
        screen = app.screen
        assert isinstance(screen, RouteScreen)
        table = screen.query_one("#route-hops", DataTable)
        await wait_for(pilot, lambda: table.row_count > 0)
        assert cells(table, 1)[0] == "gorham-home-01"
        assert cells(table, 2)[-1] == "berlin-library"
        assert sum("bottleneck" in c for c in cells(table, 7)) == 1
        summary = str(screen.query_one("#route-summary", Static).render())
        assert "bottleneck" in summary and f"{table.row_count} hops" in summary
        assert app.route_path is not None
        await pilot.press("escape", "m")  # the route, highlighted on the map
        await pilot.pause(0.2)
        canvas = app.screen.query_one(MapCanvas)
        assert canvas.route[0] == HOME1 and canvas.route[-1].endswith("berlin-library")


async def test_whatif_shows_who_loses_reach(service: Service) -> None:
    app = make_app(service.url)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.loaded)
        await pilot.press("w")
        await pilot.pause()
        await pilot.press(*"gorham-town-hall", "enter")
        screen = app.screen
        assert isinstance(screen, WhatIfScreen)
        summary = screen.query_one("#wi-summary", Static)
        await wait_for(pilot, lambda: "without node" in str(summary.render()))
        reach = screen.query_one("#wi-reach", DataTable)
        assert "gorham-home-01" in cells(reach, 0)  # its only link is to the town hall
        assert "lose reach" in str(summary.render())


async def test_a_report_reaches_the_screens_within_two_seconds(service: Service) -> None:
    app = make_app(service.url)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: app.loaded and app.connected is True)
        await pilot.press("l")
        await pilot.pause(0.3)
        table = app.screen.query_one("#links-table", VirtualTable)
        t0 = time.monotonic()
        link = {"neighbour": HALL, "cost": 7.5, "signal_dbm": -83, "rate_mbps": 6}
        post_report(service.url, service.admin, HOME1, 1, [link])
        await wait_for(pilot, lambda: "7.50" in cells(table, 1), timeout=2.0)
        assert time.monotonic() - t0 < 2.0
        assert cells(table, 10)[0] == "gorham-town-hall--gorham-home-01"  # worst first
        assert table.cell_text(0, 0) == "■ poor"


async def test_public_token_is_refused_management(service: Service) -> None:
    app = make_app(service.url)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.loaded)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("enter")  # first status in the list
        await pilot.pause()
        notes = [n.message for n in app._notifications]
        assert any("refused, no token" in m for m in notes), notes


async def test_admin_approves_a_registration(service: Service) -> None:
    app = make_app(service.url, service.admin)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.loaded and app.connected is True)
        app.open_node("androscoggin:berlin-home-10")  # Planned: a volunteer's registration
        await pilot.pause()
        await pilot.press("y")  # approve: Planned -> Building
        await wait_for(
            pilot, lambda: app.state.nodes["androscoggin:berlin-home-10"]["status"] == "Building"
        )


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_map_pans_zooms_and_opens_a_node(service: Service, size: tuple[int, int]) -> None:
    app = make_app(service.url)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: app.loaded)
        await pilot.press("m")
        await pilot.pause(0.2)
        canvas = app.screen.query_one(MapCanvas)
        assert canvas.frame is not None and canvas.frame.nodes_shown == 35
        before = canvas.view
        await pilot.press("plus", "plus", "left", "up")
        await pilot.pause(0.1)
        assert canvas.view is not None and before is not None
        assert canvas.view.span_lon < before.span_lon and canvas.view.lon < before.lon
        await pilot.press("0", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, NodeDetailScreen))


async def test_alert_arrives_live_and_is_acknowledged(service: Service) -> None:
    app = make_app(service.url, service.admin)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: app.loaded and app.connected is True)
        await pilot.press("a")
        link = {"neighbour": "androscoggin:gorham-library", "cost": 1.2}
        post_report(service.url, service.admin, "androscoggin:gorham-home-03", 1, [link])
        # It reports once, then falls silent: node.down after 3 missed 1 s intervals.
        await wait_for(pilot, lambda: any(a.get("active") for a in app.state.alerts), 20)
        await pilot.pause(0.6)
        table = app.screen.query_one("#alerts-table", DataTable)
        assert "● active" in cells(table, 4)
        first = app.state.alerts[0]
        await pilot.press("k")
        await wait_for(
            pilot,
            lambda: any(a["id"] == first["id"] and a.get("acknowledged_at")
                        for a in app.state.alerts),
        )  # fmt: skip
        await pilot.press("enter")  # jump to the node (or a link's first end)
        await wait_for(pilot, lambda: isinstance(app.screen, NodeDetailScreen))


async def test_peers_screen_answers_without_federation(service: Service) -> None:
    app = make_app(service.url)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.loaded)
        await pilot.press("p")
        note = app.screen.query_one("#peers-note", Static)
        await wait_for(pilot, lambda: "asking" not in str(note.render()))
        text = str(note.render())
        assert "federation is not configured" in text or "peer" in text, text


async def test_node_detail_charts_the_history(service: Service) -> None:
    for seq, (cost, rx) in enumerate([(1.3, 1000), (2.5, 5000), (1.8, 9000)], start=100):
        link = {"neighbour": HALL, "cost": cost, "signal_dbm": -60, "rtt_ms": 3.5, "loss": 0.1}
        iface = {"name": "wlan0", "rx_bytes": rx, "tx_bytes": rx}
        post_report(service.url, service.admin, HOME1, seq, [link], interfaces=[iface])
        time.sleep(0.05)  # distinct report times: one history sample each
    app = make_app(service.url)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.loaded)
        app.open_node(HOME1)
        await wait_for(pilot, lambda: isinstance(app.screen, NodeDetailScreen))
        screen = app.screen
        assert isinstance(screen, NodeDetailScreen)
        await wait_for(pilot, lambda: screen.details is not None)
        await pilot.pause(0.2)
        cost = screen.query_one("#nd-cost", Sparkline)
        assert list(cost.data or [])[-3:] == [1.3, 2.5, 1.8]
        assert list(screen.query_one("#nd-traffic", Sparkline).data or [])[-2:] == [8000, 8000]
        neigh = screen.query_one("#nd-neigh", DataTable)
        assert cells(neigh, 4) == ["3.5"] and cells(neigh, 5) == ["10%"]  # RTT, loss


async def test_bad_data_from_the_service_is_a_warning_not_a_crash(service: Service) -> None:
    app = make_app(service.url)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.loaded)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, RouteScreen))
        screen = app.screen
        assert isinstance(screen, RouteScreen)
        screen.show({"hops": [{"cost": "lots"}], "total_cost": None})  # type: ignore[typeddict-item]
        await wait_for(
            pilot, lambda: any("unexpected data" in n.message for n in app._notifications)
        )
        app.state.nodes["androscoggin:gorham-home-01"]["position"] = {"lat": "x"}  # type: ignore[typeddict-item]
        app.state.nodes_version += 1
        await pilot.press("escape", "m", "n", "o")  # every screen redraws from that state
        await pilot.pause(0.2)
        assert app.is_running


async def test_a_stewards_refusal_is_shown(service: Service) -> None:
    made = httpx.post(
        f"{service.url}/api/v1/tokens",
        json={"role": "steward", "name": "sg", "zones": ["gorham"]},
        headers={"Authorization": f"Bearer {service.admin}"},
        timeout=10,
    )
    assert made.status_code == 201, made.text
    app = make_app(service.url, made.json()["token"])
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.loaded and app.who.role == "steward")
        app.open_node("androscoggin:berlin-city-hall")  # not in the steward's zone
        await pilot.pause()
        await pilot.press("x", "y")  # retire? yes
        await wait_for(
            pilot, lambda: any("refused by the service" in n.message for n in app._notifications)
        )
        assert app.state.nodes["androscoggin:berlin-city-hall"]["status"] == "Working"


async def test_admin_adds_a_link_with_its_address(service: Service) -> None:
    app = make_app(service.url, service.admin)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.loaded and app.connected is True)
        app.open_node("androscoggin:gorham-home-08")
        await pilot.pause()
        await pilot.press("L")
        await pilot.pause()
        await pilot.press(*"gorham-fire", "enter", "enter")  # other end, then type (wds)

        def linked() -> bool:
            ends = {"androscoggin:gorham-home-08", "androscoggin:gorham-fire-station"}
            return any({lk.get("a"), lk.get("b")} == ends for lk in app.state.links.values())

        await wait_for(pilot, linked)
        await wait_for(pilot, lambda: any("done" in n.message for n in app._notifications))
        new = next(i for i, lk in app.state.links.items() if lk.get("a", "").endswith("home-08"))
        held = app.state.addresses
        await wait_for(pilot, lambda: any(p.endswith("/30") for p in held.get(new, [])))
