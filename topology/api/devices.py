"""Devices of a node, one at a time: list, read, create or replace, remove.

``POST /nodes`` and ``PATCH /nodes/{node}`` set a node's whole ``devices`` list; these
endpoints change one device without resending the others. Reading is public (devices
are public in a node's answer too); changing needs the right to change the node
(:attr:`~topology.auth.Action.NODE_WRITE`: its owner, its zone's stewards, admins).
Every change is read-modify-write under the network's lock and goes through
:meth:`~topology.network.CommunityNetwork.put_node`: the store first, then the live
graph, then a ``node.changed`` event.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from topology.api.deps import (
    API_PREFIX,
    NetworkDep,
    PrincipalDep,
    authorize,
    known_node,
    node_target,
)
from topology.api.errors import ApiError, invalid, not_found
from topology.api.schemas_nodes import MAX_DEVICES, DeviceIn, DeviceModel
from topology.auth import Action
from topology.model import LOCAL_ID_RE, Device, Node

router = APIRouter(prefix=API_PREFIX, tags=["devices"])

NewDeviceId = Annotated[
    str, Path(pattern=LOCAL_ID_RE.pattern, description="The device's id, unique within its node.")
]


def _index(node: Node, device_id: str) -> int | None:
    return next((i for i, d in enumerate(node.devices) if d.id == device_id), None)


def _known_device(node: Node, device_id: str) -> tuple[int, Device]:
    index = _index(node, device_id)
    if index is None:
        raise not_found(f"node {node.id!r} has no device {device_id!r}")
    return index, node.devices[index]


@router.get("/nodes/{node}/devices", response_model=list[DeviceModel])
def list_devices(node: str, network: NetworkDep) -> list[DeviceModel]:
    """The node's devices, in the node's order."""
    return [DeviceModel.of(d) for d in known_node(network, node).devices]


@router.get("/nodes/{node}/devices/{device}", response_model=DeviceModel)
def get_device(node: str, device: str, network: NetworkDep) -> DeviceModel:
    """One device of the node."""
    _, found = _known_device(known_node(network, node), device)
    return DeviceModel.of(found)


@router.put(
    "/nodes/{node}/devices/{device}",
    response_model=DeviceModel,
    responses={201: {"model": DeviceModel, "description": "Created: the node had no such device."}},
)
def put_device(
    node: str,
    device: NewDeviceId,
    body: DeviceIn,
    response: Response,
    network: NetworkDep,
    principal: PrincipalDep,
) -> DeviceModel:
    """Create (201, appended to the node's devices) or replace (200, in its place) one
    device. The body is a device without its ``id`` (the path's), or with the same one:
    another id is a 422. A node has at most 64 devices (409 for one more)."""
    if body.id is not None and body.id != device:
        mismatch = f"the id {body.id!r} differs from the path's device {device!r}"
        raise invalid(mismatch, ("body", "id"))
    new = body.domain_as(device)
    with network.lock:
        old = known_node(network, node)
        authorize(principal, Action.NODE_WRITE, node_target(network, old))
        devices = list(old.devices)
        index = _index(old, device)
        if index is not None:
            devices[index] = new
        elif len(devices) >= MAX_DEVICES:
            raise ApiError(409, f"node {old.id!r} has {MAX_DEVICES} devices already")
        else:
            devices.append(new)
            response.status_code = status.HTTP_201_CREATED
        network.put_node(replace(old, devices=tuple(devices)))
    return DeviceModel.of(new)


@router.delete("/nodes/{node}/devices/{device}", response_model=DeviceModel)
def delete_device(
    node: str, device: str, network: NetworkDep, principal: PrincipalDep
) -> DeviceModel:
    """Remove one device from the node; answers the device removed."""
    with network.lock:
        old = known_node(network, node)
        authorize(principal, Action.NODE_WRITE, node_target(network, old))
        index, found = _known_device(old, device)
        network.put_node(replace(old, devices=old.devices[:index] + old.devices[index + 1 :]))
    return DeviceModel.of(found)
