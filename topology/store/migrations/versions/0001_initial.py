"""initial schema: community, zones, nodes, devices, interfaces, links, pools,
allocations and ipam_state

Revision ID: 0001
Revises:
Create Date: 2026-11-27

Migrations are frozen: use plain ``sa`` types here, never import the application's tables.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENUM = sa.String(length=16)
UTC_DATETIME = sa.DateTime(timezone=True)
ADDR = sa.LargeBinary(length=16)


def _text(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Text(), nullable=nullable)


def _index(table: str, *columns: str) -> None:
    op.create_index(op.f(f"ix_{table}_{'_'.join(columns)}"), table, list(columns))


def upgrade() -> None:
    op.create_table(
        "community",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        *(_text(c) for c in ("slug", "name", "url", "licence")),
        *(_text(c) for c in ("ipv4_lan", "ipv4_backbone", "ipv6_ula")),
        *(
            sa.Column(c, sa.Integer(), nullable=False)
            for c in (
                "lan_prefixlen",
                "p2p_prefixlen",
                "zone_block_min_prefixlen",
                "zone_block_max_prefixlen",
                "ipv6_zone_prefixlen",
                "ipv6_node_prefixlen",
                "holddown_s",
            )
        ),
        sa.CheckConstraint("id = 1", name=op.f("ck_community_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community")),
    )

    op.create_table(
        "ipam_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_ipam_state_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ipam_state")),
    )
    op.execute(sa.text("INSERT INTO ipam_state (id, version) VALUES (1, 0)"))

    op.create_table(
        "zones",
        _text("id"),
        sa.Column("seq", sa.Integer(), nullable=False),
        _text("name"),
        _text("parent_id", nullable=True),
        *(
            sa.Column(c, sa.Double(), nullable=True)
            for c in ("min_lat", "min_lon", "max_lat", "max_lon")
        ),
        sa.Column("dns_servers", sa.JSON(), nullable=False),
        sa.Column("ntp_servers", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["zones.id"], name=op.f("fk_zones_parent_id_zones")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zones")),
    )
    _index("zones", "parent_id")
    _index("zones", "seq")

    op.create_table(
        "nodes",
        _text("id"),
        sa.Column("seq", sa.Integer(), nullable=False),
        _text("name"),
        _text("zone_id"),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("lon", sa.Double(), nullable=False),
        sa.Column("antenna_height_m", sa.Double(), nullable=False),
        sa.Column("status", ENUM, nullable=False),
        sa.Column("role", ENUM, nullable=False),
        sa.Column("gateway", sa.Boolean(), nullable=False),
        _text("contact_name", nullable=True),
        _text("contact_email", nullable=True),
        _text("contact_phone", nullable=True),
        sa.Column("private_position", sa.Boolean(), nullable=False),
        _text("owner"),
        sa.Column("created", UTC_DATETIME, nullable=True),
        sa.Column("updated", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(["zone_id"], ["zones.id"], name=op.f("fk_nodes_zone_id_zones")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nodes")),
    )
    _index("nodes", "seq")
    _index("nodes", "status")
    _index("nodes", "zone_id")

    op.create_table(
        "devices",
        _text("node_id"),
        _text("id"),
        sa.Column("idx", sa.Integer(), nullable=False),
        _text("name"),
        sa.Column("type", ENUM, nullable=False),
        _text("model"),
        _text("firmware"),
        sa.Column("status", ENUM, nullable=False),
        sa.ForeignKeyConstraint(
            ["node_id"], ["nodes.id"], name=op.f("fk_devices_node_id_nodes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("node_id", "id", name=op.f("pk_devices")),
    )

    op.create_table(
        "interfaces",
        _text("node_id"),
        _text("device_id"),
        sa.Column("idx", sa.Integer(), nullable=False),
        _text("name"),
        sa.Column("type", ENUM, nullable=False),
        _text("mac"),
        _text("ipv4"),
        _text("ipv6"),
        sa.Column("radio_mode", ENUM, nullable=True),
        _text("ssid", nullable=True),
        sa.Column("channel", sa.Integer(), nullable=True),
        sa.Column("frequency_mhz", sa.Integer(), nullable=True),
        _text("protocol", nullable=True),
        sa.Column("antenna_gain_dbi", sa.Double(), nullable=True),
        sa.Column("azimuth_deg", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(
            ["node_id", "device_id"],
            ["devices.node_id", "devices.id"],
            name=op.f("fk_interfaces_node_id_device_id_devices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("node_id", "device_id", "idx", name=op.f("pk_interfaces")),
    )

    op.create_table(
        "links",
        _text("id"),
        sa.Column("seq", sa.Integer(), nullable=False),
        _text("a"),
        _text("b"),
        _text("a_node", nullable=True),
        _text("b_node", nullable=True),
        sa.Column("type", ENUM, nullable=False),
        sa.Column("status", ENUM, nullable=False),
        _text("a_interface"),
        _text("b_interface"),
        *(
            sa.Column(c, sa.Double(), nullable=True)
            for c in ("cost", "rx_cost", "tx_cost", "signal_dbm", "rate_mbps")
        ),
        sa.Column("last_seen", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(["a_node"], ["nodes.id"], name=op.f("fk_links_a_node_nodes")),
        sa.ForeignKeyConstraint(["b_node"], ["nodes.id"], name=op.f("fk_links_b_node_nodes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_links")),
    )
    for column in ("a", "b", "a_node", "b_node", "seq", "status"):
        _index("links", column)

    op.create_table(
        "pools",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _text("prefix"),
        sa.Column("purpose", ENUM, nullable=False),
        _text("zone_id", nullable=True),
        sa.Column("family", sa.SmallInteger(), nullable=False),
        sa.Column("net_first", ADDR, nullable=False),
        sa.Column("net_last", ADDR, nullable=False),
        sa.ForeignKeyConstraint(["zone_id"], ["zones.id"], name=op.f("fk_pools_zone_id_zones")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pools")),
        sa.UniqueConstraint("prefix", name=op.f("uq_pools_prefix")),
    )
    _index("pools", "family", "net_first", "net_last")
    _index("pools", "zone_id")

    op.create_table(
        "allocations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _text("prefix"),
        sa.Column("purpose", ENUM, nullable=False),
        sa.Column("holder_kind", ENUM, nullable=False),
        _text("holder_id"),
        _text("pool"),
        sa.Column("allocated_at", UTC_DATETIME, nullable=True),
        sa.Column("released_at", UTC_DATETIME, nullable=True),
        _text("note"),
        sa.Column("family", sa.SmallInteger(), nullable=False),
        sa.Column("net_first", ADDR, nullable=False),
        sa.Column("net_last", ADDR, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocations")),
    )
    _index("allocations", "family", "net_first", "net_last")
    _index("allocations", "holder_kind", "holder_id")
    live = sa.text("released_at IS NULL")
    op.create_index(
        "uq_allocations_live_range",
        "allocations",
        ["family", "net_first", "net_last"],
        unique=True,
        postgresql_where=live,
        sqlite_where=live,
    )


def downgrade() -> None:
    for table in (
        "allocations",
        "pools",
        "links",
        "interfaces",
        "devices",
        "nodes",
        "zones",
        "ipam_state",
        "community",
    ):
        op.drop_table(table)
