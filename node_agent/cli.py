"""``node-agent``: the agent that runs on or beside a volunteer's router.

    node-agent --version
    node-agent check --config /etc/node-agent/agent.yaml [--json]
    node-agent run   --config /etc/node-agent/agent.yaml [--once] [-v]

``check`` runs every collector once and prints what each sees (exit status 1 when one
fails, 2 for a bad configuration); ``run`` reports on the configured interval until
SIGTERM or SIGINT. argparse, not click: the agent stays small.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from types import FrameType

from meshctl.version import version_string
from node_agent.errors import AgentError, ConfigError
from node_agent.lean import hide_pysmi

DEFAULT_CONFIG = "/etc/node-agent/agent.yaml"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="node-agent", description="meshcommons node agent")
    p.add_argument("-V", "--version", action="store_true", help="print the version and exit")
    sub = p.add_subparsers(dest="command")
    check = sub.add_parser("check", help="run every collector once and show what it sees")
    check.add_argument("--config", "-c", default=DEFAULT_CONFIG)
    check.add_argument("--json", action="store_true", help="one JSON document")
    run = sub.add_parser("run", help="report on the configured interval until stopped")
    run.add_argument("--config", "-c", default=DEFAULT_CONFIG)
    run.add_argument("--once", action="store_true", help="one cycle, then exit")
    run.add_argument("--verbose", "-v", action="store_true", help="log every report")
    return p


def _run(config_path: str, once: bool, verbose: bool) -> int:
    from node_agent.config import load_config
    from node_agent.loop import Agent

    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="node-agent: %(levelname)s: %(message)s",
        stream=sys.stderr,
    )
    config = load_config(config_path)
    agent = Agent(config, user_agent=f"node-agent/{version_string()}")
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        if once:
            outcome = agent.run_once()
            failed = [s["name"] for s in outcome.collected.statuses if not s["ok"]]
            print(
                f"report {outcome.seq}: {len(outcome.body.get('links', []))} links, "
                f"{outcome.delivered} delivered, {len(agent.spool)} spooled"
                + (f"; failed collectors: {', '.join(failed)}" if failed else "")
            )
        else:
            agent.run(stop)
    finally:
        agent.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    if args.version:
        print(f"node-agent {version_string()}")
        return 0
    if args.command is None:
        _parser().print_usage(sys.stderr)
        return 2
    hide_pysmi()
    try:
        if args.command == "check":
            from node_agent.check import render
            from node_agent.config import load_config

            text, ok = render(load_config(args.config), args.json)
            print(text)
            return 0 if ok else 1
        return _run(args.config, args.once, args.verbose)
    except ConfigError as e:
        print(f"node-agent: invalid configuration:\n{e}", file=sys.stderr)
        return 2
    except AgentError as e:
        print(f"node-agent: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
