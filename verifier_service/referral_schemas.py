"""API schemas of the referral routes (``/v1/referrals``), separate from the SDK types."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from verifier_service.schemas import NO_CONTROL, Strict, UnixTime

__all__ = [
    "ReferralBatchItem",
    "ReferralBatchOut",
    "ReferralKeyCreate",
    "ReferralKeyOut",
    "ReferralOut",
    "ReferralStatusUpdate",
    "ReferralTypeOut",
    "ReferralTypeSet",
]

SUITE = Literal["X25519-SHA256-ChaCha20Poly1305", "MLKEM768X25519-SHA256-AES128GCM"]


class ReferralKeyCreate(Strict):
    """The *public* half of a referral key made on the agency's desk (``zkaid referral keygen``)."""

    name: str = Field(min_length=1, max_length=256, pattern=NO_CONTROL,
                      description="Shown to people on the consent screen, e.g. the agency's name.")
    suite: SUITE
    public_key: str = Field(pattern=r"^[0-9a-fA-F]{64}$|^[0-9a-fA-F]{2432}$",
                            description="Hex: 32 bytes (X25519) or 1216 bytes (ML-KEM-768 || X25519).")
    not_before: UnixTime | None = None
    not_after: UnixTime | None = None


class ReferralKeyOut(BaseModel):
    kid: str
    agency: str
    name: str
    suite: str
    public_key: str
    not_before: int
    not_after: int
    created_at: int
    revoked_at: int | None


class ReferralTypeSet(Strict):
    labels: dict[str, str] = Field(min_length=1, max_length=32,
                                   description="Label per language code; 'en' is required.",
                                   examples=[{"en": "Health care", "fr": "Soins de santé"}])


class ReferralTypeOut(BaseModel):
    id: str
    labels: dict[str, str]


class ReferralStatusUpdate(Strict):
    status: Literal["received", "accepted", "declined", "completed"]


class ReferralOut(BaseModel):
    """A referral as the service knows it: routing and status, never content."""

    referral_id: str
    from_agency: str
    to_agency: str
    status: str
    created_at: int
    expires_at: int
    submitted_at: int
    updated_at: int
    recipient_kid: str
    suite: str
    digest: str
    has_content: bool


class ReferralBatchItem(BaseModel):
    index: int
    created: bool
    referral: ReferralOut | None = None
    reason: str | None = Field(default=None, description="Why this item was refused (as POST /v1/referrals).")
    detail: str | None = None


class ReferralBatchOut(BaseModel):
    results: list[ReferralBatchItem]
