"""Helpers of the API tests: a real uvicorn server on loopback in a thread, tokens."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI

from topology.model import NetworkModel
from topology.network import CommunityNetwork
from topology.sim.service import ServiceThread as LiveServer
from topology.store import open_store

API = "/api/v1"


def start_server(app: FastAPI) -> LiveServer:
    """``app`` served by uvicorn on a free loopback port, in a thread (the project's
    :class:`~topology.sim.service.ServiceThread`); returns once it answers."""
    return LiveServer(app).start()


@dataclass(frozen=True)
class Tokens:
    """Secrets of the tokens of a test network (and their ids)."""

    admin: str
    steward_gorham: str  # steward of zone gorham
    steward_north: str  # steward of north-country: gorham and berlin are its sub-zones
    adoe: str  # volunteer who owns gorham-home-01
    broe: str  # volunteer who owns gorham-home-02
    agent: str  # agent of gorham-home-01
    ids: dict[str, str]


def headers(token: str | None) -> dict[str, str]:
    return {} if token is None else {"Authorization": f"Bearer {token}"}


def sample_network(folder: Path, model: NetworkModel) -> CommunityNetwork:
    network = CommunityNetwork(open_store(folder))
    network.import_model(model)
    network.assign_missing_addresses()
    return network
