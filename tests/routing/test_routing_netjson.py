"""NetJSON output: a node's NetworkRoutes table and the NetworkGraph of the network."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from topology.generate import generate_network
from topology.graph import LiveGraph
from topology.model import Contact, Link, LinkMetrics, LinkType, Node, Position, Role, Status
from topology.routing import UnknownNode, routing_table, to_netjson_graph


def node(name: str, status: Status = Status.WORKING, **kw: Any) -> Node:
    return Node(f"c:{name}", f"Node {name}", "town", Position(44.5, -71.5), status, **kw)


def network() -> LiveGraph:
    #        eth0     wds (no interfaces)
    #   a ==cable== b -------------------- c         d: Dropped, linked to c
    #   |                                             e: alone
    #   +--- mesh 3.0 (measured), a: "radio/mesh0" --- f
    return LiveGraph(
        [node(x) for x in "abcef"] + [node("d", Status.DROPPED)],
        [
            Link("c:ab", "c:a", "c:b", LinkType.CABLE, Status.WORKING, a_interface="eth0",
                 b_interface="eth1"),
            Link("c:bc", "c:b", "c:c", LinkType.WDS, Status.WORKING),
            Link("c:cd", "c:c", "c:d", LinkType.WDS, Status.WORKING),
            Link("c:af", "c:f", "c:a", LinkType.MESH, Status.WORKING,
                 LinkMetrics(cost=3.0, signal_dbm=-70.0), a_interface="radio/mesh1",
                 b_interface="radio/mesh0"),
        ],
    )  # fmt: skip


def schema(folder: Path, name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((folder / name).read_text())
    return loaded


class TestRoutingTable:
    def test_valid_against_the_netjson_schema(self, netjson_schema_dir: Path) -> None:
        routes_schema = schema(netjson_schema_dir, "network-routes.json")
        prefixes = {"c:b": ["10.0.0.32/27", "fd00:0:0:1::/64"], "c:c": ["10.0.0.64/27"]}
        for table in (
            routing_table(network(), "c:a"),
            routing_table(network(), "c:a", prefixes=prefixes),
            routing_table(network(), "c:e"),  # no routes at all
        ):
            jsonschema.Draft4Validator(routes_schema).validate(table)

    def test_header(self) -> None:
        g = network()
        table = routing_table(g, "c:a")
        assert {k: v for k, v in table.items() if k != "routes"} == {
            "type": "NetworkRoutes",
            "protocol": "meshcommons",
            "version": "0.1",
            "metric": "etx",
            "revision": str(g.version),
            "router_id": "c:a",
        }

    def test_routes_to_node_ids_without_prefixes(self) -> None:
        assert routing_table(network(), "c:a")["routes"] == [
            # sorted by cost; d is Dropped and e is alone: no route to them
            {"destination": "c:b", "next": "c:b", "device": "eth0", "cost": 1.0},
            {"destination": "c:f", "next": "c:f", "device": "radio/mesh0", "cost": 3.0},
            {"destination": "c:c", "next": "c:b", "device": "eth0", "cost": 6.0},
        ]

    def test_device_from_the_other_end_and_the_fallback(self) -> None:
        routes = routing_table(network(), "c:b")["routes"]
        devices = {r["destination"]: r["device"] for r in routes}
        assert devices == {
            "c:a": "eth1",  # b is the link's b end
            "c:f": "eth1",
            "c:c": "wds-c:c",  # no interface recorded: type and neighbour
        }

    def test_prefixes_and_addresses(self) -> None:
        table = routing_table(
            network(),
            "c:a",
            prefixes={
                "c:b": ["10.0.0.32/27"],
                "c:c": ["10.0.0.64/27", "fd00:0:0:3::/64"],
                "c:e": ["10.0.0.96/27"],  # unreachable: no route
                "c:a": ["10.0.0.0/27"],  # itself: no route
                # f has no prefix: no route
            },
            addresses={"c:b": "172.16.0.2"},
        )
        assert table["routes"] == [
            {"destination": "10.0.0.32/27", "next": "172.16.0.2", "device": "eth0", "cost": 1.0},
            {"destination": "10.0.0.64/27", "next": "172.16.0.2", "device": "eth0", "cost": 6.0},
            {"destination": "fd00:0:0:3::/64", "next": "172.16.0.2", "device": "eth0",
             "cost": 6.0},
        ]  # fmt: skip

    def test_a_prefix_held_twice_routes_to_the_nearer_holder(self) -> None:
        table = routing_table(
            network(), "c:a", prefixes={"c:b": ["10.9.0.0/27"], "c:c": ["10.9.0.0/27"]}
        )
        assert [(r["destination"], r["cost"]) for r in table["routes"]] == [("10.9.0.0/27", 1.0)]

    def test_cached_per_version_and_fresh_after_a_change(self) -> None:
        g = network()
        assert routing_table(g, "c:a")["routes"][-1]["cost"] == 6.0
        g.update_metrics("c:bc", LinkMetrics(cost=1.5))
        table = routing_table(g, "c:a")
        # c is now nearer than f (2.5 < 3.0): the routes are sorted by cost
        assert [r["destination"] for r in table["routes"]] == ["c:b", "c:c", "c:f"]
        assert table["routes"][1]["cost"] == 2.5
        assert table["revision"] == str(g.version)

    def test_unknown_router(self) -> None:
        with pytest.raises(UnknownNode):
            routing_table(network(), "c:zz")

    def test_synthetic_network_table_is_valid(self, netjson_schema_dir: Path) -> None:
        g = LiveGraph.from_model(generate_network(300, seed=3))
        source = next(n for n in g.gateways())
        table = routing_table(g, source)
        assert len(table["routes"]) > 250
        assert all(math.isfinite(r["cost"]) and r["cost"] > 0 for r in table["routes"])
        jsonschema.Draft4Validator(schema(netjson_schema_dir, "network-routes.json")).validate(
            table
        )


class TestNetworkGraph:
    def test_valid_against_the_netjson_schema(self, netjson_schema_dir: Path) -> None:
        validator = jsonschema.Draft4Validator(schema(netjson_schema_dir, "network-graph.json"))
        validator.validate(to_netjson_graph(network()))
        validator.validate(to_netjson_graph(network(), label="test", router_id="c:a"))
        validator.validate(to_netjson_graph(LiveGraph()))

    def test_content(self) -> None:
        out = to_netjson_graph(network(), label="Town mesh")
        assert (out["type"], out["metric"], out["label"]) == ("NetworkGraph", "etx", "Town mesh")
        assert [n["id"] for n in out["nodes"]] == ["c:a", "c:b", "c:c", "c:e", "c:f", "c:d"]
        assert out["nodes"][0]["label"] == "Node a"
        assert out["nodes"][-1]["properties"]["status"] == "Dropped"
        # routable pairs only: c-d ends at a Dropped node
        by_link = {lk["properties"]["link"]: lk for lk in out["links"]}
        assert set(by_link) == {"c:ab", "c:bc", "c:af"}
        assert by_link["c:af"]["cost"] == 3.0
        assert by_link["c:af"]["properties"]["signal_dbm"] == -70.0
        assert by_link["c:bc"]["properties"] == {
            "link": "c:bc",
            "type": "wds",
            "status": "Working",
            "parallel_links": 1,
        }
        assert all(math.isfinite(lk["cost"]) for lk in out["links"])

    def test_never_private_data(self) -> None:
        secret = node(
            "s",
            role=Role.SUPERNODE,
            contact=Contact("Ann", "ann@example.org", "+1 555"),
            owner="ann",
        )
        text = json.dumps(to_netjson_graph(LiveGraph([secret])))
        for private in ("Ann", "ann@example.org", "555", '"ann"', "44.5"):
            assert private not in text
