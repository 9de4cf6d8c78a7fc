"""``node-agent``: the agent that runs on or beside a volunteer's router.

Collectors (babeld, olsrd, batman-adv, bmx, SNMP, probes) and reporting arrive with the
agent issue; this entry point exists so the console script is installed from the start.
"""

from __future__ import annotations

import sys

from meshctl.version import version_string


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args in (["--version"], ["-V"]):
        print(f"node-agent {version_string()}")
        return 0
    print(
        "node-agent: collectors and reporting are not part of this release yet.\n"
        "Usage: node-agent --version",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main())
