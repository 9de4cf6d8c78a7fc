"""federation: peers with their last good feed, and this service's own feed revision

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27

Migrations are frozen: use plain ``sa`` types here, never import the application's tables.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "federation_peers",
        sa.Column("community", sa.String(length=64), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.Text(), nullable=False),
        sa.Column("via", sa.String(length=64), nullable=True),
        sa.Column("added_at", UTC_DATETIME, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=True),
        sa.Column("feed", sa.LargeBinary(), nullable=True),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_sync", UTC_DATETIME, nullable=True),
        sa.Column("last_attempt", UTC_DATETIME, nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("community", name=op.f("pk_federation_peers")),
    )
    op.create_table(
        "federation_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("digest", sa.Text(), nullable=False),
        sa.Column("generated_at", UTC_DATETIME, nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_federation_state_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_federation_state")),
    )


def downgrade() -> None:
    op.drop_table("federation_state")
    op.drop_table("federation_peers")
