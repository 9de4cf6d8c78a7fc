"""What every screen shares: the title line, the lost-connection banner, the footer, and
a throttled redraw when the network changes."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar, cast

from textual.app import ComposeResult
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static

from topology.client_models import ClientError, NotFound

if TYPE_CHECKING:
    from tui.app import MeshApp

log = logging.getLogger(__name__)
P = ParamSpec("P")
S = TypeVar("S", bound="MeshScreen")
T = TypeVar("T")
#: What malformed data from the service raises while it is drawn.
BAD_DATA = (KeyError, TypeError, ValueError, AttributeError, IndexError)


def guarded(
    draw: Callable[Concatenate[S, P], None],
) -> Callable[Concatenate[S, P], None]:
    """Draw, but turn malformed service data into a warning instead of a crash."""

    def wrapper(self: S, /, *args: P.args, **kwargs: P.kwargs) -> None:
        try:
            draw(self, *args, **kwargs)
        except BAD_DATA as exc:
            log.warning("%s: bad data: %r", type(self).__name__, exc)
            self.app.notify(f"unexpected data from the service: {exc!r}", severity="warning")

    wrapper.__doc__ = draw.__doc__
    return wrapper


#: A screen redraws from the state at most this often (events can come by hundreds), and
#: never spends more than a fifth of its time redrawing (a big network's tables), but
#: still within :data:`MAX_REDRAW_S` so that a report shows within 2 s.
MIN_REDRAW_S = 0.5
MAX_REDRAW_S = 1.5


class MeshScreen(Screen[None]):
    """A screen of the app. Subclasses compose their body in :meth:`body` and redraw in
    :meth:`redraw` (called on show and when the data changed; ``changed`` names what:
    ``all``, ``nodes``, ``links``, ``alerts``, ``conn``)."""

    TITLE_TEXT = ""
    WATCHES: frozenset[str] = frozenset({"all", "nodes", "links", "alerts"})

    def __init__(self) -> None:
        super().__init__()
        self._last_redraw = 0.0
        self._redraw_cost = 0.0
        self._pending: set[str] = set()
        self._timer: Timer | None = None

    @property
    def mesh(self) -> MeshApp:
        return cast("MeshApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static("", id="titlebar", markup=False)
        yield Static("", id="banner", markup=False)
        yield from self.body()
        yield Footer()

    def body(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.update_chrome()

    def on_screen_resume(self) -> None:
        self.update_chrome()
        self._redraw({"all"})

    def update_chrome(self) -> None:
        app = self.mesh
        title = self.query_one("#titlebar", Static)
        banner = self.query_one("#banner", Static)
        s = app.state
        who = app.who.role + (f" {app.who.name}" if app.who.name else "")
        text = f" meshcommons · {s.community or app.url} · {self.TITLE_TEXT}"
        if app.loaded:
            text += f" · {len(s.nodes):,} nodes · {len(s.links):,} links"
        title.update(f"{text} · {who}")
        if app.connected is False:
            banner.update(f" ⚠ service unreachable: {app.reason} · reconnecting…")
            banner.display = True
        elif not app.loaded:
            banner.update(" loading the network from the service…")
            banner.display = True
        else:
            banner.display = False

    def data_changed(self, changed: set[str]) -> None:
        """Called by the app after events: redraw now, or soon if we just did."""
        if "conn" in changed or "all" in changed:
            self.update_chrome()
        wanted = changed & self.WATCHES
        if not wanted:
            return
        self._pending |= wanted
        every = min(MAX_REDRAW_S, max(MIN_REDRAW_S, 5 * self._redraw_cost))
        wait = every - (time.monotonic() - self._last_redraw)
        if wait <= 0:
            self._flush()
        elif self._timer is None:
            self._timer = self.set_timer(wait, self._flush)

    def _flush(self) -> None:
        self._timer = None
        pending, self._pending = self._pending, set()
        if pending:
            self._redraw(pending)

    @guarded
    def _redraw(self, changed: set[str]) -> None:
        t0 = time.monotonic()
        if self.mesh.loaded:
            self.redraw(changed)
        self._last_redraw = time.monotonic()
        self._redraw_cost = self._last_redraw - t0

    def redraw(self, changed: set[str]) -> None:
        """Draw from ``self.mesh.state``."""

    def fetch(
        self,
        call: Callable[[], T],
        got: Callable[[T], object],
        failed: Callable[[str, bool], object],
        *,
        group: str,
    ) -> None:
        """Run the request ``call`` in a worker (one at a time per ``group``); then, on the
        app thread, ``got(answer)`` or ``failed(why, missing)``: ``missing`` when the
        service answered 404 (the feature is not configured), ``why`` the error's first
        line."""

        def work() -> None:
            try:
                answer = call()
            except NotFound as exc:
                self.app.call_from_thread(failed, first_line(exc), True)
                return
            except ClientError as exc:
                self.app.call_from_thread(failed, first_line(exc), False)
                return
            self.app.call_from_thread(got, answer)

        self.run_worker(work, thread=True, exclusive=True, group=group, exit_on_error=False)


def first_line(exc: BaseException) -> str:
    """The first line of ``exc``'s message (its type's name when it has none)."""
    text = str(exc)
    return text.splitlines()[0] if text else type(exc).__name__
