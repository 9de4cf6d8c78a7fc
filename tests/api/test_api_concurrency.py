"""Concurrent readers and writers on a live server: no 5xx, no lost or doubled change."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
from api_server import LiveServer, Tokens, headers

from topology.network import CommunityNetwork

API = "/api/v1"


def test_reads_and_writes_at_once(
    live: LiveServer, tokens: Tokens, api_network: CommunityNetwork
) -> None:
    admin = headers(tokens.admin)

    def reader(i: int) -> list[int]:
        with httpx.Client(base_url=live.url + API, timeout=30) as c:
            codes = []
            for _ in range(15):
                codes.append(c.get("/graph").status_code)
                codes.append(c.get("/gateways").status_code)
                codes.append(
                    c.get(
                        "/routes/path",
                        params={"source": "gorham-home-01", "target": "berlin-library"},
                    ).status_code
                )
                codes.append(c.get("/nodes", params={"limit": 1000}).status_code)
            return codes

    def writer(i: int) -> list[int]:
        with httpx.Client(base_url=live.url + API, timeout=30, headers=admin) as c:
            codes = []
            for j in range(10):
                node = {"id": f"c{i}-{j}", "name": f"C {i} {j}", "zone": "berlin",
                        "position": {"lat": 44.47, "lon": -71.18}}  # fmt: skip
                codes.append(c.post("/nodes", json=node).status_code)
                link = {"a": f"c{i}-{j}", "b": "berlin-library", "type": "wds",
                        "status": "Working"}  # fmt: skip
                codes.append(c.post("/links", json=link).status_code)
                codes.append(
                    c.patch("/nodes/berlin-home-02", json={"name": f"w{i}-{j}"}).status_code
                )
            return codes

    with ThreadPoolExecutor(8) as pool:
        reads = [pool.submit(reader, i) for i in range(4)]
        writes = [pool.submit(writer, i) for i in range(4)]
        read_codes = [c for f in reads for c in f.result()]
        write_codes = [c for f in writes for c in f.result()]
    assert set(read_codes) == {200}
    assert set(write_codes) <= {200, 201}, write_codes
    for i in range(4):
        for j in range(10):
            assert f"androscoggin:c{i}-{j}" in api_network.graph.nodes
    stored = api_network.store.load_model()
    assert {n.id for n in stored.nodes} == set(api_network.graph.nodes)


def test_the_same_node_registered_twice_at_once(client: httpx.Client, tokens: Tokens) -> None:
    node = {"id": "twin", "name": "Twin", "zone": "gorham", "position": {"lat": 44.4, "lon": -71.2}}

    def register(token: str) -> int:
        return client.post("/nodes", json=node, headers=headers(token)).status_code

    with ThreadPoolExecutor(4) as pool:
        codes = sorted(pool.map(register, [tokens.adoe, tokens.broe, tokens.adoe, tokens.broe]))
    assert codes == [201, 409, 409, 409]
