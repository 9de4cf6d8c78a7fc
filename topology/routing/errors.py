"""Errors of the live graph and of routing, each with one documented meaning.

The tree::

    RoutingError                      any failure of the live graph or a route query
    ├── UnknownNode (also KeyError)   a node id the graph does not hold
    ├── UnknownLink (also KeyError)   a link id the graph does not hold
    ├── DuplicateId (also ValueError) adding a node or link whose id is already held
    └── NoRoute                       both nodes are known, but no routable path joins them

``UnknownNode`` and ``UnknownLink`` are ``KeyError`` too, so ``except KeyError`` still
works for callers that treat the graph as a mapping.
"""

from __future__ import annotations


class RoutingError(Exception):
    """Base of every live-graph and routing error."""


class UnknownNode(RoutingError, KeyError):
    """The node id is not in the live graph."""

    def __init__(self, node_id: str) -> None:
        super().__init__(f"node {node_id!r} is not in the network graph")
        self.node_id = node_id

    def __str__(self) -> str:  # KeyError would show the repr of the message
        return str(self.args[0])


class UnknownLink(RoutingError, KeyError):
    """The link id is not in the live graph."""

    def __init__(self, link_id: str) -> None:
        super().__init__(f"link {link_id!r} is not in the network graph")
        self.link_id = link_id

    def __str__(self) -> str:
        return str(self.args[0])


class DuplicateId(RoutingError, ValueError):
    """A node or link with this id is already in the live graph (use ``update_*``)."""

    def __init__(self, kind: str, item_id: str) -> None:
        super().__init__(f"{kind} {item_id!r} is already in the network graph")
        self.item_id = item_id


class NoRoute(RoutingError):
    """Both nodes are known but no path of routable links joins them."""

    def __init__(self, source: str, target: str) -> None:
        super().__init__(
            f"no route from {source!r} to {target!r}: they are in different parts of the "
            "network (links that are Dropped or Inactive, or end at a Dropped or Inactive "
            "node, do not carry traffic)"
        )
        self.source = source
        self.target = target
