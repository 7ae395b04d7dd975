"""linkage: blind comparisons of two agencies' lists (issue 14, item 3)

Revision ID: 0006_comparisons
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_comparisons"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "linkage_comparisons",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("opened_by", sa.String(length=64), nullable=False),
        sa.Column("partner", sa.String(length=64), nullable=False),
        sa.Column("opened_by_key", sa.String(length=32), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("matched_at", sa.BigInteger(), nullable=True),
        sa.Column("pairs", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["opened_by"], ["agencies.id"],
                                name=op.f("fk_linkage_comparisons_opened_by_agencies")),
        sa.ForeignKeyConstraint(["partner"], ["agencies.id"], name=op.f("fk_linkage_comparisons_partner_agencies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_linkage_comparisons")),
    )
    op.create_index(op.f("ix_linkage_comparisons_opened_by"), "linkage_comparisons", ["opened_by"], unique=False)
    op.create_index(op.f("ix_linkage_comparisons_partner"), "linkage_comparisons", ["partner"], unique=False)
    op.create_index(op.f("ix_linkage_comparisons_expires_at"), "linkage_comparisons", ["expires_at"], unique=False)
    op.create_table(
        "linkage_comparison_sides",
        sa.Column("comparison_id", sa.String(length=32), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("steward_key_id", sa.String(length=16), nullable=True),
        sa.Column("submitted_at", sa.BigInteger(), nullable=True),
        sa.Column("matched", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"],
                                name=op.f("fk_linkage_comparison_sides_agency_id_agencies")),
        sa.ForeignKeyConstraint(["comparison_id"], ["linkage_comparisons.id"], ondelete="CASCADE",
                                name=op.f("fk_linkage_comparison_sides_comparison_id_linkage_comparisons")),
        sa.PrimaryKeyConstraint("comparison_id", "agency_id", name=op.f("pk_linkage_comparison_sides")),
    )
    op.create_table(
        "linkage_comparison_records",
        sa.Column("comparison_id", sa.String(length=32), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("row", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("record", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["comparison_id"], ["linkage_comparisons.id"], ondelete="CASCADE",
                                name=op.f("fk_linkage_comparison_records_comparison_id_linkage_comparisons")),
        sa.PrimaryKeyConstraint("comparison_id", "agency_id", "row", name=op.f("pk_linkage_comparison_records")),
    )
    op.create_table(
        "linkage_comparison_results",
        sa.Column("comparison_id", sa.String(length=32), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("row", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("match_ref", sa.String(length=24), nullable=False),
        sa.ForeignKeyConstraint(["comparison_id"], ["linkage_comparisons.id"], ondelete="CASCADE",
                                name=op.f("fk_linkage_comparison_results_comparison_id_linkage_comparisons")),
        sa.PrimaryKeyConstraint("comparison_id", "agency_id", "row", name=op.f("pk_linkage_comparison_results")),
    )


def downgrade() -> None:
    op.drop_table("linkage_comparison_results")
    op.drop_table("linkage_comparison_records")
    op.drop_table("linkage_comparison_sides")
    op.drop_index(op.f("ix_linkage_comparisons_expires_at"), table_name="linkage_comparisons")
    op.drop_index(op.f("ix_linkage_comparisons_partner"), table_name="linkage_comparisons")
    op.drop_index(op.f("ix_linkage_comparisons_opened_by"), table_name="linkage_comparisons")
    op.drop_table("linkage_comparisons")
