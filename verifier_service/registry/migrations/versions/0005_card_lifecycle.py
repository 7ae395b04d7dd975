"""card lifecycle: card records (person binding, sealed revocation handle, status),
replacement blocks and signed per-scope revocation updates (issue 13)

Revision ID: 0005_lifecycle
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_lifecycle"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "card_records",
        sa.Column("credential_id", sa.String(length=32), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("issuer_kid", sa.String(length=16), nullable=False),
        sa.Column("suite", sa.String(length=32), nullable=False),
        sa.Column("binding", sa.String(length=96), nullable=True),
        sa.Column("handle_enc", sa.LargeBinary(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("issued_at", sa.BigInteger(), nullable=False),
        sa.Column("revoked_at", sa.BigInteger(), nullable=True),
        sa.Column("revoke_reason", sa.String(length=32), nullable=True),
        sa.Column("replaces", sa.String(length=32), nullable=True),
        sa.Column("reissue_path", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_card_records_agency_id_agencies")),
        sa.ForeignKeyConstraint(["credential_id"], ["credentials.credential_id"],
                                name=op.f("fk_card_records_credential_id_credentials")),
        sa.PrimaryKeyConstraint("credential_id", name=op.f("pk_card_records")),
    )
    op.create_index(op.f("ix_card_records_agency_id"), "card_records", ["agency_id"], unique=False)
    op.create_index(op.f("ix_card_records_issuer_kid"), "card_records", ["issuer_kid"], unique=False)
    op.create_index(op.f("ix_card_records_binding"), "card_records", ["binding"], unique=False)
    op.create_index(op.f("ix_card_records_status"), "card_records", ["status"], unique=False)
    op.create_table(
        "card_blocks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("credential_id", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.String(length=256), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["credential_id"], ["card_records.credential_id"],
                                name=op.f("fk_card_blocks_credential_id_card_records")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_blocks")),
        sa.UniqueConstraint("credential_id", "scope", name=op.f("uq_card_blocks_credential_id_scope")),
    )
    op.create_index(op.f("ix_card_blocks_credential_id"), "card_blocks", ["credential_id"], unique=False)
    op.create_index(op.f("ix_card_blocks_scope"), "card_blocks", ["scope"], unique=False)
    op.create_table(
        "revocation_updates",
        sa.Column("scope", sa.String(length=256), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("issued_at", sa.BigInteger(), nullable=False),
        sa.Column("next_update", sa.BigInteger(), nullable=False),
        sa.Column("content_digest", sa.String(length=64), nullable=False),
        sa.Column("signed", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_revocation_updates")),
    )


def downgrade() -> None:
    op.drop_table("revocation_updates")
    op.drop_index(op.f("ix_card_blocks_scope"), table_name="card_blocks")
    op.drop_index(op.f("ix_card_blocks_credential_id"), table_name="card_blocks")
    op.drop_table("card_blocks")
    op.drop_index(op.f("ix_card_records_status"), table_name="card_records")
    op.drop_index(op.f("ix_card_records_binding"), table_name="card_records")
    op.drop_index(op.f("ix_card_records_issuer_kid"), table_name="card_records")
    op.drop_index(op.f("ix_card_records_agency_id"), table_name="card_records")
    op.drop_table("card_records")
