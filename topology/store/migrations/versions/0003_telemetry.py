"""report sequence numbers, link and node metrics time series

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27

Migrations are frozen: use plain ``sa`` types here, never import the application's tables.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)
LINK_GAUGES = (
    "cost",
    "rx_cost",
    "tx_cost",
    "signal_dbm",
    "noise_dbm",
    "rate_mbps",
    "rtt_ms",
    "loss",
)
NODE_GAUGES = (
    "uptime_s",
    "load1",
    "memory_used_pct",
    "clients",
    "rx_bytes",
    "tx_bytes",
    "rx_errors",
    "tx_errors",
    "dropped_reports",
    "links",
)


def _gauges(names: Sequence[str]) -> list[sa.Column]:
    return [sa.Column(n, sa.Double(), nullable=True) for n in names]


def _rollups(name: str, key: str, gauges: Sequence[str]) -> None:
    op.create_table(
        f"{name}_rollups",
        sa.Column(key, sa.Text(), nullable=False),
        sa.Column("step", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        *_gauges(gauges),
        sa.PrimaryKeyConstraint(key, "step", "bucket", name=op.f(f"pk_{name}_rollups")),
    )
    op.create_index(op.f(f"ix_{name}_rollups_step_bucket"), f"{name}_rollups", ["step", "bucket"])


def upgrade() -> None:
    op.create_table(
        "node_reports",
        sa.Column("node_id", sa.Text(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("report_time", UTC_DATETIME, nullable=False),
        sa.Column("received_at", UTC_DATETIME, nullable=False),
        sa.Column("interval_s", sa.Integer(), nullable=False),
        sa.Column("dropped_reports", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("routes", sa.Text(), nullable=True),
        sa.Column("routes_time", UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("node_id", name=op.f("pk_node_reports")),
    )
    op.create_table(
        "link_liveness",
        sa.Column("link_id", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("since", UTC_DATETIME, nullable=False),
        sa.Column("interval_s", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("link_id", name=op.f("pk_link_liveness")),
    )
    op.create_table(
        "node_samples",
        sa.Column("node_id", sa.Text(), nullable=False),
        sa.Column("t", sa.BigInteger(), nullable=False),
        *_gauges(NODE_GAUGES),
        sa.Column("link_samples", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("node_id", "t", name=op.f("pk_node_samples")),
    )
    op.create_index(op.f("ix_node_samples_t"), "node_samples", ["t"])
    _rollups("link", "link_id", LINK_GAUGES)
    _rollups("node", "node_id", NODE_GAUGES)


def downgrade() -> None:
    for table in (
        "node_rollups",
        "node_samples",
        "link_rollups",
        "link_liveness",
        "node_reports",
    ):
        op.drop_table(table)
