"""Snapshots (pytest-textual-snapshot) of Overview, Nodes, Node detail, Map and Route at
80x24 and 160x48, on the sample network as loaded (no reports: nothing moves).

Regenerate after an intended change of the look:
``.venv/bin/pytest tests/tui/test_tui_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from tests.tui.conftest import admin_token, make_app, make_network, serve, stop, wait_for
from topology.model import NetworkModel
from tui.screens.node_detail import NodeDetailScreen

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]
Before = Callable[[Pilot[Any]], Awaitable[None]]


@pytest.fixture(scope="module")
def quiet(
    tmp_path_factory: pytest.TempPathFactory, sample_model: NetworkModel
) -> Iterator[tuple[str, str]]:
    folder: Path = tmp_path_factory.mktemp("tui-snap") / "data"
    network = make_network(folder, sample_model)
    token = admin_token(network)
    thread = serve(network, quiet=True)
    yield thread.url, token
    stop(thread)


async def loaded(pilot: Pilot[Any]) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: getattr(app, "loaded", False) and app.connected is True)
    await pilot.pause(0.3)


def keys(*pressed: str) -> Before:
    async def run(pilot: Pilot[Any]) -> None:
        await loaded(pilot)
        await pilot.press(*pressed)
        await pilot.pause(0.3)

    return run


async def node_detail(pilot: Pilot[Any]) -> None:
    await loaded(pilot)
    app = pilot.app
    app.open_node("androscoggin:gorham-town-hall")  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: isinstance(app.screen, NodeDetailScreen))
    screen = app.screen
    assert isinstance(screen, NodeDetailScreen)
    await wait_for(pilot, lambda: screen.details is not None)
    await pilot.pause(0.3)


async def route(pilot: Pilot[Any]) -> None:
    await loaded(pilot)
    await pilot.press("r")
    await pilot.pause()
    await pilot.press(*"exchange", "enter", *"berlin-library", "enter")
    table = pilot.app.screen.query_one("#route-hops", DataTable)
    await wait_for(pilot, lambda: table.row_count > 0)
    await pilot.press("escape")
    await pilot.pause(0.3)


SCREENS: dict[str, Before] = {
    "overview": keys(),
    "nodes": keys("n"),
    "node_detail": node_detail,
    "map": keys("m"),
    "route": route,
}


@pytest.mark.slow
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("screen", list(SCREENS))
def test_snapshot(
    snap_compare: Any, quiet: tuple[str, str], screen: str, size: tuple[int, int]
) -> None:
    url, token = quiet
    app = make_app(url, token)
    assert snap_compare(app, terminal_size=size, run_before=SCREENS[screen])
