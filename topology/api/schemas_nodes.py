"""Bodies of the node endpoints: nodes with their devices, interfaces and radios.

A node's private fields (``contact``, ``owner``) are left out of the JSON entirely unless
the caller may see them (:meth:`NodeOut.of` with ``private=True``).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Self

from pydantic import Field, model_validator

from topology.api.schemas import (
    Account,
    InModel,
    Lax,
    LocalId,
    Name,
    OutModel,
    Slug,
    Text,
    omit_none,
)
from topology.api.schemas_routing import AllocationOut
from topology.model import (
    Contact,
    Device,
    DeviceType,
    Interface,
    InterfaceType,
    Node,
    Position,
    Radio,
    RadioMode,
    Role,
    Status,
)

# --------------------------------------------------------------------------- values


class PositionModel(InModel):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    antenna_height_m: float = Field(default=0.0, ge=0, le=1000)

    @classmethod
    def of(cls, p: Position) -> Self:
        return cls(lat=p.lat, lon=p.lon, antenna_height_m=p.antenna_height_m)

    def domain(self) -> Position:
        return Position(self.lat, self.lon, self.antenna_height_m)


class ContactModel(InModel):
    name: Text = ""
    email: Text = ""
    phone: Text = ""

    def domain(self) -> Contact:
        return Contact(self.name, self.email, self.phone)


class RadioModel(InModel):
    mode: Lax[RadioMode]
    ssid: Text = ""
    channel: int | None = Field(default=None, ge=0, le=10_000)
    frequency_mhz: int | None = Field(default=None, ge=0, le=1_000_000)
    protocol: Text = ""
    antenna_gain_dbi: float | None = Field(default=None, ge=-100, le=100)
    azimuth_deg: float | None = Field(default=None, ge=0, le=360)


class InterfaceModel(InModel):
    name: Name
    type: Lax[InterfaceType] = InterfaceType.LAN
    mac: Text = ""
    ipv4: Text = ""
    ipv6: Text = ""
    radio: RadioModel | None = None


#: The most devices a node may have.
MAX_DEVICES = 64


class DeviceIn(InModel):
    """A device as ``PUT /nodes/{node}/devices/{device}`` takes it: the id is the path's;
    ``id`` may be left out of the body, and when given must equal the path's."""

    id: LocalId | None = Field(default=None, description="If given, the path's device id.")
    name: Name
    type: Lax[DeviceType] = DeviceType.ROUTER
    model: Text = ""
    firmware: Text = ""
    status: Lax[Status] = Status.PLANNED
    interfaces: list[InterfaceModel] = Field(default=[], max_length=64)

    def domain_as(self, device_id: str) -> Device:
        """The device, with id ``device_id``."""
        return Device(
            device_id,
            self.name,
            self.type,
            self.model,
            self.firmware,
            self.status,
            tuple(
                Interface(
                    i.name,
                    i.type,
                    i.mac,
                    i.ipv4,
                    i.ipv6,
                    None if i.radio is None else Radio(**i.radio.model_dump()),
                )
                for i in self.interfaces
            ),
        )


class DeviceModel(DeviceIn):
    """A device of a node; its ``id`` is unique within the node."""

    id: LocalId

    @classmethod
    def of(cls, d: Device) -> Self:
        return cls.model_validate(
            {
                "id": d.id,
                "name": d.name,
                "type": d.type,
                "model": d.model,
                "firmware": d.firmware,
                "status": d.status,
                "interfaces": [
                    {
                        "name": i.name,
                        "type": i.type,
                        "mac": i.mac,
                        "ipv4": i.ipv4,
                        "ipv6": i.ipv6,
                        "radio": None if i.radio is None else RadioModel(**asdict(i.radio)),
                    }
                    for i in d.interfaces
                ],
            }
        )

    def domain(self) -> Device:
        return self.domain_as(self.id)


def unique_devices(devices: list[DeviceModel] | None) -> None:
    if devices is not None and len({d.id for d in devices}) != len(devices):
        raise ValueError("devices: device ids must be unique within the node")


# --------------------------------------------------------------------------- nodes


class NodeIn(InModel):
    """A node to register; ``id`` is local (the service adds the community prefix)."""

    id: LocalId
    name: Name
    zone: Slug
    position: PositionModel
    status: Lax[Status] = Status.PLANNED
    role: Lax[Role] = Role.CLIENT
    gateway: bool = False
    private_position: bool = True
    devices: list[DeviceModel] = Field(default=[], max_length=MAX_DEVICES)
    contact: ContactModel | None = None
    owner: Account | None = Field(
        default=None, description="Stewards and admins only; a volunteer owns what they register."
    )
    allocate: bool = Field(default=False, description="Also allocate a LAN /27 and an IPv6 /64.")

    @model_validator(mode="after")
    def _devices(self) -> Self:
        unique_devices(self.devices)
        return self


class NodePatch(InModel):
    """Fields to change; absent fields stay. ``contact: null`` removes the contact."""

    name: Name | None = None
    zone: Slug | None = None
    position: PositionModel | None = None
    role: Lax[Role] | None = None
    gateway: bool | None = None
    private_position: bool | None = None
    devices: list[DeviceModel] | None = Field(default=None, max_length=MAX_DEVICES)
    contact: ContactModel | None = None
    owner: Account | None = Field(default=None, description="Stewards and admins only.")

    @model_validator(mode="after")
    def _not_null(self) -> Self:
        nullable = {"contact"}
        nulls = [f for f in self.model_fields_set - nullable if getattr(self, f) is None]
        if nulls:
            raise ValueError(f"{', '.join(sorted(nulls))}: may be left out, but not null")
        unique_devices(self.devices)
        return self


class StatusIn(InModel):
    status: Lax[Status]


class NodeOut(OutModel):
    """A node. ``owner`` (always) and ``contact`` (when it has one) appear only to
    callers who may see them: the owner, the zone's stewards, admins."""

    id: str
    name: str
    zone: str
    position: PositionModel
    status: Status
    role: Role
    gateway: bool
    private_position: bool
    devices: list[DeviceModel]
    created: datetime | None
    updated: datetime | None
    contact: ContactModel | None = omit_none()
    owner: str | None = omit_none()

    @classmethod
    def of(cls, node: Node, *, private: bool) -> Self:
        """``private``: include contact and owner (the caller may see them)."""
        c = node.contact
        return cls(
            id=node.id,
            name=node.name,
            zone=node.zone_id,
            position=PositionModel.of(node.position),
            status=node.status,
            role=node.role,
            gateway=node.gateway,
            private_position=node.private_position,
            devices=[DeviceModel.of(d) for d in node.devices],
            created=node.created,
            updated=node.updated,
            contact=ContactModel(name=c.name, email=c.email, phone=c.phone)
            if private and c is not None
            else None,
            owner=node.owner if private else None,
        )


class NodeList(OutModel):
    total: int
    limit: int
    offset: int
    items: list[NodeOut]


class NodeCreated(OutModel):
    node: NodeOut
    addresses: list[AllocationOut] = Field(description="Allocated when `allocate` was asked.")
    address_error: str | None = Field(
        description="Why allocation failed (the node is registered all the same)."
    )
