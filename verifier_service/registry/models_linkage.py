"""Tables of person linkage at registration (issue 14; revision ``0003_linkage``).

No names or attributes: a match record is the output of the stewards' threshold OPRF
(specs/linkage.md), computed at the registrar's desk. What is stored:

- ``linkage_match_records``: one per issued card whose desk ran a registration check; the
  record bytes, the issuing agency and the day it was issued.
- ``linkage_match_keys``: the record's exact keys, each cut to a signed 64-bit integer, as
  the blocking index (a key is a PRF output, so 64 bits leave false candidates at about
  one in 2^64 per pair, and every candidate is compared on its full record anyway).
- ``linkage_checks``: one registration check per offer (no free look-ups): the outcome and,
  until the card is issued or the offer is withdrawn, the submitted record.
- ``linkage_steward_shares``: when this service instance is a data steward, its OPRF key
  share, sealed with the KEK (AAD ``steward-share:<key id>``), and the public parts.

Blind comparison of two agencies' lists (revision ``0006_comparisons``):

- ``linkage_comparisons``: who opened it, with which agency, the threshold, when it expires
  and its status (no list content).
- ``linkage_comparison_sides``: per agency, how many rows it uploaded, the steward key it
  encoded with, when it submitted, how many of its rows matched and when it confirmed that
  it received its result.
- ``linkage_comparison_records``: the uploaded match records (encoded with the comparison id
  as context, so they match nothing outside it), by the agency's row number; deleted as soon
  as the comparison is matched.
- ``linkage_comparison_results``: per matched row, the random per-comparison reference that
  both sides' rows of one pair share; deleted when that side confirms receipt.
Everything of a comparison is deleted when it expires.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from verifier_service.registry.models import Base, BigId

__all__ = [
    "ComparisonRecordRow",
    "ComparisonResultRow",
    "ComparisonRow",
    "ComparisonSideRow",
    "LinkageCheck",
    "MatchKey",
    "MatchRecordRow",
    "StewardShareRow",
]


class MatchRecordRow(Base):
    """A registered person's match record, with who registered them and when."""

    __tablename__ = "linkage_match_records"
    __table_args__ = ({"sqlite_autoincrement": True},)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    credential_id: Mapped[str | None] = mapped_column(String(32), unique=True, nullable=True)
    offer_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    registered_at: Mapped[int] = mapped_column(BigInteger)
    record: Mapped[bytes] = mapped_column(LargeBinary)
    record_digest: Mapped[str] = mapped_column(String(64))


class MatchKey(Base):
    """Blocking index: (64-bit key prefix, record). The primary key orders by key first."""

    __tablename__ = "linkage_match_keys"
    key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    record_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("linkage_match_records.id", ondelete="CASCADE"), primary_key=True,
        autoincrement=False,
    )


class LinkageCheck(Base):
    """The registration check of one offer (its primary key: one check per offer)."""

    __tablename__ = "linkage_checks"
    __table_args__ = (Index("ix_linkage_checks_agency_id_checked_at", "agency_id", "checked_at"),)
    offer_id: Mapped[str] = mapped_column(ForeignKey("offers.offer_id"), primary_key=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    api_key_id: Mapped[str] = mapped_column(String(32))
    checked_at: Mapped[int] = mapped_column(BigInteger)
    outcome: Mapped[str] = mapped_column(String(16))  # no_match | possible_match
    matched_record_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    record: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    record_digest: Mapped[str] = mapped_column(String(64))
    resolution: Mapped[str | None] = mapped_column(String(24), nullable=True)  # different_person | same_person
    resolved_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    match_record_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # set at issuance


class StewardShareRow(Base):
    """This instance's share of a steward key (one row per dealing it takes part in)."""

    __tablename__ = "linkage_steward_shares"
    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    share_index: Mapped[int] = mapped_column(Integer)
    threshold: Mapped[int] = mapped_column(Integer)
    stewards: Mapped[int] = mapped_column(Integer)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    public_share: Mapped[bytes] = mapped_column(LargeBinary)
    secret_enc: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16))  # active | retired
    created_at: Mapped[int] = mapped_column(BigInteger)


class ComparisonRow(Base):
    """A blind comparison of two agencies' lists (one opens it, the other takes part)."""

    __tablename__ = "linkage_comparisons"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    opened_by: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    partner: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    opened_by_key: Mapped[str] = mapped_column(String(32))
    threshold: Mapped[float] = mapped_column(Float)
    created_at: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[int] = mapped_column(BigInteger, index=True)
    status: Mapped[str] = mapped_column(String(16))  # open | matched | closed | cancelled
    matched_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    pairs: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ComparisonSideRow(Base):
    """One agency's side of a comparison: counts and times, no content."""

    __tablename__ = "linkage_comparison_sides"
    comparison_id: Mapped[str] = mapped_column(
        ForeignKey("linkage_comparisons.id", ondelete="CASCADE"), primary_key=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    rows: Mapped[int] = mapped_column(Integer)
    steward_key_id: Mapped[str | None] = mapped_column(String(16), nullable=True)
    submitted_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    matched: Mapped[int | None] = mapped_column(Integer, nullable=True)
    received_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class ComparisonRecordRow(Base):
    """An uploaded match record of one row of one side (until the comparison is matched)."""

    __tablename__ = "linkage_comparison_records"
    comparison_id: Mapped[str] = mapped_column(
        ForeignKey("linkage_comparisons.id", ondelete="CASCADE"), primary_key=True)
    agency_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    row: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    record: Mapped[bytes] = mapped_column(LargeBinary)


class ComparisonResultRow(Base):
    """A matched row of one side and its per-comparison reference (until that side has it)."""

    __tablename__ = "linkage_comparison_results"
    comparison_id: Mapped[str] = mapped_column(
        ForeignKey("linkage_comparisons.id", ondelete="CASCADE"), primary_key=True)
    agency_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    row: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    match_ref: Mapped[str] = mapped_column(String(24))
