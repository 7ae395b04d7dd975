"""Issuer keys held by an agency's own signer (issue 16; docs/deployment.md §8).

A key listed here has no secret in this database: ``issuer_keys.secret_key_enc`` is empty
(zero bytes) and issuance is forwarded to ``url``, the agency's ``zkaid signer serve``.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from verifier_service.registry.models import Base

__all__ = ["RemoteSigner"]


class RemoteSigner(Base):
    __tablename__ = "remote_signers"
    kid: Mapped[str] = mapped_column(ForeignKey("issuer_keys.kid"), primary_key=True)
    url: Mapped[str] = mapped_column(String(512))
    created_at: Mapped[int] = mapped_column(BigInteger)
    created_by: Mapped[str] = mapped_column(String(64))
