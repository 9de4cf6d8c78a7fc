"""What a public export may show: no contact, owner or token; private homes rounded.

Rounding reuses the inventory's rule (:func:`topology.inventory.public_node`, 3 decimals,
about 100 m); another precision can be asked for (``decimals``: 2 is about 1 km).
"""

from __future__ import annotations

from dataclasses import replace

from topology.inventory import PUBLIC_POSITION_DECIMALS, public_node
from topology.model import NetworkModel, Node


def public(node: Node, decimals: int = PUBLIC_POSITION_DECIMALS) -> Node:
    if decimals == PUBLIC_POSITION_DECIMALS:
        return public_node(node)
    node = node.public()
    if not node.private_position:
        return node
    p = node.position
    rounded = replace(p, lat=round(p.lat, decimals), lon=round(p.lon, decimals))
    return replace(node, position=rounded)


def public_model(model: NetworkModel, decimals: int = PUBLIC_POSITION_DECIMALS) -> NetworkModel:
    """``model`` as anyone may see it (allocations are public: they are routed)."""
    return replace(model, nodes=tuple(public(n, decimals) for n in model.nodes))
