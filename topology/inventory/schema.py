"""The shape of one inventory YAML file, as pydantic v2 models (``extra="forbid"``).

These models check types, enum values and ranges; cross-references (zones, link ends,
duplicate ids) are checked in :mod:`topology.inventory.convert`. Field names are the
YAML keys, so a pydantic error location is also the path in the file.
"""

from __future__ import annotations

import ipaddress
import math
import re
import typing
from datetime import UTC, datetime, timezone
from typing import Annotated, Any, Literal, NotRequired, cast

import typing_extensions
from pydantic import AfterValidator, ConfigDict, Field, Strict, StrictBool, TypeAdapter, with_config
from pydantic_core import PydanticCustomError
from typing_extensions import TypedDict

from topology.model import (
    DeviceType,
    HolderKind,
    InterfaceType,
    LinkType,
    Purpose,
    RadioMode,
    Role,
    Status,
)

FORMAT_VERSION = 1

_MAC_RE = re.compile(r"^[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}$")


def _in_range(lo: float, hi: float) -> Any:
    def check(value: float) -> float:
        if not lo <= value <= hi:  # also rejects nan
            raise PydanticCustomError(
                "out_of_range",
                "{value} is outside {lo}..{hi}",
                {"value": value, "lo": f"{lo:g}", "hi": f"{hi:g}"},
            )
        return value

    return AfterValidator(check)


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise PydanticCustomError("not_finite", "{value} is not a finite number", {"value": value})
    return value


def _network(value: str) -> str:
    try:
        ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        raise PydanticCustomError(
            "bad_prefix",
            "'{value}' is not a network prefix ({error})",
            {"value": value, "error": str(exc)},
        ) from None
    return value


def _optional_network(value: str) -> str:
    return _network(value) if value else value


def _interface_address(version: int) -> Any:
    def check(value: str) -> str:
        if not value:
            return value
        try:
            iface = ipaddress.ip_interface(value)
        except ValueError:
            iface = None
        if iface is None or iface.version != version:
            raise PydanticCustomError(
                "bad_address",
                "'{value}' is not an IPv{version} address with prefix length (like {example})",
                {
                    "value": value,
                    "version": version,
                    "example": "10.1.2.33/27" if version == 4 else "fd00:1:2::1/64",
                },
            )
        return value

    return AfterValidator(check)


def _mac(value: str) -> str:
    if value and not _MAC_RE.match(value):
        raise PydanticCustomError(
            "bad_mac", "'{value}' is not a MAC address (like 04:18:d6:a0:b1:c2)", {"value": value}
        )
    return value


def _standard_tz(value: datetime) -> datetime:
    """Offsets as :class:`datetime.timezone` (pydantic has its own tzinfo class), so a
    time reads back the same whether YAML or pydantic parsed it."""
    tz = value.tzinfo
    if tz is not None and type(tz) is not timezone:
        offset = value.utcoffset()
        if offset is not None:
            value = value.replace(tzinfo=UTC if not offset else timezone(offset))
    return value


Time = Annotated[datetime, AfterValidator(_standard_tz)]
Float = Annotated[float, Strict(), AfterValidator(_finite)]  # ints are accepted too
Int = Annotated[int, Strict()]
Text = Annotated[str, Strict()]
Lat = Annotated[float, Strict(), _in_range(-90.0, 90.0)]
Lon = Annotated[float, Strict(), _in_range(-180.0, 180.0)]
Height = Annotated[float, Strict(), _in_range(0.0, 1000.0)]
Azimuth = Annotated[float, Strict(), _in_range(0.0, 360.0)]
Prefix = Annotated[str, Strict(), AfterValidator(_network)]
OptionalPrefix = Annotated[str, Strict(), AfterValidator(_optional_network)]
IPv4Address = Annotated[str, Strict(), _interface_address(4)]
IPv6Address = Annotated[str, Strict(), _interface_address(6)]
Mac = Annotated[str, Strict(), AfterValidator(_mac)]
Ipv4Len = Annotated[int, Strict(), Field(ge=0, le=32)]
Ipv6Len = Annotated[int, Strict(), Field(ge=0, le=128)]


_FORBID = with_config(ConfigDict(extra="forbid"))

# Each section is a TypedDict: validating into plain dicts is several times faster than
# building model instances. An absent optional key takes the domain model's default
# (see ``convert``), so defaults live in one place: topology.model.


@_FORBID
class CommunityDoc(TypedDict):
    slug: Text
    name: Text
    url: NotRequired[Text]
    licence: NotRequired[Text]


@_FORBID
class AddressPlanDoc(TypedDict, total=False):
    ipv4_lan: Prefix
    ipv4_backbone: Prefix
    ipv6_ula: Prefix
    lan_prefixlen: Ipv4Len
    p2p_prefixlen: Annotated[int, Strict(), Field(ge=30, le=31)]
    zone_block_min_prefixlen: Ipv4Len
    zone_block_max_prefixlen: Ipv4Len
    ipv6_zone_prefixlen: Ipv6Len
    ipv6_node_prefixlen: Ipv6Len
    holddown_s: Annotated[int, Strict(), Field(ge=0)]


@_FORBID
class BBoxDoc(TypedDict):
    min_lat: Lat
    min_lon: Lon
    max_lat: Lat
    max_lon: Lon


@_FORBID
class ZoneDoc(TypedDict):
    id: Text
    name: Text
    parent: NotRequired[Text | None]
    bbox: NotRequired[BBoxDoc | None]
    dns_servers: NotRequired[list[Text] | None]
    ntp_servers: NotRequired[list[Text] | None]


@_FORBID
class PositionDoc(TypedDict):
    lat: Lat
    lon: Lon
    antenna_height_m: NotRequired[Height]


@_FORBID
class ContactDoc(TypedDict, total=False):
    name: Text
    email: Text
    phone: Text


@_FORBID
class RadioDoc(TypedDict):
    mode: RadioMode
    ssid: NotRequired[Text]
    channel: NotRequired[Annotated[int, Strict(), Field(ge=0)] | None]
    frequency_mhz: NotRequired[Annotated[int, Strict(), Field(gt=0)] | None]
    protocol: NotRequired[Text]
    antenna_gain_dbi: NotRequired[Float | None]
    azimuth_deg: NotRequired[Azimuth | None]


@_FORBID
class InterfaceDoc(TypedDict):
    name: Text
    type: NotRequired[InterfaceType]
    mac: NotRequired[Mac]
    ipv4: NotRequired[IPv4Address]
    ipv6: NotRequired[IPv6Address]
    radio: NotRequired[RadioDoc | None]


@_FORBID
class DeviceDoc(TypedDict):
    id: Text
    name: NotRequired[Text]  # defaults to the id
    type: NotRequired[DeviceType]
    model: NotRequired[Text]
    firmware: NotRequired[Text]
    status: NotRequired[Status]
    interfaces: NotRequired[list[InterfaceDoc] | None]


@_FORBID
class NodeDoc(TypedDict):
    id: Text  # local id; the community slug is prefixed on load
    name: Text
    zone: Text
    position: PositionDoc
    status: NotRequired[Status]
    role: NotRequired[Role]
    gateway: NotRequired[StrictBool]
    private_position: NotRequired[StrictBool]
    owner: NotRequired[Text]
    contact: NotRequired[ContactDoc | None]
    created: NotRequired[Time | None]
    updated: NotRequired[Time | None]
    devices: NotRequired[list[DeviceDoc] | None]


@_FORBID
class MetricsDoc(TypedDict, total=False):
    cost: Float | None
    rx_cost: Float | None
    tx_cost: Float | None
    signal_dbm: Float | None
    rate_mbps: Float | None
    last_seen: Time | None


@_FORBID
class LinkDoc(TypedDict):
    id: NotRequired[Text | None]  # local; defaults to "<a>--<b>"
    a: Text  # local node id, or "community:node" for a border link
    b: Text
    type: NotRequired[LinkType]
    status: NotRequired[Status]
    metrics: NotRequired[MetricsDoc | None]
    a_interface: NotRequired[Text]
    b_interface: NotRequired[Text]


@_FORBID
class PoolDoc(TypedDict):
    prefix: Prefix
    purpose: Purpose
    zone: NotRequired[Text | None]


@_FORBID
class AllocationDoc(TypedDict):
    prefix: Prefix
    purpose: Purpose
    holder_kind: HolderKind
    holder: Text  # node/link: local id (or global); zone: zone id; external: free text
    pool: NotRequired[OptionalPrefix]
    allocated_at: NotRequired[Time | None]
    released_at: NotRequired[Time | None]
    note: NotRequired[Text]


@_FORBID
class InventoryFile(TypedDict, total=False):
    """One YAML file. A directory inventory merges several; each section is optional."""

    version: Literal[1] | None
    community: CommunityDoc | None
    address_plan: AddressPlanDoc | None
    zones: list[ZoneDoc] | None  # an empty section (zones: with nothing) is fine
    nodes: list[NodeDoc] | None
    links: list[LinkDoc] | None
    pools: list[PoolDoc] | None
    allocations: list[AllocationDoc] | None


INVENTORY_FILE: TypeAdapter[InventoryFile] = TypeAdapter(InventoryFile)


def _typed_dict_in(annotation: Any) -> type | None:
    """The TypedDict inside ``X | None``, ``list[X]``, ``NotRequired[X]``, ``Annotated``."""
    if typing_extensions.is_typeddict(annotation):
        return cast(type, annotation)
    for arg in typing.get_args(annotation):
        found = _typed_dict_in(arg)
        if found is not None:
            return found
    return None


def fields_at(loc: tuple[str | int, ...]) -> list[str] | None:
    """The keys allowed in the mapping at ``loc`` (a pydantic error location)."""
    cls: type = InventoryFile
    for part in loc:
        if isinstance(part, int):
            continue
        hints = typing.get_type_hints(cls, include_extras=True)
        found = _typed_dict_in(hints[part]) if part in hints else None
        if found is None:
            return None
        cls = found
    return list(typing.get_type_hints(cls))
