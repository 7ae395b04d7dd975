"""Referrals between agencies (issue 15): the service stores and forwards ciphertext only.

- Referral keys: an agency's admin registers the *public* half of a key generated on its
  desk (``zkaid referral keygen``); it goes into the signed trust list. Several keys may be
  valid at once (rotation: a new key, then the old one revoked or left to expire).
- Submission: the sending agency posts a sealed referral with the person's consent
  (:func:`sdk.referral.verify_submission`); nothing is stored before consent verifies.
  The same submission again is answered with the stored referral (delivery is idempotent);
  another submission with a known referral id is refused as ``replayed``.
- The receiving agency lists its referrals (optionally by the pseudonym its desk read from
  the person's wallet in the referral scope), fetches the sealed bytes, decrypts them on
  its desk and records the status. The sending agency sees the status only.
- Withdrawal: the person's wallet proves, in the same scope, to be the one who consented;
  the sealed bytes are deleted and the status becomes ``withdrawn``.
- Housekeeping: expired referrals lose their sealed bytes; rows are deleted after the
  retention period. The audit log names referral ids, agencies and statuses, never content.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from sdk.errors import ReferralError
from sdk.reasons import ProblemReason, ReferralServiceReason
from sdk.referral import (
    AcceptedReferral,
    ReferralHeader,
    verify_submissions,
    verify_withdrawal,
)
from sdk.referral.hpke import load_public_key
from sdk.trust import referral_kid
from sdk.wire import ReferralKeyEntry, ReferralTypeDef
from verifier_service.registry.db import Store
from verifier_service.registry.models import Agency
from verifier_service.registry.referral_models import ReferralKeyRow, ReferralRow, ReferralTypeRow
from verifier_service.services import audit
from verifier_service.services.auth import Principal
from verifier_service.services.errors import (
    BadInput,
    Conflict,
    DomainError,
    Forbidden,
    Gone,
    Invalid,
    NotFound,
    Unavailable,
)
from verifier_service.services.group import GroupJob, Groups

if TYPE_CHECKING:
    from verifier_service.services.trust_list import TrustListCache

__all__ = [
    "FINAL",
    "STATUSES",
    "ReferralInfo",
    "ReferralKeyInfo",
    "fetch_sealed",
    "get",
    "list_keys",
    "list_referrals",
    "list_types",
    "purge",
    "register_key",
    "revoke_key",
    "set_type",
    "submit",
    "submit_async",
    "submit_many",
    "trust_list_entries",
    "update_status",
    "withdraw",
]

STATUSES = ("sent", "received", "accepted", "declined", "completed", "withdrawn", "expired")
FINAL = frozenset({"declined", "completed", "withdrawn", "expired"})
# What the receiving agency may record, from each status.
TRANSITIONS: dict[str, frozenset[str]] = {
    "sent": frozenset({"received", "accepted", "declined"}),
    "received": frozenset({"accepted", "declined"}),
    "accepted": frozenset({"completed", "declined"}),
}
TYPE_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
MAX_CLOCK_SKEW = 300


@dataclass(frozen=True)
class ReferralInfo:
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


@dataclass(frozen=True)
class ReferralKeyInfo:
    kid: str
    agency: str
    name: str
    suite: str
    public_key: str
    not_before: int
    not_after: int
    created_at: int
    revoked_at: int | None


def _info(r: ReferralRow) -> ReferralInfo:
    return ReferralInfo(r.referral_id, r.from_agency_id, r.to_agency_id, r.status, r.created_at, r.expires_at,
                        r.submitted_at, r.updated_at, r.recipient_kid, r.suite, r.digest, r.sealed is not None)


def _domain(exc: ReferralError) -> DomainError:
    """The SDK's referral reasons as service errors (400 unreadable, 410 expired, 422 refused)."""
    if exc.reason == "malformed":
        return BadInput(exc.message, reason=ReferralServiceReason.MALFORMED)
    if exc.reason == "expired":
        return Gone(exc.message, reason=ReferralServiceReason.EXPIRED)
    return Invalid(exc.message, reason=exc.reason)


# ------------------------------------------------------------------------ keys and types

def register_key(session: Session, *, now: int, agency: str, name: str, suite: str, public_key: bytes,
                 not_before: int | None, not_after: int | None, lifetime: int, actor: str) -> ReferralKeyInfo:
    """Publish the public half of a desk's referral key (the private half never comes here)."""
    try:
        load_public_key(suite, public_key)
    except ReferralError as exc:
        raise Invalid(exc.message, reason=ReferralServiceReason.INVALID_KEY) from exc
    if not name.strip():
        raise Invalid("a referral key needs a name people recognise (e.g. the agency's name)", reason=ReferralServiceReason.INVALID_NAME)
    kid = referral_kid(suite, public_key).hex()
    if session.get(ReferralKeyRow, kid) is not None:
        raise Conflict("this referral key is registered already", reason=ReferralServiceReason.KEY_EXISTS)
    nb = now if not_before is None else not_before
    na = nb + lifetime if not_after is None else not_after
    if na <= nb:
        raise Invalid("not_after must be after not_before", reason=ReferralServiceReason.INVALID_DATES)
    row = ReferralKeyRow(kid=kid, agency_id=agency, name=name.strip(), suite=suite, public_key=public_key,
                         not_before=nb, not_after=na, created_at=now)
    session.add(row)
    audit.record(session, at=now, agency=agency, actor=actor, action="referral_key.register", target=kid,
                 suite=suite)
    return _key_info(row)


def _key_info(r: ReferralKeyRow) -> ReferralKeyInfo:
    return ReferralKeyInfo(r.kid, r.agency_id, r.name, r.suite, r.public_key.hex(), r.not_before, r.not_after,
                           r.created_at, r.revoked_at)


def list_keys(session: Session, *, agency: str | None = None) -> list[ReferralKeyInfo]:
    q = select(ReferralKeyRow).order_by(ReferralKeyRow.created_at, ReferralKeyRow.kid)
    if agency is not None:
        q = q.where(ReferralKeyRow.agency_id == agency)
    return [_key_info(r) for r in session.scalars(q)]


def revoke_key(session: Session, *, now: int, agency: str, kid: str, actor: str) -> None:
    row = session.get(ReferralKeyRow, kid)
    if row is None or row.agency_id != agency:
        raise NotFound(f"no referral key {kid} in this agency", reason=ReferralServiceReason.UNKNOWN_KEY)
    if row.revoked_at is None:
        row.revoked_at = now
        audit.record(session, at=now, agency=agency, actor=actor, action="referral_key.revoke", target=kid)


def set_type(session: Session, *, now: int, type_id: str, labels: Mapping[str, str], actor: str,
             agency: str) -> ReferralTypeDef:
    if not TYPE_ID.fullmatch(type_id):
        raise Invalid("a referral type id is lower-case letters, digits, '-' and '_' (1-64)", reason=ReferralServiceReason.INVALID_TYPE)
    if not labels or "en" not in labels or any(not v.strip() for v in labels.values()):
        raise Invalid("give a label for each language, at least 'en'", reason=ReferralServiceReason.INVALID_LABELS)
    row = session.get(ReferralTypeRow, type_id)
    text = json.dumps(dict(sorted(labels.items())), ensure_ascii=False)
    if row is None:
        session.add(ReferralTypeRow(type_id=type_id, labels=text, created_at=now, updated_at=now))
    else:
        row.labels, row.updated_at = text, now
    audit.record(session, at=now, agency=agency, actor=actor, action="referral_type.set", target=type_id)
    return ReferralTypeDef(type_id, dict(labels))


def list_types(session: Session) -> list[ReferralTypeDef]:
    return [ReferralTypeDef(r.type_id, json.loads(r.labels))
            for r in session.scalars(select(ReferralTypeRow).order_by(ReferralTypeRow.type_id))]


def trust_list_entries(session: Session, now: int) -> tuple[list[ReferralKeyEntry], list[ReferralTypeDef]]:
    """What the next trust list publishes: unrevoked, unexpired referral keys and the types."""
    keys = [ReferralKeyEntry(bytes.fromhex(r.kid), r.agency_id, r.name, r.suite, r.public_key, r.not_before,
                             r.not_after)
            for r in session.scalars(select(ReferralKeyRow).where(ReferralKeyRow.revoked_at.is_(None),
                                                                  ReferralKeyRow.not_after > now)
                                     .order_by(ReferralKeyRow.created_at, ReferralKeyRow.kid))]
    return keys, list_types(session)


# ------------------------------------------------------------------------------- referrals

def submit(store: Store, cache: TrustListCache, *, now: int, principal: Principal, data: bytes,
           retention: int) -> tuple[ReferralInfo, bool]:
    """Verify the consent and store the sealed referral. Returns (info, created): the same
    submission again gives the stored referral and ``created=False``.

    Group commit (as for enrollments): the submissions of one process that arrive while a
    group is being checked and stored wait for it, and the next of them then takes all of them
    as one group: their consents verified together (one multi-pairing), the accepted ones
    stored in one transaction (one commit, one disk flush), in arrival order. Each submission
    still gets its own answer or typed error, and only after the commit that holds its row, so
    an acknowledged referral is durable as before."""
    job = _Submission(cache, principal, data, now, retention)
    _GROUPS.of(store).run_sync(store, job)
    return job.outcome()


async def submit_async(store: Store, cache: TrustListCache, *, now: int, principal: Principal, data: bytes,
                       retention: int) -> tuple[ReferralInfo, bool]:
    """:func:`submit` from the event loop: the request waits for its group without a thread."""
    job = _Submission(cache, principal, data, now, retention)
    await _GROUPS.of(store).run_async(store, job)
    return job.outcome()


_GROUP_MAX = 64  # submissions per group (as POST /v1/referrals/batch)


@dataclass(eq=False)
class _Submission(GroupJob[tuple[ReferralInfo, bool]]):
    cache: TrustListCache
    principal: Principal
    data: bytes
    now: int
    retention: int


def _submit_group(store: Store, batch: list[_Submission]) -> None:
    """Check and store a group; sets each submission's result or error. A database error
    that fails the transaction is every stored-to-be submission's error (none was stored)."""
    outcome: dict[int, tuple[ReferralInfo, bool] | Exception] = {}
    settled = False
    try:
        with store.read() as s:
            tl = batch[0].cache.get(s)
        by_now: dict[int, list[int]] = {}
        for k, job in enumerate(batch):
            by_now.setdefault(job.now, []).append(k)
        accepted: list[tuple[int, AcceptedReferral]] = []
        for now, ks in by_now.items():
            for k, res in zip(ks, verify_submissions([batch[k].data for k in ks], tl, now=now), strict=True):
                if isinstance(res, ReferralError):
                    outcome[k] = _domain(res)
                    continue
                try:
                    _check_header(res.sealed.header, batch[k].principal, now, batch[k].retention)
                except DomainError as exc:
                    outcome[k] = exc
                    continue
                accepted.append((k, res))
        accepted.sort()
        if accepted:
            try:
                with store.write() as s:
                    outcome.update(_store_group(s, [(k, batch[k], acc) for k, acc in accepted]))
            except IntegrityError:  # an id committed meanwhile by another process: one at a time
                for k, acc in accepted:
                    try:
                        outcome[k] = _store_one(store, batch[k], acc)
                    except (SQLAlchemyError, DomainError) as exc:
                        outcome[k] = exc
        settled = True
    except (SQLAlchemyError, DomainError) as exc:  # nothing of the group is stored
        for k in range(len(batch)):
            if not isinstance(outcome.get(k), DomainError):
                outcome[k] = exc
        settled = True
    finally:
        for k, job in enumerate(batch):
            got = outcome.get(k) if settled else None
            if got is None:  # an unexpected error: the leader re-raises it, the others must not wait
                got = Unavailable("the referral could not be stored; try again", reason=ProblemReason.BUSY)
            if isinstance(got, Exception):
                job.error = got
            else:
                job.result = got
            job.done = True


_GROUPS: Groups[_Submission] = Groups(_submit_group, _GROUP_MAX)


def _check_header(h: ReferralHeader, principal: Principal, now: int, retention: int) -> None:
    if h.from_agency != principal.agency:
        raise Forbidden(f"this referral is from {h.from_agency}; your key belongs to {principal.agency}",
                        reason=ReferralServiceReason.WRONG_SENDER)
    if h.created > now + MAX_CLOCK_SKEW:
        raise Invalid("the referral is dated in the future: check the desk's clock", reason=ReferralServiceReason.BAD_TIME)
    if h.expires > now + retention:
        raise Invalid(f"a referral may last at most the retention period ({retention // 86400} days)",
                      reason=ReferralServiceReason.BAD_LIFETIME)


def _store_group(s: Session, items: list[tuple[int, _Submission, AcceptedReferral]]
                 ) -> dict[int, tuple[ReferralInfo, bool] | Exception]:
    """Store the accepted submissions of a group in the session's transaction, in order (a
    referral id twice in one group is stored once; the second is answered as a retry)."""
    out: dict[int, tuple[ReferralInfo, bool] | Exception] = {}
    heads = [acc.sealed.header for _k, _j, acc in items]
    known = set(s.scalars(select(Agency.id).where(Agency.id.in_({h.to_agency for h in heads}))))
    rows: dict[str, ReferralRow] = {r.referral_id: r for r in s.scalars(
        select(ReferralRow).where(ReferralRow.referral_id.in_({h.referral_id.hex() for h in heads})))}
    for k, job, acc in items:
        h = acc.sealed.header
        rid, digest = h.referral_id.hex(), acc.sealed.digest.hex()
        if h.to_agency not in known:
            out[k] = Invalid(f"no agency '{h.to_agency}' in this registry", reason=ReferralServiceReason.WRONG_RECIPIENT)
            continue
        row = rows.get(rid)
        if row is not None:
            try:
                out[k] = _again(row, digest), False
            except Conflict as exc:
                out[k] = exc
            continue
        row = rows[rid] = _new_row(acc, job.now, job.retention)
        s.add(row)
        audit.record(s, at=job.now, agency=h.from_agency, actor=job.principal.actor, action="referral.send",
                     target=rid, to=h.to_agency, suite=h.suite, digest=digest[:16])
        out[k] = _info(row), True
    return out


def _store_one(store: Store, job: _Submission, acc: AcceptedReferral) -> tuple[ReferralInfo, bool]:
    """One submission in its own transaction (the path after a concurrent insert)."""
    h = acc.sealed.header
    rid, digest = h.referral_id.hex(), acc.sealed.digest.hex()
    try:
        with store.write() as s:
            out = _store_group(s, [(0, job, acc)])[0]
    except IntegrityError:  # the same referral id committed concurrently
        with store.read() as s:
            row = s.get(ReferralRow, rid)
            if row is None:
                raise
            return _again(row, digest), False
    if isinstance(out, Exception):
        raise out
    return out


@dataclass(frozen=True)
class BatchItem:
    """One submission's outcome in a batch: the stored referral, or why it was refused."""

    info: ReferralInfo | None
    created: bool
    reason: str | None = None
    detail: str | None = None


def submit_many(store: Store, cache: TrustListCache, *, now: int, principal: Principal, items: list[bytes],
                retention: int) -> list[BatchItem]:
    """:func:`submit` for a batch: consents checked together (one multi-pairing), the
    accepted ones stored in one transaction; each item succeeds or fails on its own."""
    with store.read() as s:
        tl = cache.get(s)
    out: list[BatchItem] = []
    accepted: list[tuple[int, AcceptedReferral]] = []
    for k, res in enumerate(verify_submissions(items, tl, now=now)):
        if isinstance(res, ReferralError):
            out.append(BatchItem(None, False, str(res.reason), res.message))
            continue
        h = res.sealed.header
        problem = _refusal(h, principal, now, retention)
        out.append(BatchItem(None, False, *problem) if problem else BatchItem(None, False))
        if problem is None:
            accepted.append((k, res))
    if not accepted:
        return out
    with store.write() as s:
        known = {a.id for a in s.scalars(select(Agency).where(
            Agency.id.in_({acc.sealed.header.to_agency for _k, acc in accepted})))}
        for k, acc in accepted:
            h = acc.sealed.header
            rid, digest = h.referral_id.hex(), acc.sealed.digest.hex()
            if h.to_agency not in known:
                out[k] = BatchItem(None, False, "wrong_recipient", f"no agency '{h.to_agency}' in this registry")
                continue
            row = s.get(ReferralRow, rid)
            if row is not None:
                try:
                    out[k] = BatchItem(_again(row, digest), False)
                except Conflict as exc:
                    out[k] = BatchItem(None, False, exc.reason, exc.message)
                continue
            row = _new_row(acc, now, retention)
            s.add(row)
            audit.record(s, at=now, agency=h.from_agency, actor=principal.actor, action="referral.send",
                         target=rid, to=h.to_agency, suite=h.suite, digest=digest[:16])
            s.flush()
            out[k] = BatchItem(_info(row), True)
    return out


def _refusal(h: ReferralHeader, principal: Principal, now: int, retention: int) -> tuple[str, str] | None:
    if h.from_agency != principal.agency:
        return "wrong_sender", f"this referral is from {h.from_agency}; your key belongs to {principal.agency}"
    if h.created > now + MAX_CLOCK_SKEW:
        return "bad_time", "the referral is dated in the future: check the desk's clock"
    if h.expires > now + retention:
        return "bad_lifetime", f"a referral may last at most the retention period ({retention // 86400} days)"
    return None


def _new_row(acc: AcceptedReferral, now: int, retention: int) -> ReferralRow:
    h = acc.sealed.header
    return ReferralRow(referral_id=h.referral_id.hex(), digest=acc.sealed.digest.hex(), from_agency_id=h.from_agency,
                       to_agency_id=h.to_agency, recipient_kid=h.recipient_kid.hex(), suite=h.suite,
                       pseudonym=acc.pseudonym, sealed=acc.sealed.data, status="sent", created_at=h.created,
                       expires_at=h.expires, submitted_at=now, updated_at=now, delete_after=now + retention)


def _again(row: ReferralRow, digest: str) -> ReferralInfo:
    if row.digest != digest:
        raise Conflict("a referral with this id exists already: this one is a replay or a forgery",
                       reason=ReferralServiceReason.REPLAYED)
    if row.status in ("withdrawn", "expired"):
        raise Conflict(f"this referral was {row.status}: it is not delivered again", reason=ReferralServiceReason.REPLAYED)
    return _info(row)


def _visible(row: ReferralRow | None, principal: Principal, rid: str) -> ReferralRow:
    if row is None or principal.agency not in (row.from_agency_id, row.to_agency_id):
        raise NotFound(f"no referral {rid} for your agency", reason=ReferralServiceReason.UNKNOWN_REFERRAL)
    return row


def get(session: Session, *, principal: Principal, referral_id: str) -> ReferralInfo:
    return _info(_visible(session.get(ReferralRow, referral_id), principal, referral_id))


def list_referrals(session: Session, *, principal: Principal, box: str, status: str | None = None,
                   pseudonym: bytes | None = None, since: int = 0, limit: int = 1000) -> list[ReferralInfo]:
    """``box="sent"``: the caller's agency referred; ``box="inbox"``: referred to it (by
    ``pseudonym`` when its desk scanned the person's wallet)."""
    col = ReferralRow.from_agency_id if box == "sent" else ReferralRow.to_agency_id
    q = select(ReferralRow).where(col == principal.agency, ReferralRow.submitted_at >= since)
    if status is not None:
        q = q.where(ReferralRow.status == status)
    if pseudonym is not None:
        q = q.where(ReferralRow.pseudonym == pseudonym)
    q = q.order_by(ReferralRow.submitted_at, ReferralRow.referral_id).limit(limit)
    return [_info(r) for r in session.scalars(q)]


def fetch_sealed(store: Store, *, now: int, principal: Principal, referral_id: str) -> bytes:
    """The sealed bytes, for the receiving agency only; the first fetch records ``received``."""
    with store.write() as s:
        row = _visible(s.get(ReferralRow, referral_id), principal, referral_id)
        if row.to_agency_id != principal.agency:
            raise Forbidden("only the receiving agency can fetch the sealed referral", reason=ReferralServiceReason.NOT_RECIPIENT)
        if row.sealed is None:
            raise Gone(f"the referral is {row.status}: its content was deleted", reason=row.status)
        if row.status == "sent":
            row.status, row.updated_at = "received", now
            audit.record(s, at=now, agency=row.to_agency_id, actor=principal.actor, action="referral.received",
                         target=referral_id)
        return row.sealed


def update_status(store: Store, *, now: int, principal: Principal, referral_id: str, status: str) -> ReferralInfo:
    """The receiving agency records what happened. Final statuses delete the sealed bytes
    (the desk has decrypted what it needs)."""
    with store.write() as s:
        row = _visible(s.get(ReferralRow, referral_id), principal, referral_id)
        if row.to_agency_id != principal.agency:
            raise Forbidden("only the receiving agency records the status", reason=ReferralServiceReason.NOT_RECIPIENT)
        if row.status == status:
            return _info(row)
        if status not in TRANSITIONS.get(row.status, frozenset()):
            raise Conflict(f"a referral that is {row.status} cannot become {status}", reason=ReferralServiceReason.INVALID_TRANSITION,
                           current=row.status)
        row.status, row.updated_at = status, now
        if status in FINAL:
            row.sealed = None
        audit.record(s, at=now, agency=row.to_agency_id, actor=principal.actor, action=f"referral.{status}",
                     target=referral_id)
        s.flush()
        return _info(row)


def withdraw(store: Store, cache: TrustListCache, *, now: int, referral_id: str, data: bytes) -> ReferralInfo:
    """The person withdraws consent (no API key: the proof in the referral scope is the
    authorisation). B's copy is deleted; A sees ``withdrawn``."""
    with store.read() as s:
        tl = cache.get(s)
        row = s.get(ReferralRow, referral_id)
        if row is None:
            raise NotFound(f"no referral {referral_id}", reason=ReferralServiceReason.UNKNOWN_REFERRAL)
        digest, to_agency, pseudonym = bytes.fromhex(row.digest), row.to_agency_id, row.pseudonym
    try:
        rid, nym = verify_withdrawal(data, tl, digest=digest, to_agency=to_agency, now=now)
    except ReferralError as exc:
        raise _domain(exc) from exc
    if rid.hex() != referral_id or nym != pseudonym:
        raise Forbidden("only the person who consented can withdraw this referral", reason=ReferralServiceReason.NOT_YOURS)
    with store.write() as s:
        row = s.get(ReferralRow, referral_id)
        if row is None:
            raise NotFound(f"no referral {referral_id}", reason=ReferralServiceReason.UNKNOWN_REFERRAL)
        if row.status != "withdrawn":
            row.status, row.sealed, row.updated_at = "withdrawn", None, now
            for agency in (row.from_agency_id, row.to_agency_id):
                audit.record(s, at=now, agency=agency, actor="wallet", action="referral.withdrawn",
                             target=referral_id)
        s.flush()
        return _info(row)


def purge(session: Session, now: int) -> tuple[int, int]:
    """(expired, deleted): expire referrals past their date (sealed bytes deleted), then
    delete rows past the retention period."""
    res = session.execute(
        update(ReferralRow).where(ReferralRow.expires_at <= now, ReferralRow.status.not_in(FINAL))
        .values(status="expired", sealed=None, updated_at=now)
    )
    expired = int(getattr(res, "rowcount", 0) or 0)
    res = session.execute(delete(ReferralRow).where(ReferralRow.delete_after <= now))
    gone = int(getattr(res, "rowcount", 0) or 0)
    if expired or gone:
        audit.record(session, at=now, agency=None, actor="system", action="referral.purge", expired=expired,
                     deleted=gone)
    return expired, gone
