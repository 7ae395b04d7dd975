"""registry log (RFC 9162 Merkle log), witness co-signatures, schema owners (issue 16)

Revision ID: 0002_log
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_log"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "log_leaves",
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("idx", name=op.f("pk_log_leaves")),
    )
    op.create_index("ix_log_leaves_leaf_hash", "log_leaves", ["leaf_hash"], unique=False)
    op.create_table(
        "log_nodes",
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx", name=op.f("pk_log_nodes")),
    )
    op.create_table(
        "log_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("peaks", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_state")),
    )
    op.create_table(
        "log_cosignatures",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("tree_head", sa.LargeBinary(), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("witness_kid", sa.String(length=16), nullable=False),
        sa.Column("witness_public_key", sa.LargeBinary(), nullable=False),
        sa.Column("cosignature", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_log_cosignatures_agency_id_agencies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_cosignatures")),
        sa.UniqueConstraint("size", "witness_kid", name=op.f("uq_log_cosignatures_size_witness_kid")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_log_cosignatures_size"), "log_cosignatures", ["size"], unique=False)
    op.create_table(
        "schema_owners",
        sa.Column("schema_id", sa.String(length=128), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_schema_owners_agency_id_agencies")),
        sa.PrimaryKeyConstraint("schema_id", name=op.f("pk_schema_owners")),
    )
    op.create_index("ix_duplicate_events_pseudonym", "duplicate_events", ["pseudonym"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_duplicate_events_pseudonym", table_name="duplicate_events")
    op.drop_table("schema_owners")
    op.drop_index(op.f("ix_log_cosignatures_size"), table_name="log_cosignatures")
    op.drop_table("log_cosignatures")
    op.drop_table("log_state")
    op.drop_table("log_nodes")
    op.drop_index("ix_log_leaves_leaf_hash", table_name="log_leaves")
    op.drop_table("log_leaves")
