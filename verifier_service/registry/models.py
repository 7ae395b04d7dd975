"""The registry's tables (SQLAlchemy 2 declarative). No personal data lives here.

What is stored: agencies, devices, hashed API keys, issuer keys (secret part encrypted with
the KEK), verifier public keys, schemas, scopes, offers (attribute values encrypted, and only
until the offer is used or expires), issuance records (signer entropy encrypted), scope
pseudonyms with the agency and time of enrollment, duplicate events, signed trust lists and
an audit log of actions. Names, attribute values in clear, tokens and API keys never are.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "Agency",
    "ApiKey",
    "AuditEvent",
    "Base",
    "Credential",
    "Device",
    "DuplicateEvent",
    "Enrollment",
    "IssuerKeyRow",
    "Meta",
    "OfferRow",
    "SchemaRow",
    "Scope",
    "TrustListRow",
    "VerifierKeyRow",
]

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# 64-bit ids on PostgreSQL; SQLite only auto-increments an INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Meta(Base):
    """Service-wide facts, e.g. the KEK check value (encrypted known text)."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)


class Agency(Base):
    __tablename__ = "agencies"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(256))
    operator: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[int] = mapped_column(BigInteger)


class Device(Base):
    __tablename__ = "devices"
    __table_args__ = (UniqueConstraint("agency_id", "device_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    device_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[int] = mapped_column(BigInteger)
    revoked_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class ApiKey(Base):
    """An agency's API key: only its SHA-256 digest is kept."""

    __tablename__ = "api_keys"
    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    device_pk: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), nullable=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    label: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    revoked_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class SchemaRow(Base):
    __tablename__ = "schemas"
    schema_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    definition: Mapped[str] = mapped_column(Text)
    created_at: Mapped[int] = mapped_column(BigInteger)


class IssuerKeyRow(Base):
    """A BBS issuer key; ``secret_key_enc`` is AES-GCM under the KEK (AAD = kid)."""

    __tablename__ = "issuer_keys"
    kid: Mapped[str] = mapped_column(String(16), primary_key=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    name: Mapped[str] = mapped_column(String(256))
    suite: Mapped[str] = mapped_column(String(32))
    nym_count: Mapped[int] = mapped_column(Integer)
    schemas: Mapped[str] = mapped_column(Text)  # JSON list of "id@version"
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    secret_key_enc: Mapped[bytes] = mapped_column(LargeBinary)
    range_params: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    not_before: Mapped[int] = mapped_column(BigInteger)
    not_after: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))  # active | retired
    created_at: Mapped[int] = mapped_column(BigInteger)
    retired_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    replaced_by: Mapped[str | None] = mapped_column(String(16), nullable=True)


class VerifierKeyRow(Base):
    """An Ed25519 public key that may sign presentation requests (a desk or a device)."""

    __tablename__ = "verifier_keys"
    kid: Mapped[str] = mapped_column(String(16), primary_key=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    device_pk: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), nullable=True)
    name: Mapped[str] = mapped_column(String(256))
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    not_before: Mapped[int] = mapped_column(BigInteger)
    not_after: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[int] = mapped_column(BigInteger)
    revoked_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class Scope(Base):
    """A deduplication scope (one programme round), shared by every agency."""

    __tablename__ = "scopes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(256), unique=True)
    description: Mapped[str] = mapped_column(String(512), default="")
    created_by: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    created_at: Mapped[int] = mapped_column(BigInteger)


class OfferRow(Base):
    """A pending offer. ``payload_enc`` (the Offer bytes and the attribute values) is
    AES-GCM under the KEK and is deleted once the offer is used or has expired."""

    __tablename__ = "offers"
    offer_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    credential_id: Mapped[str] = mapped_column(String(32), unique=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    issuer_kid: Mapped[str] = mapped_column(ForeignKey("issuer_keys.kid"))
    schema_ref: Mapped[str] = mapped_column(String(160))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    payload_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    reissue_of: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[int] = mapped_column(BigInteger, index=True)
    used_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class Credential(Base):
    """An issuance record: which key signed, and the signer entropy (encrypted, AAD =
    credential id) for re-issue. Nothing about the person."""

    __tablename__ = "credentials"
    credential_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    issuer_kid: Mapped[str] = mapped_column(ForeignKey("issuer_keys.kid"))
    schema_ref: Mapped[str] = mapped_column(String(160))
    entropy_enc: Mapped[bytes] = mapped_column(LargeBinary)
    offer_id: Mapped[str] = mapped_column(String(32))
    reissue_of: Mapped[str | None] = mapped_column(String(32), nullable=True)
    issued_at: Mapped[int] = mapped_column(BigInteger)


class Enrollment(Base):
    """One person in one scope: the pseudonym, who enrolled it and when.

    ``id`` is the sync cursor. Enrollment writers are serialised (SQLite's write lock,
    a PostgreSQL advisory lock), so ids are committed in increasing order and a cursor
    never skips a row that commits later.
    """

    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("pseudonym", "scope_id"),
        Index("ix_enrollments_scope_id_id", "scope_id", "id"),
        {"sqlite_autoincrement": True},
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    scope_id: Mapped[int] = mapped_column(ForeignKey("scopes.id"))
    pseudonym: Mapped[bytes] = mapped_column(LargeBinary)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    device_pk: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), nullable=True)
    enrolled_at: Mapped[int] = mapped_column(BigInteger)
    recorded_at: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(8))  # online | sync | verify


class DuplicateEvent(Base):
    """A second enrollment of a pseudonym in a scope, kept for both agencies to see."""

    __tablename__ = "duplicate_events"
    __table_args__ = (
        Index("ix_duplicate_events_first_agency_id", "first_agency_id"),
        Index("ix_duplicate_events_second_agency_id", "second_agency_id"),
        Index("ix_duplicate_events_scope_id", "scope_id"),
        {"sqlite_autoincrement": True},
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    scope_id: Mapped[int] = mapped_column(ForeignKey("scopes.id"))
    pseudonym: Mapped[bytes] = mapped_column(LargeBinary)
    first_agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    first_enrolled_at: Mapped[int] = mapped_column(BigInteger)
    second_agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    second_device_pk: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), nullable=True)
    second_enrolled_at: Mapped[int] = mapped_column(BigInteger)
    detected_at: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(8))


class TrustListRow(Base):
    __tablename__ = "trust_lists"
    sequence: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    signed: Mapped[bytes] = mapped_column(LargeBinary)
    issued_at: Mapped[int] = mapped_column(BigInteger)
    next_update: Mapped[int] = mapped_column(BigInteger)
    grace: Mapped[int] = mapped_column(BigInteger)
    signer_kid: Mapped[str] = mapped_column(String(16))
    signer_public_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[int] = mapped_column(BigInteger)


class AuditEvent(Base):
    """Who did what, when: actions, key ids, counts and digests; never personal data."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_agency_id_id", "agency_id", "id"),
        {"sqlite_autoincrement": True},
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[int] = mapped_column(BigInteger)
    agency_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(256), default="")
    detail: Mapped[str] = mapped_column(Text, default="{}")


# Feature tables live in modules of their own (each with its alembic branch off 0001);
# importing them here puts them in Base.metadata wherever the models are loaded.
from verifier_service.registry import lifecycle_models as _lifecycle_models  # noqa: E402,F401
from verifier_service.registry import log_models as _log_models  # noqa: E402,F401
from verifier_service.registry import models_linkage as _models_linkage  # noqa: E402,F401
from verifier_service.registry import referral_models as _referral_models  # noqa: E402,F401
from verifier_service.registry import signer_models as _signer_models  # noqa: E402,F401
