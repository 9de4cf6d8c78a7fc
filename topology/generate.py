"""Synthetic community networks: geometric, mesh-like, deterministic per seed.

:func:`generate_network` lays out a network the way Guifi.net-like networks grow:

* **Zones**: one region zone (the box) holding several town zones, each with the bbox of
  its nodes. Towns are spread over the box; their sizes vary (log-normal).
* **Supernodes** (``supernode_fraction`` of the nodes, at least 2) form the backbone:
  each has ``wds`` links to its 2-4 nearest supernodes, and the shortest links of a
  Euclidean minimum spanning tree (over a Delaunay triangulation) join the pieces, so
  the backbone is connected. The shortest 5% of backbone pairs also get a ``cable``
  (two links on one pair: routing picks the cheaper).
* **Clients** attach by ``ap/client`` to the nearest supernode (about a third to the
  second nearest too), some neighbours share a ``cable``, and ``mesh`` links to nearby
  clients bring the total to ``links_per_node`` links per node (180,000 for 40,000).
* **Gateways**: one per ``nodes_per_gateway`` nodes (at least 2), Working supernodes
  spread out by farthest-point sampling.
* **Statuses**: most nodes Working, some Planned, Reserved, Building, Testing, a few
  Inactive or Dropped (never a supernode). A link's status follows its ends (Dropped or
  Inactive if one end is, else the least advanced end), a few new links are Testing.
  About 85% of Working links carry measured metrics (ETX-like cost, signal, rate).

Pure: no I/O and no clock; pass ``now`` to get ``last_seen`` and ``created`` times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components, minimum_spanning_tree
from scipy.spatial import Delaunay, QhullError, cKDTree

from topology.model import (
    BBox,
    Community,
    Link,
    LinkMetrics,
    LinkType,
    NetworkModel,
    Node,
    Position,
    Role,
    Status,
    Zone,
)

#: The White Mountains tile (44-45N, 71-72W).
WHITE_MOUNTAINS = BBox(min_lat=44.0, min_lon=-72.0, max_lat=45.0, max_lon=-71.0)
KM_PER_DEG_LAT = 110.574
KM_PER_DEG_LON = 111.320  # at the equator; times cos(latitude)

Edges = npt.NDArray[np.int64]  # shape (m, 2), each row (i, j) with i < j
_SUPERNODE_STATUS = ((Status.WORKING, 0.93), (Status.TESTING, 0.04), (Status.BUILDING, 0.03))
_CLIENT_STATUS = (
    (Status.WORKING, 0.84), (Status.PLANNED, 0.07), (Status.RESERVED, 0.01),
    (Status.BUILDING, 0.03), (Status.TESTING, 0.02), (Status.INACTIVE, 0.02),
    (Status.DROPPED, 0.01),
)  # fmt: skip
# Codes for vectorised status arithmetic: a link takes the lowest code of its ends.
_CODES = (
    Status.DROPPED, Status.INACTIVE, Status.PLANNED, Status.RESERVED, Status.BUILDING,
    Status.TESTING, Status.WORKING,
)  # fmt: skip
_CODE = {s: i for i, s in enumerate(_CODES)}
_SYLLABLES = (
    "ash", "bel", "bran", "carr", "dun", "el", "fair", "glen", "har", "lan", "lin",
    "mer", "north", "ock", "pem", "ran", "shel", "tam", "wen", "win",
)  # fmt: skip
_SUFFIXES = ("ford", "ton", "field", "wick", "burg", "dale", "ham", "mouth", "ville", "by")


def generate_network(
    nodes: int,
    seed: int,
    community: str = "synth",
    *,
    bbox: BBox = WHITE_MOUNTAINS,
    links_per_node: float = 4.5,
    supernode_fraction: float = 0.17,
    nodes_per_gateway: int = 2000,
    towns: int | None = None,
    now: datetime | None = None,
) -> NetworkModel:
    """A synthetic community network of ``nodes`` nodes (see the module docstring).

    Parameters
    ----------
    nodes : int
        How many nodes (at least 2).
    seed : int
        Same seed and options, same network.
    community : str
        The community slug, namespace of every id (``synth:n12``, ``synth:l7``).
    bbox : BBox
        Where the nodes lie; default the White Mountains tile.
    links_per_node : float
        Target links per node (reached when the mesh has enough close pairs).
    towns : int, optional
        How many town zones; default about sqrt(nodes) / 6 (33 for 40,000 nodes).
    supernode_fraction, nodes_per_gateway : tuning
    now : datetime, optional
        Reference time for ``created`` and ``last_seen``; ``None`` leaves them unset.

    Returns
    -------
    NetworkModel
        Valid: ``model.validate()`` finds no problem.

    Examples
    --------
    >>> m = generate_network(300, seed=1)
    >>> len(m.nodes), len(m.links) == round(300 * 4.5), sum(n.gateway for n in m.nodes)
    (300, True, 2)
    """
    if nodes < 2:
        raise ValueError("a synthetic network needs at least 2 nodes")
    rng = np.random.default_rng(seed)
    if towns is None:
        towns = max(1, min(nodes // 10, round(np.sqrt(nodes) / 6)))
    if not 1 <= towns <= nodes:
        raise ValueError(f"towns must be between 1 and the number of nodes, not {towns}")
    lat, lon, town, town_names = _place(rng, nodes, bbox, towns)
    lat0 = (bbox.min_lat + bbox.max_lat) / 2
    xy = np.column_stack(
        (
            (lon - bbox.min_lon) * KM_PER_DEG_LON * np.cos(np.radians(lat0)),
            (lat - bbox.min_lat) * KM_PER_DEG_LAT,
        )
    )
    sn = _pick_supernodes(rng, town, supernode_fraction)
    sn_idx = np.flatnonzero(sn)
    cl_idx = np.flatnonzero(~sn)
    status = np.where(
        sn, _draw(rng, _SUPERNODE_STATUS, nodes), _draw(rng, _CLIENT_STATUS, nodes)
    ).astype(np.int8)

    backbone = sn_idx[_backbone(rng, xy[sn_idx])]
    shortest = np.argsort(_length(xy, backbone), kind="stable")[: len(backbone) // 20]
    parallel_cable = backbone[np.sort(shortest)]
    attach = _attach_clients(rng, xy, sn_idx, cl_idx)
    client_cable, mesh_pool = _client_pairs(rng, xy, cl_idx)
    used = len(backbone) + len(parallel_cable) + len(attach) + len(client_cable)
    wanted = max(0, round(nodes * links_per_node) - used)
    mesh = mesh_pool[:wanted]

    gateways = _pick_gateways(xy, sn_idx, status, max(2, round(nodes / nodes_per_gateway)))
    status[gateways] = _CODE[Status.WORKING]
    is_gateway = np.zeros(nodes, dtype=bool)
    is_gateway[gateways] = True
    lay = _Layout(lat, lon, xy, town, town_names, sn, status, is_gateway)
    groups = (
        (LinkType.WDS, backbone, "radio/wds", "radio/wds"),
        (LinkType.CABLE, parallel_cable, "router/eth1", "router/eth1"),
        (LinkType.AP_CLIENT, attach, "radio/ap0", "radio/sta0"),
        (LinkType.CABLE, client_cable, "router/eth1", "router/eth1"),
        (LinkType.MESH, mesh, "radio/mesh0", "radio/mesh0"),
    )
    return NetworkModel(
        community=Community(community, f"Synthetic network {community}"),
        zones=_zones(bbox, lay),
        nodes=_nodes(rng, community, lay, now),
        links=_links(rng, community, lay, groups, now),
    )


@dataclass(frozen=True, slots=True)
class _Layout:
    """Per-node arrays shared by the object builders."""

    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    xy: npt.NDArray[np.float64]  # km from the box's south-west corner
    town: npt.NDArray[np.int64]
    town_names: list[str]
    supernode: npt.NDArray[np.bool_]
    status: npt.NDArray[np.int8]  # _CODES index
    gateway: npt.NDArray[np.bool_]


# --------------------------------------------------------------------------- layout


def _place(
    rng: np.random.Generator, n: int, bbox: BBox, towns: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.int64], list[str]]:
    """Node latitudes, longitudes and town numbers, and the town names."""
    span_lat, span_lon = bbox.max_lat - bbox.min_lat, bbox.max_lon - bbox.min_lon
    centres = np.empty((towns, 2))
    for t in range(towns):  # best-candidate sampling spreads the towns out
        cand = rng.uniform(0.1, 0.9, size=(12, 2))
        if t:
            gap = np.min(np.linalg.norm(cand[:, None, :] - centres[None, :t, :], axis=2), axis=1)
            cand = cand[[int(np.argmax(gap))]]
        centres[t] = cand[0]
    weights = rng.lognormal(0.0, 0.6, towns)
    share = weights / weights.sum() * (n - towns)
    counts = np.floor(share).astype(np.int64) + 1
    for t in np.argsort(share - np.floor(share))[::-1][: n - int(counts.sum())]:
        counts[t] += 1
    town = np.repeat(np.arange(towns), counts)
    lat = np.empty(n)
    lon = np.empty(n)
    cos0 = np.cos(np.radians((bbox.min_lat + bbox.max_lat) / 2))
    for t in range(towns):
        at = town == t
        sigma_km = 0.3 * np.sqrt(counts[t] / 100.0)
        offset = rng.normal(0.0, sigma_km, size=(int(counts[t]), 2))
        lat[at] = bbox.min_lat + centres[t, 0] * span_lat + offset[:, 0] / KM_PER_DEG_LAT
        lon[at] = bbox.min_lon + centres[t, 1] * span_lon + offset[:, 1] / (KM_PER_DEG_LON * cos0)
    np.clip(lat, bbox.min_lat, bbox.max_lat, out=lat)
    np.clip(lon, bbox.min_lon, bbox.max_lon, out=lon)
    names: list[str] = []
    for _ in range(towns):
        name = ""
        while not name or name in names:
            name = (str(rng.choice(_SYLLABLES)) + str(rng.choice(_SUFFIXES))).capitalize()
            if len(names) >= len(_SYLLABLES) * len(_SUFFIXES) // 2:
                name = f"{name} {len(names)}"
        names.append(name)
    return lat, lon, town, names


def _pick_supernodes(
    rng: np.random.Generator, town: npt.NDArray[np.int64], fraction: float
) -> npt.NDArray[np.bool_]:
    sn = np.zeros(len(town), dtype=bool)
    for t in range(int(town.max()) + 1):
        members = np.flatnonzero(town == t)
        k = min(len(members), max(1, round(len(members) * fraction)))
        sn[rng.choice(members, size=k, replace=False)] = True
    if sn.sum() < 2:  # two gateways need two supernodes
        sn[rng.choice(np.flatnonzero(~sn), size=2 - int(sn.sum()), replace=False)] = True
    return sn


def _draw(
    rng: np.random.Generator, mix: tuple[tuple[Status, float], ...], n: int
) -> npt.NDArray[np.int8]:
    codes = np.array([_CODE[s] for s, _ in mix], dtype=np.int8)
    p = np.array([w for _, w in mix])
    return codes[rng.choice(len(mix), size=n, p=p / p.sum())]


def _unique_pairs(pairs: npt.NDArray[np.int64]) -> Edges:
    """Rows sorted as (low, high), without self-pairs and duplicates, in first-seen order."""
    pairs = np.sort(pairs, axis=1)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    _, first = np.unique(pairs, axis=0, return_index=True)
    return pairs[np.sort(first)]


def _length(xy: npt.NDArray[np.float64], edges: Edges) -> npt.NDArray[np.float64]:
    return np.asarray(np.linalg.norm(xy[edges[:, 0]] - xy[edges[:, 1]], axis=1))


def _backbone(rng: np.random.Generator, xy: npt.NDArray[np.float64]) -> Edges:
    """wds pairs among supernodes (local indices): k-nearest plus connecting EMST links."""
    n = len(xy)
    if n <= 3:
        return np.array([(i, j) for i in range(n) for j in range(i + 1, n)], dtype=np.int64)
    k_max = min(4, n - 1)
    _, nbr = cKDTree(xy).query(xy, k=k_max + 1)
    want = rng.integers(2, k_max + 1, size=n)
    rows = [(i, int(nbr[i, j])) for i in range(n) for j in range(1, int(want[i]) + 1)]
    knn = _unique_pairs(np.array(rows, dtype=np.int64))
    adjacency = coo_array((np.ones(len(knn)), (knn[:, 0], knn[:, 1])), shape=(n, n))
    pieces, label = connected_components(adjacency, directed=False)
    if pieces == 1:
        return knn
    try:
        tri = Delaunay(xy).simplices
        cand = _unique_pairs(np.concatenate([tri[:, [0, 1]], tri[:, [1, 2]], tri[:, [0, 2]]]))
    except QhullError:  # degenerate layout: consider every pair
        cand = np.array([(i, j) for i in range(n) for j in range(i + 1, n)], dtype=np.int64)
    weight = _length(xy, cand) + 1e-9
    mst = minimum_spanning_tree(coo_array((weight, (cand[:, 0], cand[:, 1])), shape=(n, n)))
    tree = np.column_stack(mst.nonzero()).astype(np.int64)
    bridges = _unique_pairs(tree[label[tree[:, 0]] != label[tree[:, 1]]])
    return np.concatenate((knn, bridges))


def _attach_clients(
    rng: np.random.Generator,
    xy: npt.NDArray[np.float64],
    sn_idx: npt.NDArray[np.int64],
    cl_idx: npt.NDArray[np.int64],
) -> Edges:
    """ap/client pairs (supernode, client): the nearest AP, a third also the second."""
    if len(cl_idx) == 0:
        return np.empty((0, 2), dtype=np.int64)
    _, near = cKDTree(xy[sn_idx]).query(xy[cl_idx], k=2)
    pairs = [np.column_stack((sn_idx[near[:, 0]], cl_idx))]
    second = rng.random(len(cl_idx)) < 0.35
    pairs.append(np.column_stack((sn_idx[near[second, 1]], cl_idx[second])))
    return np.concatenate(pairs).astype(np.int64)


def _client_pairs(
    rng: np.random.Generator, xy: npt.NDArray[np.float64], cl_idx: npt.NDArray[np.int64]
) -> tuple[Edges, Edges]:
    """Client cables (neighbours within 80 m, some of them) and mesh candidates, best first."""
    empty = np.empty((0, 2), dtype=np.int64)
    if len(cl_idx) < 2:
        return empty, empty
    k = min(9, len(cl_idx))
    dist, near = cKDTree(xy[cl_idx]).query(xy[cl_idx], k=k)
    rank = np.broadcast_to(np.arange(k), near.shape)[:, 1:].ravel()
    pairs = np.column_stack((np.repeat(cl_idx, k - 1), cl_idx[near[:, 1:].ravel()]))
    close = (dist[:, 1] < 0.08) & (rng.random(len(cl_idx)) < 0.3)
    cables = _unique_pairs(np.column_stack((cl_idx[close], cl_idx[near[close, 1]])))
    order = np.lexsort((rng.random(len(pairs)), rank))  # nearest neighbours first
    mesh = _unique_pairs(pairs[order])
    if len(cables):
        n = int(cl_idx.max()) + 1
        mesh = mesh[~np.isin(mesh[:, 0] * n + mesh[:, 1], cables[:, 0] * n + cables[:, 1])]
    return cables, mesh


def _pick_gateways(
    xy: npt.NDArray[np.float64],
    sn_idx: npt.NDArray[np.int64],
    status: npt.NDArray[np.int8],
    count: int,
) -> npt.NDArray[np.int64]:
    """``count`` supernodes spread out (farthest-point sampling), Working ones first."""
    working = sn_idx[status[sn_idx] == _CODE[Status.WORKING]]
    pool = working if len(working) >= min(count, len(sn_idx)) else sn_idx
    chosen = [int(pool[0])]
    gap = np.linalg.norm(xy[pool] - xy[pool[0]], axis=1)
    while len(chosen) < min(count, len(pool)):
        pick = int(np.argmax(gap))
        chosen.append(int(pool[pick]))
        gap = np.minimum(gap, np.linalg.norm(xy[pool] - xy[pool[pick]], axis=1))
    return np.array(sorted(chosen), dtype=np.int64)


# --------------------------------------------------------------------------- objects


def _nodes(
    rng: np.random.Generator, community: str, lay: _Layout, now: datetime | None
) -> tuple[Node, ...]:
    sn = lay.supernode
    height = np.where(sn, rng.uniform(8.0, 30.0, len(sn)), rng.uniform(3.0, 10.0, len(sn)))
    age_days = rng.integers(0, 15 * 365, len(sn))
    out = []
    for i, (la, lo, t, s, h, g, sup, age) in enumerate(
        zip(
            lay.lat.tolist(), lay.lon.tolist(), lay.town.tolist(), lay.status.tolist(),
            height.tolist(), lay.gateway.tolist(), sn.tolist(), age_days.tolist(), strict=True,
        )
    ):  # fmt: skip
        out.append(Node(
            id=f"{community}:n{i}", name=f"{lay.town_names[t]} {'SN' if sup else ''}{i}",
            zone_id=f"town-{t + 1:02d}", position=Position(round(la, 6), round(lo, 6), round(h, 1)),
            status=_CODES[s], role=Role.SUPERNODE if sup else Role.CLIENT, gateway=g,
            private_position=not sup, created=None if now is None else now - timedelta(days=age),
        ))  # fmt: skip
    return tuple(out)


def _links(
    rng: np.random.Generator,
    community: str,
    lay: _Layout,
    groups: tuple[tuple[LinkType, Edges, str, str], ...],
    now: datetime | None,
) -> tuple[Link, ...]:
    xy, status = lay.xy, lay.status
    out: list[Link] = []
    wds_count: dict[int, int] = {}
    for link_type, edges, a_if, b_if in groups:
        m = len(edges)
        if m == 0:
            continue
        km = _length(xy, edges)
        code = np.minimum(status[edges[:, 0]], status[edges[:, 1]])
        fresh = (code == _CODE[Status.WORKING]) & (rng.random(m) < 0.03)
        code[fresh] = _CODE[Status.TESTING]
        measured = (code == _CODE[Status.WORKING]) & (rng.random(m) < 0.85)
        wireless = link_type is not LinkType.CABLE
        per_km = {LinkType.WDS: 0.15, LinkType.AP_CLIENT: 0.8, LinkType.MESH: 1.5}
        cost = 1.0 + km * per_km.get(link_type, 0.0) + rng.exponential(0.3 if wireless else 0.02, m)
        signal = np.clip(-48 - 22 * np.log10(1 + 4 * km) + rng.normal(0, 3, m), -92, -35)
        rate = np.clip(300 - (-signal - 45) * 6, 6, 300)
        seen = rng.integers(0, 600, m)
        for k, (a, b) in enumerate(edges.tolist()):
            metrics = LinkMetrics()
            if measured[k]:
                metrics = LinkMetrics(
                    cost=round(float(min(cost[k], 30.0)), 3),
                    signal_dbm=round(float(signal[k]), 1) if wireless else None,
                    rate_mbps=round(float(rate[k]), 1) if wireless else 1000.0,
                    last_seen=None if now is None else now - timedelta(seconds=int(seen[k])),
                )
            ai, bi = a_if, b_if
            if link_type is LinkType.WDS:
                ai = f"{a_if}{wds_count.setdefault(a, 0)}"
                bi = f"{b_if}{wds_count.setdefault(b, 0)}"
                wds_count[a] += 1
                wds_count[b] += 1
            out.append(Link(
                id=f"{community}:l{len(out)}", a=f"{community}:n{a}", b=f"{community}:n{b}",
                type=link_type, status=_CODES[int(code[k])], metrics=metrics,
                a_interface=ai, b_interface=bi,
            ))  # fmt: skip
    return tuple(out)


def _zones(bbox: BBox, lay: _Layout) -> tuple[Zone, ...]:
    lat, lon, town = lay.lat, lay.lon, lay.town
    zones = [Zone("region", "White Mountains" if bbox == WHITE_MOUNTAINS else "Region", None, bbox)]
    for t, name in enumerate(lay.town_names):
        at = town == t
        pad = 0.001
        box = BBox(
            max(bbox.min_lat, round(float(lat[at].min()) - pad, 6)),
            max(bbox.min_lon, round(float(lon[at].min()) - pad, 6)),
            min(bbox.max_lat, round(float(lat[at].max()) + pad, 6)),
            min(bbox.max_lon, round(float(lon[at].max()) + pad, 6)),
        )
        zones.append(Zone(f"town-{t + 1:02d}", name, "region", box))
    return tuple(zones)
