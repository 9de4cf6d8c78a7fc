"""Benchmark of the address manager: allocation cost must not grow with allocations.

Makes 100,000 /27 allocations in one /8 pool and compares the time of the first
1,000 with the last 1,000 (ratio about 1 = flat cost; each window is the best of
REPEAT tries), then times whois on the full pool. A second run allocates through a zone
that borrows growing blocks (/24 ... /20).

Run from the repo root: ``.venv/bin/python bench/ipam.py [--json]``.
"""

from __future__ import annotations

import gc
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import best_of, parser, report, timed
from topology.ipam import AddressManager, format_address, parse_prefix
from topology.model import AddressPlan, HolderKind, Purpose, Zone

NOW = datetime(2026, 1, 1, tzinfo=UTC)
COUNT = 100_000
WINDOW = 1_000
REPEAT = 7
LOOKUPS = 20_000


def try_window(m: AddressManager, zone: str | None, keep: bool) -> float:
    """Time WINDOW allocations; give them back unless ``keep``.

    The plan has no hold-down, so giving them back restores the tree exactly.
    """
    gc.collect()  # a collection pending from earlier work would land in this window
    t0 = time.perf_counter()
    got = [
        m.allocate(Purpose.LAN, zone, HolderKind.NODE, f"bench:w{j}", NOW).prefix
        for j in range(WINDOW)
    ]
    elapsed = time.perf_counter() - t0
    if not keep:
        for prefix in got:
            m.release(prefix, NOW)
    return elapsed


def run(
    plan: AddressPlan, zones: list[Zone], zone: str | None
) -> tuple[AddressManager, float, float, float]:
    """COUNT /27 allocations: (manager, first window, last window, total) seconds.

    The first 1,000 go into an empty manager, the last 1,000 into one holding 99,000;
    tries alternate between the two (best of REPEAT each), so a busy machine slows
    both alike instead of skewing the ratio.
    """
    full = AddressManager(plan, zones)
    with timed() as bulk:
        for i in range(COUNT - WINDOW):
            full.allocate(Purpose.LAN, zone, HolderKind.NODE, f"bench:n{i}", NOW)
    first = last = float("inf")
    for attempt in range(REPEAT):
        first = min(first, try_window(AddressManager(plan, zones), zone, keep=False))
        last = min(last, try_window(full, zone, keep=attempt == REPEAT - 1))
    assert len(full.allocations()) == COUNT
    return full, first, last, bulk[0] + last


def main() -> None:
    args = parser(__doc__.splitlines()[0]).parse_args()
    plan = AddressPlan(ipv4_lan="10.0.0.0/8", holddown_s=0)

    pool, first, last, total = run(plan, [], None)

    # whois on the full pool: random addresses, about half of them allocated.
    version, base, _ = parse_prefix(plan.ipv4_lan)
    rng = random.Random(1)
    span = 2 * COUNT * 32
    addrs = [format_address(version, base + rng.randrange(span)) for _ in range(LOOKUPS)]
    hits = sum(pool.whois(a) is not None for a in addrs)
    whois_s = best_of(lambda: [pool.whois(a) for a in addrs])

    zones = [Zone("world", "World"), Zone("bcn", "Barcelona", parent_id="world")]
    zoned, z_first, z_last, z_total = run(plan, zones, "bcn")
    blocks = sum(1 for p in zoned.pools() if p.zone_id == "bcn")

    figures = {
        "allocations": COUNT,
        "first_1k_s": first,
        "last_1k_s": last,
        "total_s": total,
        "ratio": last / first,
        "alloc_us": total / COUNT * 1e6,
        "whois_lookups": LOOKUPS,
        "whois_hits": hits,
        "whois_us": whois_s / LOOKUPS * 1e6,
        "zone_first_1k_s": z_first,
        "zone_last_1k_s": z_last,
        "zone_total_s": z_total,
        "zone_ratio": z_last / z_first,
        "zone_blocks": blocks,
    }
    report(figures, args.json, f"ipam: {COUNT:,} /27 allocations in one /8 (ratio = last/first)")


if __name__ == "__main__":
    main()
