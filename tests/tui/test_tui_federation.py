"""The TUI over federated services: Peers, the federated Map and Route, driven by Pilot
against three real services in a line on loopback (alpha - beta - gamma, as in
tests/federation), and the ``f`` toggle on a service without federation."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from textual.widgets import DataTable, Static

from tests.federation.fed_support import FedService, Line, line_model, write_registry
from tests.tui.conftest import Service, make_app, stop, wait_for
from tui.app import MeshApp
from tui.canvas import FOREIGN, OWN, STALE, Scene, draw
from tui.screens.map import NOT_FEDERATED, MapCanvas, MapScreen
from tui.screens.peers import PeersScreen
from tui.screens.route import RouteScreen

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def line(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Line]:
    """Three services in a line, peered (A and C with B, B with both) and synced. A,
    which the TUI watches, calls a peer stale after 5 s without news (not 1.5 s): a
    Pilot test takes a few seconds."""
    root = tmp_path_factory.mktemp("tui-fed")
    services = (
        FedService(root, line_model("alpha", 1, "beta"), 1, stale_after_s=5.0),
        FedService(root, line_model("beta", 2, "gamma"), 2),
        FedService(root, line_model("gamma", 3), 3),
    )
    keys = [s.prepare() for s in services]
    registry = write_registry(
        root / "registry.yaml",
        [(s.slug, k, [f"10.{s.octet}.0.0/16"]) for s, k in zip(services, keys, strict=True)],
    )
    a, b, c = services
    try:
        for s in services:
            s.start(registry)
        for service, others in ((a, [b]), (b, [a, c]), (c, [b])):
            for other in others:
                service.federation.add_peer(other.url, other.federation.fingerprint)
        fed = Line(a, b, c, registry)
        fed.poll_all()
        fed.poll_all()  # A learns gamma's feed through B
        yield fed
    finally:
        for s in services:
            if s.thread is not None:
                stop(s.thread)  # the event hub too: the TUI streamed from it
                s.thread = None


def peer_rows(screen: PeersScreen) -> dict[str, list[str]]:
    table = screen.query_one("#peers-table", DataTable)
    rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
    return {r[1]: r for r in rows}


def map_status(app: MeshApp) -> str:
    return str(app.screen.query_one("#map-status", Static).render())


def canvas_text(canvas: MapCanvas) -> str:
    assert canvas.frame is not None
    return "\n".join(line.plain for line in canvas.frame.lines)


@pytest.mark.slow
async def test_federated_map_and_route(line: Line) -> None:
    line.poll_all()  # fresh: no peer stale during the test
    app = make_app(line.a.url, line.a.admin)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.loaded)
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)
        canvas = app.screen.query_one("#map-canvas", MapCanvas)
        await wait_for(pilot, lambda: canvas.frame is not None)
        own_scene = canvas.scene
        assert own_scene is not None and own_scene.node_mark is None
        assert len(own_scene.ids) == 3 and "◇" not in canvas_text(canvas)

        await pilot.press("f")
        await wait_for(pilot, lambda: "federated" in map_status(app))
        scene = canvas.scene
        assert scene is not None and scene.node_mark is not None
        assert scene.link_border is not None and int(scene.link_border.sum()) == 2
        marks = dict(zip(scene.ids, scene.node_mark.tolist(), strict=True))
        assert len(marks) == 9
        assert {m for i, m in marks.items() if i.startswith("alpha:")} == {OWN}
        assert {m for i, m in marks.items() if not i.startswith("alpha:")} == {FOREIGN}
        drawn = canvas_text(canvas)
        assert "◇" in drawn and "◌" not in drawn  # other communities' nodes, none stale
        assert "◇ other community" in map_status(app)

        # Route across communities: the pickers offer every community's nodes
        line.poll_all()  # fresh again (a loaded machine may have taken seconds)
        await pilot.press("r")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RouteScreen)
        await pilot.press(*"alpha:n0", "enter", *"gamma:n2", "enter")
        table = screen.query_one("#route-hops", DataTable)
        await wait_for(pilot, lambda: table.row_count > 0)
        summary = str(screen.query_one("#route-summary", Static).render())
        assert "alpha > beta > gamma" in summary and "2 border crossing(s)" in summary
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        borders = [r for r in rows if r[-1]]
        assert [r[-1] for r in borders] == ["◀ border alpha > beta", "◀ border beta > gamma"]
        assert borders[0][1:3] == ["alpha:n2", "beta:n0"]
        assert app.state.fed.route is not None

        await pilot.press("escape", "M")  # on the map, in magenta
        await wait_for(pilot, lambda: isinstance(app.screen, MapScreen))
        await wait_for(pilot, lambda: bool(canvas.route))
        assert canvas.route[0] == "alpha:n0" and canvas.route[-1] == "gamma:n2"
        assert "route in magenta" in map_status(app)

        await pilot.press("f")  # back to this community only: the map as before
        await wait_for(pilot, lambda: "federated" not in map_status(app))
        assert canvas.scene is not None and canvas.scene.node_mark is None
        assert len(canvas.scene.ids) == 3 and "◇" not in canvas_text(canvas)
        await pilot.press("r")
        await pilot.pause()
        assert len(screen.query_one("#route-hops", DataTable).columns) == 8


@pytest.mark.slow
async def test_peers_show_status_revision_sync_and_staleness(line: Line) -> None:
    app = make_app(line.a.url, line.a.admin)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: app.loaded)
        await pilot.press("p")
        screen = app.screen
        assert isinstance(screen, PeersScreen)
        await wait_for(pilot, lambda: len(peer_rows(screen)) == 2)
        rows = peer_rows(screen)
        assert set(rows) == {"beta", "gamma"}
        status, _, revision, last_sync, stale_since, url = rows["beta"][:6]
        assert status == "● ok" and revision == "1" and url == line.b.url
        assert last_sync[:2] == "20" and stale_since == ""
        note = str(screen.query_one("#peers-note", Static).render())
        assert "2 peer(s)" in note

        line.b.stop()
        try:
            time.sleep(line.a.stale_after_s + 0.1)
            line.a.federation.poll_all()
            screen.load()
            await wait_for(pilot, lambda: peer_rows(screen)["beta"][0] == "◆ stale")
            beta = peer_rows(screen)["beta"]
            assert beta[4][:2] == "20"  # stale since
            assert "unreachable" in beta[-1], beta

            # the map marks the stale peer's nodes, the route through it is unavailable
            await pilot.press("m", "f")
            canvas = app.screen.query_one("#map-canvas", MapCanvas)
            await wait_for(pilot, lambda: "federated" in map_status(app))
            assert canvas.scene is not None and canvas.scene.node_mark is not None
            marks = dict(zip(canvas.scene.ids, canvas.scene.node_mark.tolist(), strict=True))
            assert {marks[f"beta:n{i}"] for i in range(3)} == {STALE}
            assert "◌" in canvas_text(canvas)
            await pilot.press("r")
            await pilot.pause()
            await pilot.press(*"alpha:n0", "enter", *"gamma:n2", "enter")
            summary = app.screen.query_one("#route-summary", Static)
            await wait_for(pilot, lambda: "unavailable" in str(summary.render()))
            assert "beta" in str(summary.render())
        finally:
            line.b.start(line.registry)
            line.poll_all()
        await pilot.press("escape", "p")
        screen.load()
        await wait_for(pilot, lambda: peer_rows(screen)["beta"][0] == "● ok")


@pytest.mark.slow
async def test_without_federation_the_toggle_says_so(service: Service) -> None:
    app = make_app(service.url, service.admin)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.loaded)
        await pilot.press("m")
        canvas = app.screen.query_one("#map-canvas", MapCanvas)
        await wait_for(pilot, lambda: canvas.frame is not None)
        scene, drawn = canvas.scene, canvas_text(canvas)
        await pilot.press("f")
        await wait_for(pilot, lambda: NOT_FEDERATED in map_status(app))
        assert canvas.scene is scene and canvas_text(canvas) == drawn
        assert not app.state.fed.on

        await pilot.press("r")
        await pilot.pause()
        summary = app.screen.query_one("#route-summary", Static)
        before = str(summary.render())
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: any(n.message for n in notes(app)))
        assert [n.message for n in notes(app)] == ["federation is not configured on this service"]
        assert str(summary.render()) == before and not app.state.fed.on


def notes(app: MeshApp) -> list[Any]:
    return list(app._notifications)


def test_the_federated_canvas_reads_without_colour() -> None:
    """Other communities' nodes are glyphs (◌ for a stale peer's), border links dashed,
    own nodes and links braille as ever; a scene without marks draws as before."""
    nodes = [("a:x", 0.0, 0.0), ("b:y", 0.01, 0.03), ("c:z", 0.0, 0.03)]
    links = [("a:x", "b:y", "good"), ("a:x", "c:z", "good")]
    plain = Scene.build(nodes, links)
    fed = Scene.build(nodes, links, marks=[OWN, FOREIGN, STALE], borders=[True, False])
    view = plain.fit(aspect=2.0)

    def text(scene: Scene) -> str:
        return "\n".join(li.plain for li in draw(scene, view, 40, 10, labels=False).lines)

    drawn = text(fed)
    assert drawn.count("◇") == 1 and drawn.count("◌") == 1
    solid = text(Scene.build(nodes, links, marks=[OWN] * 3, borders=[False, False]))
    assert solid == text(plain)  # unmarked: the same drawing
    assert sum(c != " " for c in drawn) < sum(c != " " for c in solid)  # dashed: gaps
