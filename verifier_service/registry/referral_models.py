"""Referral tables (issue 15). The service stores and forwards ciphertext only.

- ``referral_keys``: agencies' HPKE *public* keys, published in the trust list. The private
  keys stay on the receiving agencies' desks; the service never holds them.
- ``referral_types``: the agreed list of referral types, with labels per language.
- ``referrals``: one row per referral: routing header (ids, agencies, key id, times), the
  person's pseudonym in the receiving agency's referral scope, the sealed bytes while they
  are needed (NULL once withdrawn, expired, declined or completed) and the status.
  No type, note or attribute is ever stored in clear.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from verifier_service.registry.models import Base

__all__ = ["ReferralKeyRow", "ReferralRow", "ReferralTypeRow"]


class ReferralKeyRow(Base):
    __tablename__ = "referral_keys"
    kid: Mapped[str] = mapped_column(String(16), primary_key=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    name: Mapped[str] = mapped_column(String(256))
    suite: Mapped[str] = mapped_column(String(64))
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    not_before: Mapped[int] = mapped_column(BigInteger)
    not_after: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[int] = mapped_column(BigInteger)
    revoked_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class ReferralTypeRow(Base):
    __tablename__ = "referral_types"
    type_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    labels: Mapped[str] = mapped_column(Text)  # JSON {lang: label}
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class ReferralRow(Base):
    __tablename__ = "referrals"
    __table_args__ = (
        Index("ix_referrals_to_agency_id_status", "to_agency_id", "status"),
        Index("ix_referrals_from_agency_id_submitted_at", "from_agency_id", "submitted_at"),
        Index("ix_referrals_pseudonym", "pseudonym"),
        Index("ix_referrals_delete_after", "delete_after"),
    )
    referral_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    from_agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    to_agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    recipient_kid: Mapped[str] = mapped_column(String(16))
    suite: Mapped[str] = mapped_column(String(64))
    pseudonym: Mapped[bytes] = mapped_column(LargeBinary)
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[int] = mapped_column(BigInteger)
    submitted_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)
    delete_after: Mapped[int] = mapped_column(BigInteger)
