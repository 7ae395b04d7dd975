"""Person linkage at registration (issue 14): the registration check and the steward side.

Registration check. Before issuing a card, the registrar's desk computes the person's match
record (the stewards' threshold OPRF over normalised person data, specs/linkage.md) and
submits it with the offer it is about to hand out. The registry looks the record up:

1. blocking: the record's exact keys, cut to 64-bit integers, against an indexed table;
2. the candidates' full records are compared with :func:`sdk.linkage.encode.compare`;
   a score at or above the threshold is a possible match.

The answer names only the agency that registered the other record and the day it did; no
attribute, record or credential id crosses. One check per offer (an offer of the caller's
agency, pending), every check audited with digests only. When the card is issued
(:func:`on_credential_issued`, called from the issuance transaction) the submitted record
is stored with the issuing agency and day by :func:`store_match_record`, the single place
a match record enters the registry. A possible match holds the offer until the registrar
records the outcome of the desk workflow (docs/deduplication.md): ``same_person``
withdraws the offer, ``different_person`` lets it be issued.

Steward side. A service instance that is a data steward holds one share of the OPRF key,
sealed with the KEK, and evaluates blinded elements with it (RFC 9497 §3.3.2 BlindEvaluate
plus its DLEQ proof); it never sees an input.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from sdk.errors import EncodingError, ParameterError
from sdk.linkage.encode import DEFAULT_THRESHOLD, MatchRecord, compare
from sdk.linkage.oprf import StewardShare, steward_evaluate
from sdk.log import match_entry
from sdk.reasons import LinkageServiceReason
from verifier_service.registry.db import Store
from verifier_service.registry.models import Agency, OfferRow
from verifier_service.registry.models_linkage import (
    LinkageCheck,
    MatchKey,
    MatchRecordRow,
    StewardShareRow,
)
from verifier_service.services import audit, log
from verifier_service.services.auth import Principal
from verifier_service.services.errors import BadInput, Conflict, Forbidden, Gone, Invalid, NotFound
from verifier_service.services.sealing import Keyring

__all__ = [
    "DEFAULT_THRESHOLD",
    "MAX_CANDIDATES",
    "MAX_RECORD_BYTES",
    "Candidate",
    "CheckResult",
    "PossibleMatch",
    "StewardInfo",
    "check_registration",
    "evaluate",
    "import_share",
    "key_prefix",
    "load_share",
    "on_credential_issued",
    "resolve",
    "steward_info",
    "store_match_record",
]

MAX_CANDIDATES = 200  # compared on the full record, most shared keys first
MAX_RECORD_BYTES = 16 * 1024
MAX_MATCHES_SHOWN = 5
RESOLUTIONS = ("different_person", "same_person")


@dataclass(frozen=True)
class PossibleMatch:
    agency: str  # display name
    registered_on: str  # YYYY-MM-DD (UTC)


@dataclass(frozen=True)
class CheckResult:
    offer_id: str
    outcome: str  # no_match | possible_match
    matches: tuple[PossibleMatch, ...]
    checked_at: int


@dataclass(frozen=True)
class StewardInfo:
    key_id: str
    index: int
    threshold: int
    stewards: int
    public_key: bytes
    public_share: bytes


def key_prefix(key: bytes) -> int:
    """The blocking value of one exact key: its first 8 bytes as a signed 64-bit integer
    (keys are PRF outputs, so any 8 bytes are as good as any other)."""
    if len(key) < 8:
        raise Invalid("a match key is at least 8 bytes", reason=LinkageServiceReason.INVALID_MATCH_RECORD)
    return int.from_bytes(key[:8], "big", signed=True)


def _digest(record: bytes) -> str:
    return hashlib.sha256(b"zkaid/linkage/match-record/v1" + record).hexdigest()


def _decode(record: bytes) -> MatchRecord:
    if not record or len(record) > MAX_RECORD_BYTES:
        raise BadInput(f"a match record is 1 to {MAX_RECORD_BYTES} bytes", reason=LinkageServiceReason.INVALID_MATCH_RECORD)
    try:
        rec = MatchRecord.from_bytes(record)
    except EncodingError as exc:
        raise BadInput(f"not a match record: {exc.message}", reason=LinkageServiceReason.INVALID_MATCH_RECORD) from exc
    if rec.to_bytes() != bytes(record):  # one encoding per record: no trailing or re-encoded bytes
        raise BadInput("the match record is not in its canonical encoding", reason=LinkageServiceReason.INVALID_MATCH_RECORD)
    if not rec.keys:
        raise Invalid("a match record needs at least one exact key", reason=LinkageServiceReason.INVALID_MATCH_RECORD)
    return rec


def _day(t: int) -> str:
    return dt.datetime.fromtimestamp(t, dt.UTC).date().isoformat()


# ------------------------------------------------------------------ matching

@dataclass(frozen=True)
class Candidate:
    """A stored record that matched: its row id, registering agency and time, and why."""

    record_id: int
    agency: str
    registered_at: int
    score: float
    shared_keys: int


def find_matches(session: Session, rec: MatchRecord, *, threshold: float, min_shared_keys: int = 0,
                 exclude_credential: str | None = None) -> list[Candidate]:
    """Blocking on the exact keys, then the decision on each candidate; best first.

    A candidate is a possible match when it shares at least ``min_shared_keys`` exact keys
    (each key already joins several fields, both names or a name with the full date of birth,
    so two in common are strong evidence even when a transliteration or a typo pulls the
    similarity down), or when its similarity (:func:`compare`, the Dice coefficient of the
    filter segments of a shared key) reaches ``threshold``. A re-issue's check leaves out
    the record of the card it replaces (``exclude_credential``): that is the same person by
    design."""
    prefixes = sorted({key_prefix(k) for k in rec.keys})
    cand = session.execute(
        select(MatchKey.record_id, func.count().label("n"))
        .where(MatchKey.key.in_(prefixes))
        .group_by(MatchKey.record_id)
        .order_by(func.count().desc(), MatchKey.record_id)
        .limit(MAX_CANDIDATES)
    ).all()
    if not cand:
        return []
    rows = session.execute(  # plain tuples: no ORM objects for what is read once
        select(MatchRecordRow.id, MatchRecordRow.agency_id, MatchRecordRow.registered_at, MatchRecordRow.record,
               MatchRecordRow.credential_id)
        .where(MatchRecordRow.id.in_([c[0] for c in cand]))
    ).all()
    mine = set(rec.keys)
    found: list[Candidate] = []
    for rid, agency, at, data, credential in rows:
        if exclude_credential is not None and credential == exclude_credential:
            continue
        try:
            other = MatchRecord.from_bytes(data)
        except EncodingError:  # pragma: no cover - stored records were decoded before
            continue
        shared = len(mine.intersection(other.keys))
        score = compare(rec, other)
        if score >= threshold or (min_shared_keys and shared >= min_shared_keys):
            found.append(Candidate(rid, agency, at, score, shared))
    found.sort(key=lambda c: (-c.shared_keys, -c.score, c.record_id))
    return found


def check_registration(store: Store, *, now: int, principal: Principal, offer_id: str, record: bytes,
                       threshold: float = DEFAULT_THRESHOLD, min_shared_keys: int = 0) -> CheckResult:
    """The registration check of one pending offer of the caller's agency."""
    rec = _decode(record)
    digest = _digest(record)
    with store.write() as s:
        offer = s.get(OfferRow, offer_id)
        if offer is None or offer.agency_id != principal.agency:
            raise NotFound("no pending offer with this id was created by your agency: create the offer first",
                           reason=LinkageServiceReason.UNKNOWN_OFFER)
        if offer.used_at is not None:
            raise Conflict("this offer has been used already: a check belongs before issuance",
                           reason=LinkageServiceReason.OFFER_USED)
        if offer.expires_at <= now or offer.payload_enc is None:
            raise Gone("this offer has expired: create a new offer and check again", reason=LinkageServiceReason.OFFER_EXPIRED)
        if s.get(LinkageCheck, offer_id) is not None:
            raise Conflict("this offer has been checked already (one check per registration)",
                           reason=LinkageServiceReason.ALREADY_CHECKED)
        found = find_matches(s, rec, threshold=threshold, min_shared_keys=min_shared_keys,
                             exclude_credential=offer.reissue_of)
        names = {a: n for a, n in s.execute(select(Agency.id, Agency.name)
                                             .where(Agency.id.in_({c.agency for c in found})))}
        seen: dict[tuple[str, str], None] = {}
        for c in found:
            seen.setdefault((names.get(c.agency, c.agency), _day(c.registered_at)), None)
        matches = tuple(PossibleMatch(a, d) for a, d in list(seen)[:MAX_MATCHES_SHOWN])
        outcome = "possible_match" if found else "no_match"
        s.add(LinkageCheck(offer_id=offer_id, agency_id=principal.agency, api_key_id=principal.key_id,
                           checked_at=now, outcome=outcome, matched_record_id=found[0].record_id if found else None,
                           record=record, record_digest=digest))
        audit.record(s, at=now, agency=principal.agency, actor=principal.actor, action="linkage.check",
                     target=offer_id, record_digest=digest[:32], outcome=outcome, matches=len(found),
                     matched_agencies=sorted({c.agency for c in found}))
    return CheckResult(offer_id, outcome, matches, now)


def resolve(store: Store, *, now: int, principal: Principal, offer_id: str, decision: str) -> str:
    """The registrar's record of a possible match's outcome: ``same_person`` withdraws the
    offer (no new card), ``different_person`` releases it for issuance."""
    if decision not in RESOLUTIONS:
        raise Invalid(f"decision is one of {', '.join(RESOLUTIONS)}", reason=LinkageServiceReason.INVALID_DECISION)
    with store.write() as s:
        check = s.get(LinkageCheck, offer_id)
        if check is None or check.agency_id != principal.agency:
            raise NotFound("no registration check of your agency for this offer", reason=LinkageServiceReason.UNKNOWN_CHECK)
        if check.outcome != "possible_match":
            raise Conflict("this check found no match: there is nothing to resolve", reason=LinkageServiceReason.NOTHING_TO_RESOLVE)
        if check.resolution is not None:
            raise Conflict(f"this check was resolved already ({check.resolution})", reason=LinkageServiceReason.ALREADY_RESOLVED)
        offer = s.get(OfferRow, offer_id)
        assert offer is not None
        if offer.used_at is not None:
            raise Conflict("this offer has been used already", reason=LinkageServiceReason.OFFER_USED)
        check.resolution, check.resolved_at, check.resolved_by = decision, now, principal.key_id
        if decision == "same_person":
            check.record = None
            s.execute(update(OfferRow).where(OfferRow.offer_id == offer_id)
                      .values(payload_enc=None, expires_at=min(offer.expires_at, now)))
        audit.record(s, at=now, agency=principal.agency, actor=principal.actor, action="linkage.resolve",
                     target=offer_id, decision=decision)
    return decision


def store_match_record(session: Session, *, agency: str, registered_at: int, record: bytes,
                       credential_id: str | None = None, offer_id: str | None = None) -> int:
    """THE place a match record enters the registry (with its blocking keys). Returns its id.

    Called inside the caller's write transaction, which also appends its registry-log entry
    (:func:`sdk.log.match_entry`)."""
    rec = _decode(record)
    row = MatchRecordRow(agency_id=agency, credential_id=credential_id, offer_id=offer_id,
                         registered_at=registered_at, record=record, record_digest=_digest(record))
    session.add(row)
    session.flush()
    session.add_all([MatchKey(key=k, record_id=row.id) for k in sorted({key_prefix(k) for k in rec.keys})])
    # the registry log (issue 16): a digest-only entry, committed with the row or not at all
    log.append_entries(session, [match_entry(record, agency, credential_id, registered_at)], now=registered_at)
    return row.id


def on_credential_issued(session: Session, *, offer_id: str, credential_id: str, agency: str, now: int) -> None:
    """Issuance hook (inside the issuing transaction): store the checked record with the
    issuing agency and day; refuse while a possible match is unresolved."""
    check = session.get(LinkageCheck, offer_id)
    if check is None:
        return
    if check.outcome == "possible_match" and check.resolution != "different_person":
        raise Forbidden("this registration is on hold: the registration check found a possible match that the "
                        "registration desk has not resolved", reason=LinkageServiceReason.REGISTRATION_HELD)
    if check.record is None:  # pragma: no cover - only a same_person resolution clears it
        return
    check.match_record_id = store_match_record(session, agency=agency, registered_at=now, record=check.record,
                                               credential_id=credential_id, offer_id=offer_id)
    check.record = None


# ------------------------------------------------------------------ steward

def _aad(key_id: str) -> str:
    return f"steward-share:{key_id}"


def import_share(store: Store, keyring: Keyring, share_bytes: bytes, *, public_key: bytes, threshold: int,
                 stewards: int, now: int, actor: str = "operator") -> StewardInfo:
    """Take this instance's share of a steward key (from the dealer), sealed with the KEK.
    A newer dealing retires the older share."""
    try:
        share = StewardShare.from_bytes(share_bytes)
    except EncodingError as exc:
        raise Invalid(f"not a steward share: {exc}", reason=LinkageServiceReason.INVALID_SHARE) from exc
    if not 1 <= threshold <= stewards or not 1 <= share.index <= stewards:
        raise Invalid("the share's index and threshold do not fit the number of stewards", reason=LinkageServiceReason.INVALID_SHARE)
    key_id = hashlib.sha256(b"zkaid/linkage/steward-key/v1" + public_key).hexdigest()[:16]
    with store.write() as s:
        if s.get(StewardShareRow, key_id) is not None:
            raise Conflict("this instance holds a share of this steward key already", reason=LinkageServiceReason.SHARE_EXISTS)
        s.execute(update(StewardShareRow).where(StewardShareRow.status == "active").values(status="retired"))
        s.add(StewardShareRow(key_id=key_id, share_index=share.index, threshold=threshold, stewards=stewards,
                              public_key=public_key, public_share=share.public_share,
                              secret_enc=keyring.seal(share_bytes, _aad(key_id)), status="active", created_at=now))
        audit.record(s, at=now, agency=None, actor=actor, action="linkage.steward_share.import", target=key_id,
                     index=share.index, threshold=threshold, stewards=stewards)
    return StewardInfo(key_id, share.index, threshold, stewards, public_key, share.public_share)


def _active(session: Session) -> StewardShareRow:
    row = session.scalars(select(StewardShareRow).where(StewardShareRow.status == "active")
                          .order_by(StewardShareRow.created_at.desc())).first()
    if row is None:
        raise NotFound("this service is not a data steward (no steward share: see `zkaid steward`)",
                       reason=LinkageServiceReason.NOT_A_STEWARD)
    return row


def steward_info(store: Store) -> StewardInfo:
    with store.read() as s:
        r = _active(s)
        return StewardInfo(r.key_id, r.share_index, r.threshold, r.stewards, r.public_key, r.public_share)


def load_share(store: Store, keyring: Keyring) -> tuple[StewardInfo, StewardShare]:
    with store.read() as s:
        r = _active(s)
        info = StewardInfo(r.key_id, r.share_index, r.threshold, r.stewards, r.public_key, r.public_share)
        raw = keyring.open(r.secret_enc, _aad(r.key_id))
    return info, StewardShare.from_bytes(raw)


def evaluate(store: Store, keyring: Keyring, *, now: int, principal: Principal, blinded: Sequence[bytes],
             key_id: str | None = None) -> tuple[StewardInfo, bytes]:
    """Evaluate blinded elements with this steward's share; the answer carries the DLEQ proof.
    Audited with the count only (blinded elements are random and say nothing, but are not kept)."""
    info, share = load_share(store, keyring)
    if key_id is not None and key_id != info.key_id:
        raise Conflict(f"this steward holds key {info.key_id}, not {key_id}: update the steward configuration",
                       reason=LinkageServiceReason.STEWARD_KEY_MISMATCH, key_id=info.key_id)
    try:
        answer = steward_evaluate(share, list(blinded))
    except EncodingError as exc:
        raise BadInput(f"a blinded element is not valid: {exc.message}", reason=LinkageServiceReason.INVALID_ELEMENT) from exc
    except ParameterError as exc:  # a batch over the SDK's own limit
        raise Invalid(exc.message, reason=exc.reason) from exc
    with store.write() as s:
        audit.record(s, at=now, agency=principal.agency, actor=principal.actor, action="linkage.oprf",
                     target=info.key_id, elements=len(blinded), index=info.index)
    return info, answer.to_bytes()


def info_json(info: StewardInfo) -> str:
    return json.dumps({"key_id": info.key_id, "index": info.index, "threshold": info.threshold,
                       "stewards": info.stewards, "public_key": info.public_key.hex(),
                       "public_share": info.public_share.hex()})
