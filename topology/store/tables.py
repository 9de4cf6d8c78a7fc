"""The relational schema, as typed SQLAlchemy 2 declarative classes.

The classes describe the tables (and are what Alembic's autogenerate compares against);
the repository only hands out domain objects from :mod:`topology.model`.

Decisions worth knowing:

* Order: every table that backs a tuple of the domain model keeps the tuple order, so a
  loaded :class:`~topology.model.NetworkModel` equals the saved one. Nodes, links and
  zones have a ``seq`` column (a new row goes to the end, an update keeps its place);
  devices and interfaces have their index within their parent; pools and allocations
  are ordered by their integer surrogate key.
* Datetimes are stored in UTC (``timestamptz`` on PostgreSQL, naive-UTC text on SQLite)
  and always come back timezone-aware in UTC. Naive datetimes are refused.
* Links: ``a``/``b`` keep the end node ids as given. Border links may end at another
  community's node, which is not in this store, so the ends cannot all be foreign keys.
  ``a_node``/``b_node`` repeat the id when the end is a node of this community and are
  then foreign keys to ``nodes``: a link to a missing local node cannot be stored, and a
  node that still has links cannot be deleted (retire it with a status change instead).
* Devices and interfaces belong to their node: deleting a node deletes them (cascade).
* Address ranges: pools and allocations keep the prefix text as given, plus ``family``
  (4 or 6) and ``net_first``/``net_last``: the first and last address of the network as
  16-byte big-endian binary (IPv4 zero-padded to the same width). Byte order equals
  numeric order on both backends (``bytea`` and SQLite ``BLOB`` compare with memcmp), so
  lookups and overlap tests (``first <= other_last AND last >= other_first``) are plain
  indexed comparisons, which 128-bit IPv6 integers could not be on SQLite.
* A prefix can be live (``released_at IS NULL``) only once: a partial unique index on the
  range. Released (held-down) rows of the same prefix may stay beside it.
* ``ipam_state`` is a single row (id = 1, inserted by the migration) whose ``version``
  is bumped by every address-management write; locking that row serializes them.
* Allocation holders are not foreign keys: a holder may be external, and releasing a
  deleted node's addresses is the address manager's job (hold-down).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Double,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ENUM_LEN = 16  # the longest enum value ("external", "ap/client") fits easily


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on both backends."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class CommunityRow(Base):
    """The community this store belongs to, with its address plan (a single row)."""

    __tablename__ = "community"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    slug: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(Text)
    licence: Mapped[str] = mapped_column(Text)
    ipv4_lan: Mapped[str] = mapped_column(Text)
    ipv4_backbone: Mapped[str] = mapped_column(Text)
    ipv6_ula: Mapped[str] = mapped_column(Text)
    lan_prefixlen: Mapped[int] = mapped_column(Integer)
    p2p_prefixlen: Mapped[int] = mapped_column(Integer)
    zone_block_min_prefixlen: Mapped[int] = mapped_column(Integer)
    zone_block_max_prefixlen: Mapped[int] = mapped_column(Integer)
    ipv6_zone_prefixlen: Mapped[int] = mapped_column(Integer)
    ipv6_node_prefixlen: Mapped[int] = mapped_column(Integer)
    holddown_s: Mapped[int] = mapped_column(Integer)


class ZoneRow(Base):
    __tablename__ = "zones"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(Text)
    parent_id: Mapped[str | None] = mapped_column(Text, ForeignKey("zones.id"), index=True)
    # The box: all four set, or all four NULL.
    min_lat: Mapped[float | None] = mapped_column(Double)
    min_lon: Mapped[float | None] = mapped_column(Double)
    max_lat: Mapped[float | None] = mapped_column(Double)
    max_lon: Mapped[float | None] = mapped_column(Double)
    dns_servers: Mapped[list[str]] = mapped_column(JSON)
    ntp_servers: Mapped[list[str]] = mapped_column(JSON)


class NodeRow(Base):
    __tablename__ = "nodes"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(Text)
    zone_id: Mapped[str] = mapped_column(Text, ForeignKey("zones.id"), index=True)
    lat: Mapped[float] = mapped_column(Double)
    lon: Mapped[float] = mapped_column(Double)
    antenna_height_m: Mapped[float] = mapped_column(Double)
    status: Mapped[str] = mapped_column(String(ENUM_LEN), index=True)
    role: Mapped[str] = mapped_column(String(ENUM_LEN))
    gateway: Mapped[bool] = mapped_column(Boolean)
    # Private. All three NULL = no contact; a contact keeps its (maybe empty) strings.
    contact_name: Mapped[str | None] = mapped_column(Text)
    contact_email: Mapped[str | None] = mapped_column(Text)
    contact_phone: Mapped[str | None] = mapped_column(Text)
    private_position: Mapped[bool] = mapped_column(Boolean)
    owner: Mapped[str] = mapped_column(Text)
    created: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DeviceRow(Base):
    __tablename__ = "devices"

    node_id: Mapped[str] = mapped_column(
        Text, ForeignKey("nodes.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[str] = mapped_column(Text, primary_key=True)
    idx: Mapped[int] = mapped_column(Integer)  # position within the node
    name: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(ENUM_LEN))
    model: Mapped[str] = mapped_column(Text)
    firmware: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(ENUM_LEN))


class InterfaceRow(Base):
    __tablename__ = "interfaces"
    __table_args__ = (
        ForeignKeyConstraint(
            ["node_id", "device_id"], ["devices.node_id", "devices.id"], ondelete="CASCADE"
        ),
    )

    node_id: Mapped[str] = mapped_column(Text, primary_key=True)
    device_id: Mapped[str] = mapped_column(Text, primary_key=True)
    idx: Mapped[int] = mapped_column(Integer, primary_key=True)  # position within the device
    name: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(ENUM_LEN))
    mac: Mapped[str] = mapped_column(Text)
    ipv4: Mapped[str] = mapped_column(Text)
    ipv6: Mapped[str] = mapped_column(Text)
    # The radio: radio_mode NULL = no radio.
    radio_mode: Mapped[str | None] = mapped_column(String(ENUM_LEN))
    ssid: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[int | None] = mapped_column(Integer)
    frequency_mhz: Mapped[int | None] = mapped_column(Integer)
    protocol: Mapped[str | None] = mapped_column(Text)
    antenna_gain_dbi: Mapped[float | None] = mapped_column(Double)
    azimuth_deg: Mapped[float | None] = mapped_column(Double)


class LinkRow(Base):
    __tablename__ = "links"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, index=True)
    a: Mapped[str] = mapped_column(Text, index=True)
    b: Mapped[str] = mapped_column(Text, index=True)
    # = a / b when that end is a node of this community (then it must exist), else NULL.
    a_node: Mapped[str | None] = mapped_column(Text, ForeignKey("nodes.id"), index=True)
    b_node: Mapped[str | None] = mapped_column(Text, ForeignKey("nodes.id"), index=True)
    type: Mapped[str] = mapped_column(String(ENUM_LEN))
    status: Mapped[str] = mapped_column(String(ENUM_LEN), index=True)
    a_interface: Mapped[str] = mapped_column(Text)
    b_interface: Mapped[str] = mapped_column(Text)
    cost: Mapped[float | None] = mapped_column(Double)
    rx_cost: Mapped[float | None] = mapped_column(Double)
    tx_cost: Mapped[float | None] = mapped_column(Double)
    signal_dbm: Mapped[float | None] = mapped_column(Double)
    rate_mbps: Mapped[float | None] = mapped_column(Double)
    last_seen: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PoolRow(Base):
    __tablename__ = "pools"
    __table_args__ = (Index(None, "family", "net_first", "net_last"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    prefix: Mapped[str] = mapped_column(Text, unique=True)
    purpose: Mapped[str] = mapped_column(String(ENUM_LEN))
    zone_id: Mapped[str | None] = mapped_column(Text, ForeignKey("zones.id"), index=True)
    family: Mapped[int] = mapped_column(SmallInteger)
    net_first: Mapped[bytes] = mapped_column(LargeBinary(16))
    net_last: Mapped[bytes] = mapped_column(LargeBinary(16))


LIVE = text("released_at IS NULL")


class AllocationRow(Base):
    __tablename__ = "allocations"
    __table_args__ = (
        Index(None, "family", "net_first", "net_last"),
        Index(None, "holder_kind", "holder_id"),
        # The same network can be live only once (held-down rows may repeat it).
        Index(
            "uq_allocations_live_range",
            "family",
            "net_first",
            "net_last",
            unique=True,
            postgresql_where=LIVE,
            sqlite_where=LIVE,
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    prefix: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(String(ENUM_LEN))
    holder_kind: Mapped[str] = mapped_column(String(ENUM_LEN))
    holder_id: Mapped[str] = mapped_column(Text)
    pool: Mapped[str] = mapped_column(Text)
    allocated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text)
    family: Mapped[int] = mapped_column(SmallInteger)
    net_first: Mapped[bytes] = mapped_column(LargeBinary(16))
    net_last: Mapped[bytes] = mapped_column(LargeBinary(16))


class IpamStateRow(Base):
    """Single row; ``version`` is bumped by each address-management write."""

    __tablename__ = "ipam_state"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer)
