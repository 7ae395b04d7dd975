"""linkage: match records, blocking keys, registration checks, steward shares (issue 14)

Revision ID: 0003_linkage
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_linkage"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "linkage_match_records",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("credential_id", sa.String(length=32), nullable=True),
        sa.Column("offer_id", sa.String(length=32), nullable=True),
        sa.Column("registered_at", sa.BigInteger(), nullable=False),
        sa.Column("record", sa.LargeBinary(), nullable=False),
        sa.Column("record_digest", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"],
                                name=op.f("fk_linkage_match_records_agency_id_agencies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_linkage_match_records")),
        sa.UniqueConstraint("credential_id", name=op.f("uq_linkage_match_records_credential_id")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_linkage_match_records_agency_id"), "linkage_match_records", ["agency_id"],
                    unique=False)
    op.create_table(
        "linkage_match_keys",
        sa.Column("key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("record_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["linkage_match_records.id"], ondelete="CASCADE",
                                name=op.f("fk_linkage_match_keys_record_id_linkage_match_records")),
        sa.PrimaryKeyConstraint("key", "record_id", name=op.f("pk_linkage_match_keys")),
    )
    op.create_table(
        "linkage_checks",
        sa.Column("offer_id", sa.String(length=32), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("api_key_id", sa.String(length=32), nullable=False),
        sa.Column("checked_at", sa.BigInteger(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("matched_record_id", sa.BigInteger(), nullable=True),
        sa.Column("record", sa.LargeBinary(), nullable=True),
        sa.Column("record_digest", sa.String(length=64), nullable=False),
        sa.Column("resolution", sa.String(length=24), nullable=True),
        sa.Column("resolved_at", sa.BigInteger(), nullable=True),
        sa.Column("resolved_by", sa.String(length=32), nullable=True),
        sa.Column("match_record_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_linkage_checks_agency_id_agencies")),
        sa.ForeignKeyConstraint(["offer_id"], ["offers.offer_id"], name=op.f("fk_linkage_checks_offer_id_offers")),
        sa.PrimaryKeyConstraint("offer_id", name=op.f("pk_linkage_checks")),
    )
    op.create_index("ix_linkage_checks_agency_id_checked_at", "linkage_checks", ["agency_id", "checked_at"],
                    unique=False)
    op.create_table(
        "linkage_steward_shares",
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("share_index", sa.Integer(), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("stewards", sa.Integer(), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("public_share", sa.LargeBinary(), nullable=False),
        sa.Column("secret_enc", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_linkage_steward_shares")),
    )


def downgrade() -> None:
    op.drop_table("linkage_steward_shares")
    op.drop_index("ix_linkage_checks_agency_id_checked_at", table_name="linkage_checks")
    op.drop_table("linkage_checks")
    op.drop_table("linkage_match_keys")
    op.drop_index(op.f("ix_linkage_match_records_agency_id"), table_name="linkage_match_records")
    op.drop_table("linkage_match_records")
