"""JSON shapes of the linkage routes (issue 14): registration checks, steward answers and
blind list comparisons.
Binary values: match records and steward answers are base64, group elements hex."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from verifier_service.schemas import Strict

__all__ = [
    "CheckIn",
    "CheckOut",
    "ComparisonListOut",
    "ComparisonOpenIn",
    "ComparisonOut",
    "ComparisonResultOut",
    "ComparisonSideOut",
    "MatchOut",
    "MatchRowOut",
    "OprfIn",
    "OprfOut",
    "ResolutionIn",
    "ResolutionOut",
    "StewardOut",
    "SubmitIn",
    "UploadOut",
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


# ------------------------------------------------------------------ list comparisons

AgencyId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]


class ComparisonOpenIn(Strict):
    partner: AgencyId = Field(description="the id of the other agency, whose list yours is compared with")
    threshold: float = Field(default=0.55, ge=0.5, le=1.0,
                             description="match-record similarity for a pair (the default is `zkaid dedup link`'s)")


class ComparisonSideOut(BaseModel):
    agency: str
    submitted: bool
    rows: int | None = Field(description="rows uploaded (your own side only; null for the other side)")
    matched: int | None = Field(description="your rows that have a partner (your side, once matched)")
    received: bool | None = Field(description="you confirmed receipt of your result (your side only)")


class ComparisonOut(BaseModel):
    id: str = Field(description="the comparison id: both agencies encode their lists with it as the context")
    opened_by: str
    partner: str
    threshold: float
    created_at: int
    expires_at: int = Field(description="everything of the comparison is deleted at this time")
    status: Literal["open", "matched", "closed", "cancelled"]
    sides: list[ComparisonSideOut]


class ComparisonListOut(BaseModel):
    comparisons: list[ComparisonOut]


class UploadOut(BaseModel):
    comparison: str
    rows: int = Field(description="rows of your side uploaded so far")


class SubmitIn(Strict):
    rows: int = Field(ge=1, description="how many rows you uploaded (checked against what arrived)")
    steward_key_id: Annotated[str, Field(pattern=r"^[0-9a-f]{16}$")] | None = Field(
        default=None, description="the steward key your records were encoded with (both sides must agree)")


class MatchRowOut(BaseModel):
    row: int = Field(description="your row number (1 = the first data row of your list)")
    match_ref: str = Field(description="random per comparison; the other agency's matched row has the same one")


class ComparisonResultOut(BaseModel):
    comparison: str
    rows: int = Field(description="rows of your list in the comparison")
    next: int | None = Field(description="pass as ?after= for the next page; null on the last page")
    matches: list[MatchRowOut] = Field(description="only your rows that have a partner on the other list")
