"""Card lifecycle tables (issue 13; specs/revocation.md). No personal data.

- ``card_records``: one row per issued card: its issuer key and suite, the person binding
  R (a 48-byte point, hex; see sdk.credential.lifecycle) when the wallet sent one, the
  revocation handle sealed with the KEK (AAD "card-handle:<credential id>"), its status and,
  for a re-issue, which card it replaces and by which path.
- ``card_blocks``: scopes a replacement card may not enroll in, because the card it
  replaces may already have (a re-issue without the recovery code).
- ``revocation_updates``: the latest signed per-scope update and the digest of its content,
  so an unchanged list is not re-signed on every download.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from verifier_service.registry.models import Base

__all__ = ["CardBlock", "CardRecord", "RevocationUpdateRow"]


class CardRecord(Base):
    __tablename__ = "card_records"
    credential_id: Mapped[str] = mapped_column(ForeignKey("credentials.credential_id"), primary_key=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    issuer_kid: Mapped[str] = mapped_column(String(16), index=True)
    suite: Mapped[str] = mapped_column(String(32))
    binding: Mapped[str | None] = mapped_column(String(96), nullable=True, index=True)
    handle_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    status: Mapped[str] = mapped_column(String(16), index=True)  # "active" | "revoked"
    issued_at: Mapped[int] = mapped_column(BigInteger)
    revoked_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    revoke_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    replaces: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reissue_path: Mapped[str | None] = mapped_column(String(16), nullable=True)  # "restored" | "lost_code"


class CardBlock(Base):
    __tablename__ = "card_blocks"
    __table_args__ = (UniqueConstraint("credential_id", "scope"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    credential_id: Mapped[str] = mapped_column(ForeignKey("card_records.credential_id"), index=True)
    scope: Mapped[str] = mapped_column(String(256), index=True)
    created_at: Mapped[int] = mapped_column(BigInteger)


class RevocationUpdateRow(Base):
    __tablename__ = "revocation_updates"
    scope: Mapped[str] = mapped_column(String(256), primary_key=True)
    sequence: Mapped[int] = mapped_column(BigInteger)
    issued_at: Mapped[int] = mapped_column(BigInteger)
    next_update: Mapped[int] = mapped_column(BigInteger)
    content_digest: Mapped[str] = mapped_column(String(64))
    signed: Mapped[bytes] = mapped_column(LargeBinary)
