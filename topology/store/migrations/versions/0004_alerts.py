"""alerts and their acknowledgements

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27

Migrations are frozen: use plain ``sa`` types here, never import the application's tables.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("zone", sa.Text(), nullable=True),
        sa.Column("raised_at", UTC_DATETIME, nullable=False),
        sa.Column("cleared_at", UTC_DATETIME, nullable=True),
        sa.Column("acknowledged_at", UTC_DATETIME, nullable=True),
        sa.Column("acknowledged_by", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )
    for column in ("subject", "raised_at", "cleared_at"):
        op.create_index(op.f(f"ix_alerts_{column}"), "alerts", [column])
    active = sa.text("cleared_at IS NULL")
    op.create_index(
        "uq_alerts_active_cause",
        "alerts",
        ["kind", "subject"],
        unique=True,
        postgresql_where=active,
        sqlite_where=active,
    )


def downgrade() -> None:
    op.drop_table("alerts")
