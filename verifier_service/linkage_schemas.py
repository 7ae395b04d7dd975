"""JSON shapes of the linkage routes (issue 14): registration checks and steward answers.
Binary values: match records and steward answers are base64, group elements hex."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from verifier_service.schemas import Strict

__all__ = [
    "CheckIn",
    "CheckOut",
    "MatchOut",
    "OprfIn",
    "OprfOut",
    "ResolutionIn",
    "ResolutionOut",
    "StewardOut",
]

OfferId = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$", description="the offer this registration will use")]
G1Hex = Annotated[str, Field(pattern=r"^[0-9a-fA-F]{96}$", description="48-byte compressed BLS12-381 G1 point")]


class CheckIn(Strict):
    offer_id: OfferId
    record: str = Field(min_length=4, max_length=24_000, pattern=r"^[A-Za-z0-9+/]+={0,2}$",
                        description="base64 of the person's match record, computed at the desk (never names)")


class MatchOut(BaseModel):
    agency: str = Field(description="display name of the agency that registered the other record")
    registered_on: str = Field(description="the day it was registered (YYYY-MM-DD, UTC)")


class CheckOut(BaseModel):
    offer_id: str
    outcome: Literal["no_match", "possible_match"]
    matches: list[MatchOut] = Field(description="empty for no_match; at most five, no attribute of the other record")
    checked_at: int


class ResolutionIn(Strict):
    decision: Literal["different_person", "same_person"] = Field(
        description="different_person releases the offer for issuance; same_person withdraws it (no new card)")


class ResolutionOut(BaseModel):
    offer_id: str
    decision: str


class OprfIn(Strict):
    blinded: list[G1Hex] = Field(min_length=1, max_length=10_000)
    key_id: Annotated[str, Field(pattern=r"^[0-9a-f]{16}$")] | None = Field(
        default=None, description="the steward key the client expects (refused with 409 if this steward holds another)")


class OprfOut(BaseModel):
    key_id: str
    index: int = Field(description="this steward's share index")
    answer: str = Field(description="base64 of the StewardAnswer: evaluated elements and the DLEQ proof")


class StewardOut(BaseModel):
    key_id: str
    index: int
    threshold: int
    stewards: int
    public_key: str = Field(description="the steward key's group public key, hex")
    public_share: str = Field(description="this steward's public share (the DLEQ proof's public key), hex")
