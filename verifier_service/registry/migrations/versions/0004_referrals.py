"""referrals: referral keys, referral types and sealed referrals (issue 15)

Revision ID: 0004_referrals
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_referrals"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "referral_keys",
        sa.Column("kid", sa.String(length=16), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("suite", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("not_before", sa.BigInteger(), nullable=False),
        sa.Column("not_after", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("revoked_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_referral_keys_agency_id_agencies")),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_referral_keys")),
    )
    op.create_index(op.f("ix_referral_keys_agency_id"), "referral_keys", ["agency_id"], unique=False)
    op.create_table(
        "referral_types",
        sa.Column("type_id", sa.String(length=64), nullable=False),
        sa.Column("labels", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("type_id", name=op.f("pk_referral_types")),
    )
    op.create_table(
        "referrals",
        sa.Column("referral_id", sa.String(length=32), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("from_agency_id", sa.String(length=64), nullable=False),
        sa.Column("to_agency_id", sa.String(length=64), nullable=False),
        sa.Column("recipient_kid", sa.String(length=16), nullable=False),
        sa.Column("suite", sa.String(length=64), nullable=False),
        sa.Column("pseudonym", sa.LargeBinary(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("submitted_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("delete_after", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["from_agency_id"], ["agencies.id"],
                                name=op.f("fk_referrals_from_agency_id_agencies")),
        sa.ForeignKeyConstraint(["to_agency_id"], ["agencies.id"], name=op.f("fk_referrals_to_agency_id_agencies")),
        sa.PrimaryKeyConstraint("referral_id", name=op.f("pk_referrals")),
        sa.UniqueConstraint("digest", name=op.f("uq_referrals_digest")),
    )
    op.create_index("ix_referrals_to_agency_id_status", "referrals", ["to_agency_id", "status"], unique=False)
    op.create_index("ix_referrals_from_agency_id_submitted_at", "referrals", ["from_agency_id", "submitted_at"],
                    unique=False)
    op.create_index("ix_referrals_pseudonym", "referrals", ["pseudonym"], unique=False)
    op.create_index("ix_referrals_delete_after", "referrals", ["delete_after"], unique=False)


def downgrade() -> None:
    op.drop_table("referrals")
    op.drop_table("referral_types")
    op.drop_index(op.f("ix_referral_keys_agency_id"), table_name="referral_keys")
    op.drop_table("referral_keys")
