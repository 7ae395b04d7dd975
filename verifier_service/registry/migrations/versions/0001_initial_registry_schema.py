"""initial registry schema

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agencies",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("operator", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agencies")),
    )
    op.create_table(
        "audit_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=256), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_audit_events_agency_id_id", "audit_events", ["agency_id", "id"], unique=False
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_meta")),
    )
    op.create_table(
        "schemas",
        sa.Column("schema_id", sa.String(length=128), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("schema_id", "version", name=op.f("pk_schemas")),
    )
    op.create_table(
        "trust_lists",
        sa.Column("sequence", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("signed", sa.LargeBinary(), nullable=False),
        sa.Column("issued_at", sa.BigInteger(), nullable=False),
        sa.Column("next_update", sa.BigInteger(), nullable=False),
        sa.Column("grace", sa.BigInteger(), nullable=False),
        sa.Column("signer_kid", sa.String(length=16), nullable=False),
        sa.Column("signer_public_key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("sequence", name=op.f("pk_trust_lists")),
    )
    op.create_table(
        "devices",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("revoked_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_devices_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
        sa.UniqueConstraint("agency_id", "device_id", name=op.f("uq_devices_agency_id_device_id")),
    )
    op.create_table(
        "issuer_keys",
        sa.Column("kid", sa.String(length=16), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("suite", sa.String(length=32), nullable=False),
        sa.Column("nym_count", sa.Integer(), nullable=False),
        sa.Column("schemas", sa.Text(), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("secret_key_enc", sa.LargeBinary(), nullable=False),
        sa.Column("range_params", sa.LargeBinary(), nullable=True),
        sa.Column("not_before", sa.BigInteger(), nullable=False),
        sa.Column("not_after", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("retired_at", sa.BigInteger(), nullable=True),
        sa.Column("replaced_by", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_issuer_keys_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_issuer_keys")),
    )
    op.create_index(op.f("ix_issuer_keys_agency_id"), "issuer_keys", ["agency_id"], unique=False)
    op.create_table(
        "scopes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("description", sa.String(length=512), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["agencies.id"], name=op.f("fk_scopes_created_by_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scopes")),
        sa.UniqueConstraint("name", name=op.f("uq_scopes_name")),
    )
    op.create_table(
        "api_keys",
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("device_pk", sa.Integer(), nullable=True),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("revoked_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_api_keys_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["device_pk"], ["devices.id"], name=op.f("fk_api_keys_device_pk_devices")
        ),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_api_keys")),
    )
    op.create_index(op.f("ix_api_keys_agency_id"), "api_keys", ["agency_id"], unique=False)
    op.create_table(
        "credentials",
        sa.Column("credential_id", sa.String(length=32), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("issuer_kid", sa.String(length=16), nullable=False),
        sa.Column("schema_ref", sa.String(length=160), nullable=False),
        sa.Column("entropy_enc", sa.LargeBinary(), nullable=False),
        sa.Column("offer_id", sa.String(length=32), nullable=False),
        sa.Column("reissue_of", sa.String(length=32), nullable=True),
        sa.Column("issued_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_credentials_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["issuer_kid"], ["issuer_keys.kid"], name=op.f("fk_credentials_issuer_kid_issuer_keys")
        ),
        sa.PrimaryKeyConstraint("credential_id", name=op.f("pk_credentials")),
    )
    op.create_index(op.f("ix_credentials_agency_id"), "credentials", ["agency_id"], unique=False)
    op.create_table(
        "duplicate_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("scope_id", sa.Integer(), nullable=False),
        sa.Column("pseudonym", sa.LargeBinary(), nullable=False),
        sa.Column("first_agency_id", sa.String(length=64), nullable=False),
        sa.Column("first_enrolled_at", sa.BigInteger(), nullable=False),
        sa.Column("second_agency_id", sa.String(length=64), nullable=False),
        sa.Column("second_device_pk", sa.Integer(), nullable=True),
        sa.Column("second_enrolled_at", sa.BigInteger(), nullable=False),
        sa.Column("detected_at", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["first_agency_id"],
            ["agencies.id"],
            name=op.f("fk_duplicate_events_first_agency_id_agencies"),
        ),
        sa.ForeignKeyConstraint(
            ["scope_id"], ["scopes.id"], name=op.f("fk_duplicate_events_scope_id_scopes")
        ),
        sa.ForeignKeyConstraint(
            ["second_agency_id"],
            ["agencies.id"],
            name=op.f("fk_duplicate_events_second_agency_id_agencies"),
        ),
        sa.ForeignKeyConstraint(
            ["second_device_pk"],
            ["devices.id"],
            name=op.f("fk_duplicate_events_second_device_pk_devices"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_events")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_duplicate_events_first_agency_id", "duplicate_events", ["first_agency_id"], unique=False
    )
    op.create_index("ix_duplicate_events_scope_id", "duplicate_events", ["scope_id"], unique=False)
    op.create_index(
        "ix_duplicate_events_second_agency_id",
        "duplicate_events",
        ["second_agency_id"],
        unique=False,
    )
    op.create_table(
        "enrollments",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("scope_id", sa.Integer(), nullable=False),
        sa.Column("pseudonym", sa.LargeBinary(), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("device_pk", sa.Integer(), nullable=True),
        sa.Column("enrolled_at", sa.BigInteger(), nullable=False),
        sa.Column("recorded_at", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_enrollments_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["device_pk"], ["devices.id"], name=op.f("fk_enrollments_device_pk_devices")
        ),
        sa.ForeignKeyConstraint(
            ["scope_id"], ["scopes.id"], name=op.f("fk_enrollments_scope_id_scopes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollments")),
        sa.UniqueConstraint(
            "pseudonym", "scope_id", name=op.f("uq_enrollments_pseudonym_scope_id")
        ),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_enrollments_scope_id_id", "enrollments", ["scope_id", "id"], unique=False)
    op.create_table(
        "offers",
        sa.Column("offer_id", sa.String(length=32), nullable=False),
        sa.Column("credential_id", sa.String(length=32), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("issuer_kid", sa.String(length=16), nullable=False),
        sa.Column("schema_ref", sa.String(length=160), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("payload_enc", sa.LargeBinary(), nullable=True),
        sa.Column("reissue_of", sa.String(length=32), nullable=True),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("used_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_offers_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["issuer_kid"], ["issuer_keys.kid"], name=op.f("fk_offers_issuer_kid_issuer_keys")
        ),
        sa.PrimaryKeyConstraint("offer_id", name=op.f("pk_offers")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_offers_code_hash")),
        sa.UniqueConstraint("credential_id", name=op.f("uq_offers_credential_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_offers_token_hash")),
    )
    op.create_index(op.f("ix_offers_agency_id"), "offers", ["agency_id"], unique=False)
    op.create_index(op.f("ix_offers_expires_at"), "offers", ["expires_at"], unique=False)
    op.create_table(
        "verifier_keys",
        sa.Column("kid", sa.String(length=16), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("device_pk", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("not_before", sa.BigInteger(), nullable=False),
        sa.Column("not_after", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("revoked_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_verifier_keys_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["device_pk"], ["devices.id"], name=op.f("fk_verifier_keys_device_pk_devices")
        ),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_verifier_keys")),
    )
    op.create_index(
        op.f("ix_verifier_keys_agency_id"), "verifier_keys", ["agency_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_verifier_keys_agency_id"), table_name="verifier_keys")
    op.drop_table("verifier_keys")
    op.drop_index(op.f("ix_offers_expires_at"), table_name="offers")
    op.drop_index(op.f("ix_offers_agency_id"), table_name="offers")
    op.drop_table("offers")
    op.drop_index("ix_enrollments_scope_id_id", table_name="enrollments")
    op.drop_table("enrollments")
    op.drop_index("ix_duplicate_events_second_agency_id", table_name="duplicate_events")
    op.drop_index("ix_duplicate_events_scope_id", table_name="duplicate_events")
    op.drop_index("ix_duplicate_events_first_agency_id", table_name="duplicate_events")
    op.drop_table("duplicate_events")
    op.drop_index(op.f("ix_credentials_agency_id"), table_name="credentials")
    op.drop_table("credentials")
    op.drop_index(op.f("ix_api_keys_agency_id"), table_name="api_keys")
    op.drop_table("api_keys")
    op.drop_table("scopes")
    op.drop_index(op.f("ix_issuer_keys_agency_id"), table_name="issuer_keys")
    op.drop_table("issuer_keys")
    op.drop_table("devices")
    op.drop_table("trust_lists")
    op.drop_table("schemas")
    op.drop_table("meta")
    op.drop_index("ix_audit_events_agency_id_id", table_name="audit_events")
    op.drop_table("audit_events")
    op.drop_table("agencies")
