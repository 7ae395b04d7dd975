"""The jointly managed enrollment registry: one pseudonym per person per scope, across every
agency; offline devices sync through it in batches with a cursor.

Guarantees (tested on SQLite and PostgreSQL):

- Enrollment is atomic: writers are serialised (``Store.lock_registry``) and the
  (pseudonym, scope) pair is unique, so of concurrent duplicates exactly one succeeds.
- A sync upload is one transaction: all of it is stored or none.
- A duplicate is never dropped: it is returned to the caller and recorded as a
  duplicate event that both agencies see.
- The cursor is an enrollment id. Ids are committed in increasing order (writers are
  serialised), so the committed ids always form a prefix and a cursor never skips a row
  that commits later.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from sdk.client import DuplicateEvent as DuplicateInfo
from sdk.client import SyncAnswer, SyncDuplicate, SyncItem, SyncUpdate
from sdk.credential import check_pseudonym
from sdk.errors import EncodingError, ScopeError
from sdk.log import LogEntry, enrollment_entry
from sdk.reasons import ProblemReason, RegistryReason
from sdk.wire.scope import REQUEST_SCOPE_PREFIX, is_request_scope, normalize_scope
from verifier_service.registry.db import Store, bulk_insert
from verifier_service.registry.models import Agency, DuplicateEvent, Enrollment, Scope
from verifier_service.services import audit, log, pointcheck
from verifier_service.services.agencies import find_device
from verifier_service.services.auth import Principal
from verifier_service.services.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    Unavailable,
)
from verifier_service.services.group import GroupJob, Groups

__all__ = [
    "PSEUDONYM_BYTES",
    "DuplicateInfo",
    "EnrollmentInfo",
    "ScopeInfo",
    "ScopeStats",
    "SyncDuplicate",
    "SyncItem",
    "SyncResult",
    "UpdateInfo",
    "check_pseudonyms",
    "create_scope",
    "enroll",
    "enroll_async",
    "list_duplicates",
    "list_scopes",
    "scope_stats",
    "sync",
    "validate_scope_name",
]

PSEUDONYM_BYTES = 48
_CHUNK = 5000  # pseudonyms per look-up on SQLite (bound variables; PostgreSQL takes one array)
_ENROLLMENT_COLUMNS = ("scope_id", "pseudonym", "agency_id", "device_pk", "enrolled_at", "recorded_at", "source")
_DUPLICATE_COLUMNS = ("scope_id", "pseudonym", "first_agency_id", "first_enrolled_at", "second_agency_id",
                      "second_device_pk", "second_enrolled_at", "detected_at", "source")


@dataclass(frozen=True)
class EnrollmentInfo:
    scope: str
    pseudonym: bytes
    agency: str
    enrolled_at: int
    id: int = 0


# The sync messages are the SDK's (sdk.client), shared with the field app and the pilot;
# verifier_service.schemas turns them into the HTTP schema in one place.
UpdateInfo = SyncUpdate


@dataclass
class SyncResult:
    accepted: int = 0
    replayed: int = 0
    duplicates: list[SyncDuplicate] = field(default_factory=list)
    updates: list[UpdateInfo] = field(default_factory=list)
    cursor: int = 0
    log_indexes: list[int] = field(default_factory=list)  # of the accepted items, in order
    log_size: int = 0  # size of the registry log after this sync

    def answer(self) -> SyncAnswer:
        return SyncAnswer(self.accepted, self.replayed, tuple(self.duplicates), tuple(self.updates), self.cursor,
                          self.log_size, tuple(self.log_indexes))


@dataclass(frozen=True)
class ScopeInfo:
    name: str
    description: str
    created_by: str
    created_at: int


@dataclass(frozen=True)
class ScopeStats:
    scope: str
    enrollments: int
    duplicates: int
    by_agency: dict[str, int]


# ------------------------------------------------------------------------- checks

def check_pseudonyms(pseudonyms: Iterable[bytes]) -> None:
    """Every pseudonym must be a valid compressed G1 point (on the curve, in the subgroup,
    not the identity): a pseudonym that no wallet can produce is refused, not stored. A large
    batch is checked on two cores (:mod:`verifier_service.services.pointcheck`)."""
    points = list(pseudonyms)
    for i, p in enumerate(points):
        if len(p) != PSEUDONYM_BYTES:
            raise Invalid(f"a pseudonym is {PSEUDONYM_BYTES} bytes", reason=RegistryReason.INVALID_PSEUDONYM, index=i)
    if len(points) == 1:  # a single enrollment: no list, no pool
        try:
            check_pseudonym(points[0])
        except EncodingError as exc:
            raise Invalid("a pseudonym is not a valid curve point", reason=RegistryReason.INVALID_POINT,
                          index=0) from exc
        return
    bad = pointcheck.first_invalid(points)
    if bad is not None:
        raise Invalid("a pseudonym is not a valid curve point", reason=RegistryReason.INVALID_POINT, index=bad)


def validate_scope_name(name: str) -> str:
    """The one spelling of a scope (:func:`sdk.wire.scope.normalize_scope`: NFC, lower case,
    letters, digits and ``- _ . : /``), so two spellings of one round are one scope."""
    try:
        norm = normalize_scope(name)
    except ScopeError as exc:
        raise Invalid(exc.message, reason=RegistryReason.INVALID_SCOPE) from exc
    if is_request_scope(norm):
        raise Invalid(f"scopes under {REQUEST_SCOPE_PREFIX!r} are the wallets' own one-off scopes",
                      reason=RegistryReason.INVALID_SCOPE)
    return norm


def _scope_ids(session: Session, names: Iterable[str]) -> dict[str, int]:
    """Scope ids by the names as given (each looked up in its normalised spelling)."""
    norm = {name: validate_scope_name(name) for name in set(names)}
    if not norm:
        return {}
    found = {n: sid for n, sid in session.execute(select(Scope.name, Scope.id).where(Scope.name.in_(set(norm.values()))))}
    missing = sorted(name for name, n in norm.items() if n not in found)
    if missing:
        raise Invalid(f"unknown scope {missing[0][:256]!r}: an administrator creates scopes first",
                      reason=RegistryReason.UNKNOWN_SCOPE, scope=missing[0][:256])
    return {name: found[n] for name, n in norm.items()}


# ------------------------------------------------------------------------- scopes

def create_scope(session: Session, *, now: int, name: str, description: str, agency: str,
                 actor: str) -> ScopeInfo:
    name = validate_scope_name(name)
    if session.scalar(select(Scope.id).where(Scope.name == name)) is not None:
        raise Conflict(f"scope {name!r} exists already", reason=RegistryReason.SCOPE_EXISTS)
    session.add(Scope(name=name, description=description[:512], created_by=agency, created_at=now))
    audit.record(session, at=now, agency=agency, actor=actor, action="scope.create", target=name)
    return ScopeInfo(name, description[:512], agency, now)


def list_scopes(session: Session) -> list[ScopeInfo]:
    return [ScopeInfo(s.name, s.description, s.created_by, s.created_at)
            for s in session.scalars(select(Scope).order_by(Scope.name))]


# ---------------------------------------------------------------------- enrolment

def enroll(store: Store, *, now: int, principal: Principal, scope: str, pseudonym: bytes,
           source: str = "online") -> EnrollmentInfo:
    """Enroll or raise Conflict(already_enrolled) naming the first agency and time (and
    record the attempt as a duplicate event).

    Group commit: the requests of one process that arrive while an enrollment transaction
    runs wait for it, and the next of them then writes all of them in one transaction (one
    registry lock, one commit, one disk flush), in arrival order. Every request is answered
    only after the commit that holds its row, so an answered enrollment is durable as before;
    exactly-once holds because the batch looks every pseudonym up after taking the registry
    lock and counts the rows of the batch itself."""
    check_pseudonyms([pseudonym])
    job = _Job(principal, validate_scope_name(scope), bytes(pseudonym), now, source)
    _GROUPS.of(store).run_sync(store, job)
    return job.outcome()


async def enroll_async(store: Store, *, now: int, principal: Principal, scope: str, pseudonym: bytes,
                       source: str = "online") -> EnrollmentInfo:
    """:func:`enroll` from the event loop: the request waits for its group commit on the loop,
    without a thread of its own (:mod:`verifier_service.services.group`)."""
    check_pseudonyms([pseudonym])
    job = _Job(principal, validate_scope_name(scope), bytes(pseudonym), now, source)
    await _GROUPS.of(store).run_async(store, job)
    return job.outcome()


_GROUP_MAX = 256  # enrollments per group commit
_INSERT_ENROLLMENT = insert(Enrollment).returning(Enrollment.id)


@dataclass(eq=False)
class _Job(GroupJob[EnrollmentInfo]):
    principal: Principal
    scope: str  # normalised
    pseudonym: bytes
    now: int
    source: str


def _enroll_batch(store: Store, batch: list[_Job]) -> None:
    """One transaction for the batch; sets each job's result or error (every job gets the
    database error if the transaction fails: none of them was stored)."""
    outcome: list[tuple[EnrollmentInfo | None, Exception | None]] = []
    if not batch:
        return
    settled = False
    try:
        with store.write() as s:
            store.lock_registry(s)
            names = {j.scope for j in batch}
            sids = {n: sid for n, sid in s.execute(select(Scope.name, Scope.id).where(Scope.name.in_(names)))}
            existing: dict[tuple[int, bytes], tuple[str, int]] = {}
            for scope_id, p, agency, at in _rows_with_pseudonyms(
                    s, "SELECT scope_id, pseudonym, agency_id, enrolled_at FROM enrollments WHERE",
                    sorted({j.pseudonym for j in batch})):
                existing[(scope_id, bytes(p))] = (agency, at)
            firsts = {a for a, _at in existing.values()}
            agency_names: dict[str, str] = {
                a: n for a, n in s.execute(select(Agency.id, Agency.name).where(Agency.id.in_(firsts)))} if firsts else {}
            entries: list[LogEntry] = []
            conn = s.connection()
            for j in batch:
                sid = sids.get(j.scope)
                if sid is None:
                    outcome.append((None, Invalid(f"unknown scope {j.scope[:256]!r}: an administrator creates scopes "
                                                  "first", reason=RegistryReason.UNKNOWN_SCOPE, scope=j.scope[:256])))
                    continue
                who = j.principal
                first = existing.get((sid, j.pseudonym))
                if first is not None:
                    first_agency, first_at = first
                    if first_agency not in agency_names:  # enrolled earlier in this batch
                        agency_names[first_agency] = s.scalar(select(Agency.name).where(Agency.id == first_agency)) \
                            or first_agency
                    s.add(DuplicateEvent(scope_id=sid, pseudonym=j.pseudonym, first_agency_id=first_agency,
                                         first_enrolled_at=first_at, second_agency_id=who.agency,
                                         second_device_pk=who.device_pk, second_enrolled_at=j.now, detected_at=j.now,
                                         source=j.source))
                    audit.record(s, at=j.now, agency=who.agency, actor=who.actor, action="enrollment.duplicate",
                                 target=j.scope, first_agency=first_agency, source=j.source)
                    if first_agency != who.agency:
                        audit.record(s, at=j.now, agency=first_agency, actor=who.actor,
                                     action="enrollment.duplicate", target=j.scope, second_agency=who.agency,
                                     source=j.source)
                    entries.append(log.duplicate_entry(j.scope, j.pseudonym, first_agency, who.agency, j.now))
                    outcome.append((None, Conflict(
                        f"already enrolled in {j.scope} by {agency_names[first_agency]} at {first_at}",
                        reason=RegistryReason.ALREADY_ENROLLED, first_agency=first_agency,
                        first_agency_name=agency_names[first_agency], first_enrolled_at=first_at, scope=j.scope,
                    )))
                    continue
                # on the connection: no ORM insert step and no autoflush per row (the audit
                # rows of the group are flushed together)
                row = conn.execute(_INSERT_ENROLLMENT, {
                    "scope_id": sid, "pseudonym": j.pseudonym, "agency_id": who.agency, "device_pk": who.device_pk,
                    "enrolled_at": j.now, "recorded_at": j.now, "source": j.source}).scalar_one()
                existing[(sid, j.pseudonym)] = (who.agency, j.now)
                entries.append(enrollment_entry(j.scope, j.pseudonym, who.agency, j.now))
                audit.record(s, at=j.now, agency=who.agency, actor=who.actor, action="enrollment.create",
                             target=j.scope, enrollment=row, source=j.source)
                outcome.append((EnrollmentInfo(j.scope, j.pseudonym, who.agency, j.now, row), None))
            log.append_entries(s, entries, now=max(j.now for j in batch))
        settled = True
    except (SQLAlchemyError, DomainError) as exc:  # the transaction failed: nothing of the batch is stored
        outcome, settled = [(None, exc)] * len(batch), True
    finally:
        if not settled:  # an unexpected error: the leader re-raises it, the others must not wait forever
            outcome = [(None, Unavailable("the enrollment could not be stored; try again",
                                          reason=ProblemReason.BUSY))] * len(batch)
        for j, (result, error) in zip(batch, outcome, strict=True):
            j.result, j.error, j.done = result, error, True


_GROUPS: Groups[_Job] = Groups(_enroll_batch, _GROUP_MAX)


def sync(store: Store, *, now: int, principal: Principal, device_id: str, scopes: Sequence[str], cursor: int,
         items: Sequence[SyncItem], page_size: int, max_skew: int = 86400) -> SyncResult:
    """Upload a device's offline enrollments (one transaction) and page through the
    enrollments other devices made in ``scopes`` after ``cursor``."""
    if principal.role == "field_device" and principal.device_id != device_id:
        raise Forbidden("a device may only sync as itself", reason=RegistryReason.WRONG_DEVICE)
    for i, it in enumerate(items):
        if not 0 <= it.enrolled_at <= now + max_skew:
            raise Invalid("enrolled_at is in the future or negative: check the device clock",
                          reason=RegistryReason.INVALID_TIME, index=i)
    check_pseudonyms(list(dict.fromkeys(it.pseudonym for it in items)))
    result = SyncResult(cursor=cursor)
    with (store.write() if items else store.read()) as s:
        dev = find_device(s, principal.agency, device_id)
        if dev is None or dev.revoked_at is not None:
            raise Forbidden(f"'{device_id[:128]}' is not an active device of your agency", reason=RegistryReason.UNKNOWN_DEVICE)
        sids = _scope_ids(s, [*scopes, *(it.scope for it in items)])
        if items:
            store.lock_registry(s)
            _upload(s, now=now, principal=principal, device_pk=dev.id, device_id=device_id, sids=sids,
                    items=items, result=result)
        _updates(s, scope_ids=[sids[n] for n in set(scopes)], device_pk=dev.id, cursor=cursor,
                 page_size=page_size, result=result)
        result.log_size = log.state(s)[0]
    return result


def _upload(s: Session, *, now: int, principal: Principal, device_pk: int, device_id: str, sids: dict[str, int],
            items: Sequence[SyncItem], result: SyncResult) -> None:
    existing: dict[tuple[int, bytes], tuple[str, int | None, int]] = {}
    reported: set[tuple[int, bytes, int]] = set()
    pseudonyms = sorted({it.pseudonym for it in items})
    for scope_id, p, agency, dpk, at in _rows_with_pseudonyms(
            s, "SELECT scope_id, pseudonym, agency_id, device_pk, enrolled_at FROM enrollments WHERE", pseudonyms):
        existing[(scope_id, bytes(p))] = (agency, dpk, at)
    # duplicates this device reported already: a re-sent batch must not record them again
    for scope_id, p, at in _rows_with_pseudonyms(
            s, "SELECT scope_id, pseudonym, second_enrolled_at FROM duplicate_events WHERE second_device_pk = "
               f"{int(device_pk)} AND", pseudonyms):
        reported.add((scope_id, bytes(p), at))
    new_rows: list[tuple[object, ...]] = []
    dup_rows: list[tuple[object, ...]] = []
    new_log: list[tuple[str, bytes, str, int]] = []
    dup_log: list[LogEntry] = []
    spelling = {name: validate_scope_name(name) for name in sids}
    for it in items:
        key = (sids[it.scope], it.pseudonym)
        first = existing.get(key)
        if first is not None:
            agency, dpk, at = first
            if agency == principal.agency and dpk == device_pk and at == it.enrolled_at:
                result.replayed += 1  # the same upload again (e.g. its answer was lost)
                continue
            result.duplicates.append(SyncDuplicate(it.scope, it.pseudonym, agency, at, it.enrolled_at))
            seen = (key[0], it.pseudonym, it.enrolled_at)
            if seen in reported:
                # this device told us about this encounter before (a retry after a lost answer,
                # or the item twice in one batch): answer it again, record it once
                result.replayed += 1
                continue
            reported.add(seen)
            dup_rows.append((key[0], it.pseudonym, agency, at, principal.agency, device_pk, it.enrolled_at, now,
                             "sync"))
            dup_log.append(log.duplicate_entry(spelling[it.scope], it.pseudonym, agency, principal.agency, now))
            continue
        existing[key] = (principal.agency, device_pk, it.enrolled_at)
        new_rows.append((key[0], it.pseudonym, principal.agency, device_pk, it.enrolled_at, now, "sync"))
        new_log.append((spelling[it.scope], it.pseudonym, principal.agency, it.enrolled_at))
    bulk_insert(s, Enrollment, _ENROLLMENT_COLUMNS, new_rows, binary=True)
    bulk_insert(s, DuplicateEvent, _DUPLICATE_COLUMNS, dup_rows, binary=True)
    # the registry log: one digest-only entry per new enrollment and per duplicate event
    indexes = log.log_enrollments(s, new_log, now=now, more=dup_log)
    result.log_indexes = indexes[:len(new_log)]
    result.accepted = len(new_rows)
    audit.record(s, at=now, agency=principal.agency, actor=principal.actor, action="sync.upload",
                 target=device_id, accepted=len(new_rows), duplicates=len(dup_rows), replayed=result.replayed,
                 digest=audit.digest_of(it.pseudonym for it in items))
    others = sorted({str(r[2]) for r in dup_rows} - {principal.agency})
    for other in others:
        audit.record(s, at=now, agency=other, actor=principal.actor, action="enrollment.duplicate",
                     target=device_id, second_agency=principal.agency,
                     count=sum(1 for r in dup_rows if r[2] == other), source="sync")


def _rows_with_pseudonyms(s: Session, select_where: str, pseudonyms: Sequence[bytes]) -> Iterator[Any]:
    """Rows of ``select_where ... pseudonym IN pseudonyms``: one statement with an array on
    PostgreSQL, statements of ``_CHUNK`` bound values on SQLite."""
    conn = s.connection()
    if conn.dialect.name == "postgresql":
        if pseudonyms:
            yield from conn.exec_driver_sql(f"{select_where} pseudonym = ANY(%b)", (list(pseudonyms),))
        return
    for k in range(0, len(pseudonyms), _CHUNK):
        chunk = pseudonyms[k:k + _CHUNK]
        yield from conn.exec_driver_sql(f"{select_where} pseudonym IN ({', '.join('?' for _ in chunk)})",
                                        tuple(chunk))


def _updates(s: Session, *, scope_ids: list[int], device_pk: int, cursor: int, page_size: int,
             result: SyncResult) -> None:
    if not scope_ids:
        return
    # Every id <= horizon is committed (writers are serialised), so a page that ends early
    # may move the cursor up to the horizon without skipping anything.
    horizon = s.scalar(select(func.max(Enrollment.id))) or 0
    rows = s.execute(
        select(Enrollment.id, Scope.name, Enrollment.pseudonym, Enrollment.agency_id, Enrollment.enrolled_at)
        .join(Scope, Scope.id == Enrollment.scope_id)
        .where(Enrollment.scope_id.in_(scope_ids), Enrollment.id > cursor,
               or_(Enrollment.device_pk.is_(None), Enrollment.device_pk != device_pk))
        .order_by(Enrollment.id).limit(page_size)
    ).all()
    result.updates = [UpdateInfo(name, bytes(p), agency, at) for _id, name, p, agency, at in rows]
    if len(rows) == page_size:
        result.cursor = rows[-1][0]
    else:
        result.cursor = max(cursor, horizon, rows[-1][0] if rows else 0)


# ------------------------------------------------------------------------ reports

def list_duplicates(session: Session, *, agency: str, scope: str | None = None, after: int = 0,
                    limit: int = 1000) -> list[DuplicateInfo]:
    q = (select(DuplicateEvent, Scope.name).join(Scope, Scope.id == DuplicateEvent.scope_id)
         .where(or_(DuplicateEvent.first_agency_id == agency, DuplicateEvent.second_agency_id == agency),
                DuplicateEvent.id > after)
         .order_by(DuplicateEvent.id).limit(limit))
    if scope is not None:
        q = q.where(Scope.name == validate_scope_name(scope))
    return [DuplicateInfo(d.id, name, bytes(d.pseudonym), d.first_agency_id, d.first_enrolled_at,
                          d.second_agency_id, d.second_enrolled_at, d.detected_at, d.source)
            for d, name in session.execute(q)]


def scope_stats(session: Session, scope: str) -> ScopeStats:
    try:
        scope = validate_scope_name(scope)
    except Invalid as exc:
        raise NotFound(f"unknown scope {scope[:256]!r}", reason=RegistryReason.UNKNOWN_SCOPE) from exc
    sid = session.scalar(select(Scope.id).where(Scope.name == scope))
    if sid is None:
        raise NotFound(f"unknown scope {scope[:256]!r}", reason=RegistryReason.UNKNOWN_SCOPE)
    by_agency = {agency: int(n) for agency, n in session.execute(
        select(Enrollment.agency_id, func.count()).where(Enrollment.scope_id == sid).group_by(Enrollment.agency_id)
    )}
    dups = session.scalar(select(func.count()).select_from(DuplicateEvent).where(DuplicateEvent.scope_id == sid))
    return ScopeStats(scope, sum(by_agency.values()), int(dups or 0), by_agency)
