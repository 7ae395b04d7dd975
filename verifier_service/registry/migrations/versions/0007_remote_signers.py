"""remote signers: issuer keys whose secret stays with the agency's own signer (issue 16)

Revision ID: 0007_signers
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_signers"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "remote_signers",
        sa.Column("kid", sa.String(length=16), nullable=False),
        sa.Column("url", sa.String(length=512), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["kid"], ["issuer_keys.kid"], name=op.f("fk_remote_signers_kid_issuer_keys")),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_remote_signers")),
    )


def downgrade() -> None:
    op.drop_table("remote_signers")
