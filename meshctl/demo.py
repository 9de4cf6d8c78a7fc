"""``meshctl demo``: the sample network live, reported by node-agents on a simulated source.

1. Load ``inventories/sample`` into a fresh embedded store (a temporary directory unless
   ``--data-dir``) and allocate every missing address.
2. Make the bootstrap admin token as ``meshctl serve`` does (``<data dir>/admin-token``),
   then start the real HTTP service on ``127.0.0.1`` (a free port; uvicorn in a
   background thread, :class:`topology.sim.service.DemoService`).
3. As admin, over HTTP: pick the story (a route between the two farthest nodes, a link
   on it that will degrade, a node that will lose power), then per Working node create an
   agent token and an agent folder (``<data dir>/agents/<node>/agent.yaml``) and start
   the real ``node-agent`` loop (:mod:`topology.sim.fleet`) with a simulated collector:
   no real router is involved, and every report says ``collectors: [{"name":
   "simulated"}]``.
4. In a terminal: the stewards' TUI (:mod:`tui.app`) on the demo network until it is
   quit. Headless (no terminal, or ``--headless``): run ``--seconds`` (default 20), then
   print what happened. Either way a summary of what happened follows.
5. Stop cleanly: agents, event reader, service (graceful), then the temporary directory.
"""

from __future__ import annotations

import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from pathlib import Path

from rich.console import Console

from meshctl import render
from meshctl.commands import display
from meshctl.demo_events import EventFeed
from topology.client import ClientError, MeshClient
from topology.client_models import LinkInfo, PathInfo
from topology.presentation import measured_cost as link_cost
from topology.sim import Fleet, FleetOptions
from topology.sim.service import DemoService


def say(console: Console, text: str) -> None:
    """A line of text, never hard-wrapped (so logs and pipes keep one line per fact)."""
    console.print(text, soft_wrap=True)


SAMPLE = Path(__file__).resolve().parent.parent / "inventories" / "sample"
HEADLESS_SECONDS = 20.0


@dataclass
class DemoResult:
    """What a run did, for the summary (and for tests that call :func:`run_demo`)."""

    url: str = ""
    seconds: float = 0.0
    agents: int = 0
    sent: int = 0
    accepted: int = 0
    duplicate: int = 0
    failed: int = 0
    links_before: dict[str, LinkInfo] = field(default_factory=dict)
    interrupted: bool = False


def _prepare(where: Path, inventory: Path, console: Console, headless: bool) -> str:
    """Import the inventory (replacing what the store held), allocate addresses and
    return an admin token: the bootstrap one ``meshctl serve`` would write to
    ``<data dir>/admin-token`` (made now if the store has no admin yet)."""
    from meshctl.serve import ADMIN_TOKEN_FILE, bootstrap_admin_token
    from topology.auth import AccessRole
    from topology.inventory import load_inventory
    from topology.network import CommunityNetwork, utc_now
    from topology.store import open_store
    from topology.store.tokens import TokenStore

    t0 = time.perf_counter()
    model = load_inventory(inventory)
    net = CommunityNetwork(open_store(where))
    try:
        net.import_model(model, replace_existing=True)
        got = net.assign_missing_addresses()
        console.rule("[bold]meshcommons demo: the sample network, live")
        say(
            console,
            f"Loaded {inventory} into {where} in {time.perf_counter() - t0:.2f} s "
            f"(embedded {net.store.backend}); allocated {len(got.node_prefixes)} node "
            f"prefixes and {len(got.link_prefixes)} link prefixes.",
        )
        if headless:
            render.summary(console, net)
            console.rule("[bold]Address plan")
            render.address_plan(console, net, net.allocations())
        tokens = TokenStore(net.store.engine)
        bootstrap_admin_token(tokens, where)
        file = where / ADMIN_TOKEN_FILE
        secret = file.read_text().strip() if file.exists() else ""
        if not secret or tokens.authenticate(secret) is None:  # a kept store, file gone
            secret = tokens.create(AccessRole.ADMIN, "demo", now=utc_now(), note="meshctl demo")[1]
    finally:
        net.close()
    return secret


def _start_service(where: Path, interval: float) -> DemoService:
    """The real service over the store in ``where``, tuned for a short report interval."""
    from topology.network import CommunityNetwork
    from topology.store import open_store

    net = CommunityNetwork(open_store(where))
    try:
        return DemoService(net, interval=interval).start()
    except BaseException:
        net.close()
        raise


@contextmanager
def _no_sigint() -> Iterator[None]:
    """Shutting down: a second Ctrl-C must not interrupt the cleanup half way."""
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        yield
    finally:
        if main and previous is not None:
            signal.signal(signal.SIGINT, previous)


def run_demo(
    data_dir: Path | None = None,
    headless: bool = True,
    inventory: Path = SAMPLE,
    *,
    seconds: float | None = None,
    interval: float = 2.0,
    seed: int = 1,
    console: Console | None = None,
) -> DemoResult:
    """Run the live demo; see the module docstring. ``seconds``: how long (headless
    default 20 s; in a terminal, until Ctrl-C unless given)."""
    if console is None:
        console = Console(
            force_terminal=False if headless else None,
            width=120 if headless else None,
            emoji=False,
        )
    if headless and seconds is None:
        seconds = HEADLESS_SECONDS
    result = DemoResult()
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt) if main else None
    try:
        with tempfile.TemporaryDirectory(
            prefix="meshcommons-demo-", ignore_cleanup_errors=True
        ) as tmp:
            where = data_dir or Path(tmp) / "data"
            secret = _prepare(where, inventory, console, headless)
            service = _start_service(where, interval)
            try:
                demo = _Demo(console, service, secret, result, where / "agents")
                demo.run(headless, seconds, interval, seed)
            finally:
                with _no_sigint():
                    service.stop()
    except KeyboardInterrupt:  # before the agents started: nothing to summarise
        result.interrupted = True
        say(console, "\nInterrupted.")
    finally:
        if main and previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return result


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM stops the demo as Ctrl-C does: cleanly."""
    raise KeyboardInterrupt


class _Demo:
    """The part of a run with the service up: agents, event feed, view, summary."""

    def __init__(
        self,
        console: Console,
        service: DemoService,
        secret: str,
        result: DemoResult,
        agents_dir: Path,
    ) -> None:
        self.console, self.service, self.result = console, service, result
        self.secret, self.agents_dir = secret, agents_dir

    def run(self, headless: bool, seconds: float | None, interval: float, seed: int) -> None:
        console, result, url = self.console, self.result, self.service.url
        result.url = url
        fleet: Fleet | None = None
        feed = EventFeed(url)
        admin = MeshClient(url, self.secret)
        try:
            feed.start()
            fleet = Fleet.enrol(
                url, admin, FleetOptions(interval, seed, seconds), self.agents_dir
            )
            result.agents = len(fleet.agents)
            result.links_before = {lk["id"]: lk for lk in admin.all_links()}
            say(
                console,
                f"Service on {url}; {len(fleet.agents)} node-agents (simulated collector: "
                f"no real routers) report every {interval:g} s with their own agent tokens; "
                f"their configs are in {self.agents_dir}.",
            )
            fleet.start()
            try:
                if headless:
                    _wait(console, fleet, seconds or HEADLESS_SECONDS)
                else:
                    _watch_in_tui(url, self.secret, seconds)
            except KeyboardInterrupt:
                result.interrupted = True
                say(console, "\nStopping ...")
            with _no_sigint():
                result.seconds = fleet.clock()
                fleet.stop()
                s = fleet.stats
                result.sent, result.accepted = s.sent, s.accepted
                result.duplicate, result.failed = s.duplicate, s.failed
                time.sleep(0.3)  # let the last events reach the feed
                print_summary(console, admin, fleet, feed, result.links_before, result.seconds)
        finally:
            with _no_sigint():
                if fleet is not None and not fleet.stopped:
                    fleet.stop()
                feed.stop()
                admin.close()


def _watch_in_tui(url: str, token: str, seconds: float | None) -> None:
    """The stewards' TUI on the demo network, as admin, until the user quits (or
    ``seconds`` pass)."""
    from tui.app import MeshApp

    app = MeshApp(url, token)
    timer = None
    if seconds is not None:
        timer = threading.Timer(seconds, lambda: app.call_from_thread(app.exit))
        timer.daemon = True
        timer.start()
    try:
        app.run()
    finally:
        if timer is not None:
            timer.cancel()


def _wait(console: Console, fleet: Fleet, seconds: float) -> None:
    """Headless: let the agents run for ``seconds``, with a line every 5 s."""
    deadline = time.monotonic() + seconds
    next_line = time.monotonic() + 5.0
    while (left := deadline - time.monotonic()) > 0:
        time.sleep(min(left, 0.25))
        if time.monotonic() >= next_line:
            s = fleet.stats
            say(
                console,
                f"  {fleet.clock():5.1f} s: {s.accepted} reports accepted, {s.failed} failed",
            )
            next_line += 5.0


# --------------------------------------------------------------------------- summary


def _metrics_text(link: LinkInfo | None) -> str:
    if link is None:
        return "unknown"
    m = link.get("metrics") or {}
    cost, sig = link_cost(link), m.get("signal_dbm")
    return (
        f"cost {cost:.2f}" + (f", signal {sig:g} dBm" if sig is not None else "")
        if cost
        else ("not measured")
    )


def _last_loss(api: MeshClient, link_id: str) -> float | None:
    try:
        points = api.link_metrics(link_id).get("points", [])
    except ClientError:
        return None
    losses = [p["loss"] for p in points if isinstance(p.get("loss"), int | float)]
    return float(losses[-1]) if losses else None


def _longest_silence(api: MeshClient, node_id: str) -> float | None:
    """The longest gap between two reports the service stored for ``node_id`` (s)."""
    try:
        points = api.node_metrics(node_id).get("points", [])
    except ClientError:
        return None
    times = sorted(datetime.fromisoformat(str(p["t"])) for p in points if p.get("t"))
    gaps = [(b - a).total_seconds() for a, b in pairwise(times)]
    return max(gaps) if gaps else None


def _alert_lines(api: MeshClient, subject: str) -> str:
    try:
        found = api.alerts(subject=subject)
    except ClientError:
        return "alerts unavailable"
    if not found:
        return "no alert"
    parts = []
    for a in reversed(found):  # oldest first
        state = "active" if a.get("active") else "raised and cleared"
        parts.append(f"{a.get('kind')} {state}")
    return "; ".join(parts)


def _route(console: Console, title: str, path: PathInfo | None, names: dict[str, str]) -> None:
    say(console, f"[bold]{title}[/]")
    if path is None:
        say(console, "  no route")
        return
    display.route(console, path, names)


def print_summary(
    console: Console,
    api: MeshClient,
    fleet: Fleet,
    feed: EventFeed,
    before: dict[str, LinkInfo],
    seconds: float,
) -> None:
    """What the run did, as the service saw it (everything below comes over HTTP)."""
    s, sc, names = fleet.stats, fleet.scenario, fleet.names
    console.rule(f"[bold]What happened in {seconds:.0f} s (simulated collector)")
    say(
        console,
        f"Reports: {s.sent} sent, {s.accepted} accepted, {s.duplicate} duplicate "
        f"(replayed from a spool after a lost acknowledgement), {s.failed} failed"
        + (f" ({dict(s.errors)})" if s.errors else ""),
    )
    after = {lk["id"]: lk for lk in api.all_links()}
    moved = [i for i, lk in after.items() if i in before and link_cost(lk) != link_cost(before[i])]
    say(
        console,
        f"Links changed: {len(moved)} of {len(after)} links have a new measured cost; "
        f"{feed.counts['link.metrics']} link metric events, "
        f"{len(feed.links_changed)} links in the event stream",
    )
    say(
        console,
        f"Alerts: {len(feed.raised)} raised, {len(feed.cleared)} cleared "
        f"(event stream: {feed.total} events)",
    )
    for item in feed.raised[:8]:
        say(console, f"  {item.at} raised  {item.text}")
    for item in feed.cleared[:8]:
        say(console, f"  {item.at} cleared {item.text}")
    if sc.degrade_link:
        lk_id = sc.degrade_link
        lk = after.get(lk_id)
        ends = f"{names.get(lk['a'], lk['a'])} – {names.get(lk['b'], lk['b'])}" if lk else "?"
        loss = _last_loss(api, lk_id)
        say(
            console,
            f"Degraded link: {lk_id} ({ends}): {_metrics_text(before.get(lk_id))} → "
            f"{_metrics_text(lk)}"
            + (f", loss {loss:.0%}" if loss is not None else "")
            + f"; {_alert_lines(api, lk_id)}",
        )
    if sc.offline_node:
        who = f"{names.get(sc.offline_node, sc.offline_node)} ({sc.offline_node})"
        back = sc.offline_node in fleet.rebooted()
        came = (
            f"came back online at {sc.back_online_at():.1f} s (rebooted: uptime and counters "
            "restarted)"
            if back
            else "had not come back when the demo stopped"
        )
        gap = _longest_silence(api, sc.offline_node)
        seen = f"the service heard nothing from it for {gap:.1f} s" if gap else "no reports seen"
        say(
            console,
            f"Offline node: {who} went offline at {sc.offline_at:.1f} s (power cut) and "
            f"{came}; {seen}; {_alert_lines(api, sc.offline_node)}",
        )
    cast = fleet.cast
    if cast.route_source and cast.route_target:
        console.rule("[bold]Route between the two farthest nodes, before and after")
        _route(console, "Before (inventory costs):", cast.route_before, names)
        try:
            now: PathInfo | None = api.route(cast.route_source, cast.route_target)
        except ClientError:
            now = None
        _route(console, "After (measured by the node-agents):", now, names)


__all__ = ["SAMPLE", "DemoResult", "print_summary", "run_demo"]
