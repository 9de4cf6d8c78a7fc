"""Parsing speed of the open data formats against netdiff (openwisp), same inputs, same run.

For each format both support (NetJSON, OLSR jsoninfo, batman-adv, BMX6, CNML) it times
parsing bytes into a graph, without any store write: ours into a
:class:`~topology.formats.ParsedNetwork`, netdiff's into its networkx graph, and checks
that both see the same nodes and links. Two large inputs are generated: a 20,000-node /
~90,000-link NetJSON NetworkGraph and the same network as OLSR jsoninfo (both directions
of every link, as olsrd announces them); a bare ``json.loads`` of the same bytes is the
floor. Then full imports into a fresh store: Aachen's meshviewer.json and Guifi's GML
zone 8349.

    .venv/bin/python -m bench.formats [--json] [--nodes 20000]

``--json`` prints one object: per format ``{ours_s, netdiff_s, nodes, links}`` (the
large inputs as ``netjson_20k`` and ``olsr_20k``, each also with ``json_loads_s``), plus
``aachen_s`` and ``gml_8349_s``.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.progress import Progress

from bench._common import best_of, parser, report
from topology.formats import build_model, parse_bytes, parse_file

REALDATA = Path(__file__).resolve().parent.parent.parent / "shared" / "realdata"
NETDIFF_MISSING = "netdiff is not installed"


def synthetic(n: int, seed: int = 1) -> tuple[list[str], list[tuple[str, str, float]]]:
    """A mesh-like graph: each node linked to its 4 next neighbours on a ring, plus one
    random long link for every second node (~4.5 links per node, all unique)."""
    rng = random.Random(seed)
    ids = [f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}" for i in range(1, n + 1)]
    pairs: set[tuple[int, int]] = set()
    for i in range(n):
        for k in range(1, 5):
            j = (i + k) % n
            pairs.add((min(i, j), max(i, j)))
        if i % 2 == 0:
            j = rng.randrange(n)
            if j != i:
                pairs.add((min(i, j), max(i, j)))
    links = [(ids[a], ids[b], round(rng.uniform(1.0, 10.0), 3)) for a, b in sorted(pairs)]
    return ids, links


def netjson_bytes(ids: list[str], links: list[tuple[str, str, float]]) -> bytes:
    doc = {
        "type": "NetworkGraph", "protocol": "OLSR", "version": "0.8", "metric": "ETX",
        "nodes": [{"id": i} for i in ids],
        "links": [{"source": a, "target": b, "cost": c} for a, b, c in links],
    }
    return json.dumps(doc).encode()


def olsr_bytes(links: list[tuple[str, str, float]]) -> bytes:
    topology = []
    for a, b, c in links:
        for src, dst in ((a, b), (b, a)):
            topology.append({
                "lastHopIP": src, "destinationIP": dst, "linkQuality": 1.0,
                "neighborLinkQuality": 1.0, "tcEdgeCost": int(c * 1024), "validityTime": 284572,
            })
    return json.dumps({"topology": topology, "mid": []}).encode()


def _netdiff(kind: str) -> Callable[[str], Any] | None:
    try:
        from netdiff import BatmanParser, Bmx6Parser, NetJsonParser, OlsrParser
    except ImportError:
        return None
    parsers: dict[str, Any] = {"netjson": NetJsonParser, "olsr": OlsrParser,
                               "batman": BatmanParser, "bmx6": Bmx6Parser}
    if kind == "cnml":
        try:
            from netdiff import CnmlParser
        except ImportError:  # netdiff's CNML parser needs libcnml
            return None
        return lambda path: CnmlParser(path)
    cls = parsers[kind]
    return lambda text: cls(data=text)


def compare(kind: str, data: bytes, fmt: str, repeat: int, path: Path | None = None
            ) -> dict[str, Any]:
    ours = parse_bytes(data, kind, fmt)
    out: dict[str, Any] = {"nodes": len(ours.nodes), "links": len(ours.pairs())}
    del ours  # nothing big stays alive while timing (it slows allocation down for either)
    out["ours_s"] = best_of(lambda: parse_bytes(data, kind, fmt), repeat)
    theirs = _netdiff(fmt)
    if theirs is None:
        out["netdiff_s"] = None
        out["netdiff_missing"] = "libcnml" if fmt == "cnml" else NETDIFF_MISSING
        return out
    arg = str(path) if fmt == "cnml" and path else data.decode()
    graph = theirs(arg).graph
    out["netdiff_nodes"], out["netdiff_links"] = graph.number_of_nodes(), graph.number_of_edges()
    del graph
    out["netdiff_s"] = best_of(lambda: theirs(arg), repeat)
    out["ratio"] = out["netdiff_s"] / out["ours_s"]
    return out


def full_import(path: Path, community: str) -> tuple[float, int, int]:
    """Seconds to read, parse, build and store ``path`` in a fresh SQLite store."""
    from topology.network import CommunityNetwork
    from topology.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        net = CommunityNetwork(open_store(Path(tmp) / "data"))
        t0 = time.perf_counter()
        model = build_model(parse_file(path), community).model
        net.import_model(model)
        took = time.perf_counter() - t0
        net.close()
    return took, len(model.nodes), len(model.links)


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--nodes", type=int, default=20_000, help="nodes of the large inputs")
    args = p.parse_args()
    figures: dict[str, Any] = {}
    small = {
        "netjson": (REALDATA / "netjson" / "ninux-roma-olsr.json", "netjson"),
        "olsr": (REALDATA / "routing" / "olsr-5-links.json", "olsr"),
        "batman": (REALDATA / "routing" / "batman.json", "batman"),
        "bmx6": (REALDATA / "routing" / "bmx6.json", "bmx6"),
        "cnml": (REALDATA / "cnml" / "26494_detail_1.cnml", "cnml"),
    }
    with Progress(transient=True, disable=args.json) as bar:
        task = bar.add_task("formats", total=len(small) + 4)
        for name, (path, fmt) in small.items():
            figures[name] = compare(name, path.read_bytes(), fmt, 50, path)
            bar.advance(task)
        ids, links = synthetic(args.nodes)
        for name, data, fmt in (
            ("netjson_20k", netjson_bytes(ids, links), "netjson"),
            ("olsr_20k", olsr_bytes(links), "olsr"),
        ):
            figures[name] = compare(name, data, fmt, 5)
            figures[name]["json_loads_s"] = best_of(lambda d=data: json.loads(d), 5)
            figures[name]["bytes"] = len(data)
            bar.advance(task)
        aachen = REALDATA / "meshviewer" / "freifunk-aachen-meshviewer.json"
        figures["aachen_s"], *_ = full_import(aachen, "ffac")
        bar.advance(task)
        figures["gml_8349_s"], *_ = full_import(REALDATA / "gml" / "NodosZona8349.xml", "vic")
        bar.advance(task)
    if args.json:
        report(figures, True, "")
        return
    flat: dict[str, Any] = {}
    for key, value in figures.items():
        if isinstance(value, dict):
            for k, v in value.items():
                flat[f"{key}.{k}"] = v
        else:
            flat[key] = value
    report(flat, False, "Open data formats: parse into a graph, ours vs netdiff (best of runs)")


if __name__ == "__main__":
    main()
