"""The service goes away and comes back: a banner, then the app reconnects by itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from tests.tui.conftest import admin_token, make_app, make_network, serve, stop, wait_for
from topology.model import NetworkModel

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


async def test_banner_while_the_service_is_down_then_reconnects(
    tmp_path: Path, sample_model: NetworkModel
) -> None:
    folder = tmp_path / "data"
    network = make_network(folder, sample_model)
    token = admin_token(network)
    thread = serve(network)
    port = thread.port
    app = make_app(thread.url, token)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.loaded and app.connected is True)
        await pilot.press("n")
        await pilot.pause()
        banner = app.screen.query_one("#banner", Static)
        assert not banner.display

        stop(thread)  # the service goes away
        await wait_for(pilot, lambda: app.connected is False, timeout=10)
        await pilot.pause(0.2)
        assert banner.display
        assert "service unreachable" in str(banner.render())
        assert len(app.state.nodes) == 35  # what we knew stays on screen

        thread = serve(make_network(folder, None), port=port)  # back, same address
        try:
            await wait_for(pilot, lambda: app.connected is True, timeout=15)
            await pilot.pause(0.3)
            assert not banner.display
            assert len(app.state.nodes) == 35
        finally:
            pass
    stop(thread)
