"""Blind comparison of two agencies' beneficiary lists (issue 14, item 3).

Today agencies compare lists by emailing spreadsheets. Here each agency encodes its own
list at its own desk, through the stewards' threshold OPRF, with the comparison id as the
encoding context (:func:`sdk.linkage.encode.encode`), and uploads only the match records,
by its own row numbers. The service never sees a name. When both sides have submitted,
the service links the two sets once (:func:`sdk.linkage.encode.link`, the same blocking,
similarity and one-to-one assignment as ``zkaid dedup link``), gives every matched pair a
random reference that means nothing outside this comparison, and deletes the uploaded
records. Each agency then downloads only its own rows that matched, each with the pair's
reference, and confirms receipt, which deletes its result. Whatever is left is deleted when
the comparison expires (``linkage_compare_retention`` after it was opened).

What the service learns (specs/linkage.md §5): the two sets of records (keyed, and bound to
this comparison, so they match nothing else it holds), the sizes of both lists and which of
their rows form pairs. What an agency learns: which of its own rows have a partner on the
other list, and the pair references; nothing of the other list's rows.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

import cbor2
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from sdk.errors import EncodingError, ParameterError
from sdk.linkage.encode import DEFAULT_THRESHOLD, MatchRecord, link
from sdk.reasons import LinkageServiceReason
from verifier_service.registry.db import Store
from verifier_service.registry.models import Agency
from verifier_service.registry.models_linkage import (
    ComparisonRecordRow,
    ComparisonResultRow,
    ComparisonRow,
    ComparisonSideRow,
)
from verifier_service.services import audit
from verifier_service.services.auth import Principal
from verifier_service.services.errors import BadInput, Conflict, Gone, Invalid, NotFound

__all__ = [
    "MAX_RECORD_BYTES",
    "MAX_ROW",
    "MIN_THRESHOLD",
    "ComparisonInfo",
    "ComparisonResult",
    "SideInfo",
    "cancel",
    "confirm_received",
    "decode_upload",
    "get",
    "list_for",
    "open_comparison",
    "purge",
    "result",
    "submit",
    "upload",
]

MAX_RECORD_BYTES = 16 * 1024
MAX_ROW = 2**31 - 1
MIN_THRESHOLD = 0.5  # below this, pairs are guesses: the result would mislead both officers
UPLOAD_VERSION = 1
REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud between two officers


@dataclass(frozen=True)
class SideInfo:
    agency: str
    submitted: bool
    rows: int | None  # only the caller's own side
    matched: int | None  # only the caller's own side, once matched
    received: bool | None  # only the caller's own side


@dataclass(frozen=True)
class ComparisonInfo:
    id: str
    opened_by: str
    partner: str
    threshold: float
    created_at: int
    expires_at: int
    status: str  # open | matched | closed | cancelled
    sides: tuple[SideInfo, ...]


@dataclass(frozen=True)
class ComparisonResult:
    id: str
    rows: int
    matches: tuple[tuple[int, str], ...]  # (own row number, pair reference)


def _new_ref() -> str:
    """A pair reference: 50 random bits as ``M-XXXXX-XXXXX`` (unique within the comparison)."""
    s = "".join(secrets.choice(REF_ALPHABET) for _ in range(10))
    return f"M-{s[:5]}-{s[5:]}"


def _parties(c: ComparisonRow) -> tuple[str, str]:
    return c.opened_by, c.partner


def _load(session: Session, principal: Principal, comparison_id: str, *, now: int,
          lock: bool = False) -> ComparisonRow:
    """The comparison if the caller's agency is one of its two parties (else 404, the same
    answer as for an id that does not exist: a third agency learns nothing)."""
    q = select(ComparisonRow).where(ComparisonRow.id == comparison_id)
    if lock:
        q = q.with_for_update()
    c = session.scalars(q).first()
    if c is None or principal.agency not in _parties(c):
        raise NotFound("no comparison with this id involves your agency",
                       reason=LinkageServiceReason.UNKNOWN_COMPARISON)
    if c.expires_at <= now:
        raise Gone("this comparison has expired and its data is deleted: open a new one",
                   reason=LinkageServiceReason.COMPARISON_EXPIRED)
    return c


def _side(session: Session, c: ComparisonRow, agency: str) -> ComparisonSideRow:
    side = session.get(ComparisonSideRow, (c.id, agency))
    assert side is not None  # both sides are made with the comparison
    return side


def _info(session: Session, c: ComparisonRow, caller: str) -> ComparisonInfo:
    sides = []
    for agency in _parties(c):
        s = _side(session, c, agency)
        own = agency == caller
        sides.append(SideInfo(agency, s.submitted_at is not None, s.rows if own else None,
                              s.matched if own else None, (s.received_at is not None) if own else None))
    return ComparisonInfo(c.id, c.opened_by, c.partner, c.threshold, c.created_at, c.expires_at, c.status,
                          tuple(sides))


def open_comparison(store: Store, *, now: int, principal: Principal, partner: str,
                    threshold: float = DEFAULT_THRESHOLD, retention: int, max_open: int) -> ComparisonInfo:
    """Open a comparison of the caller's agency's list with ``partner``'s list."""
    if not MIN_THRESHOLD <= threshold <= 1.0:
        raise Invalid(f"the threshold is between {MIN_THRESHOLD} and 1", reason=LinkageServiceReason.INVALID_UPLOAD)
    if partner == principal.agency:
        raise Invalid("a comparison is between two agencies: use `zkaid dedup within` for one list",
                      reason=LinkageServiceReason.SELF_COMPARISON)
    with store.write() as s:
        if s.get(Agency, partner) is None:
            raise NotFound(f"no agency {partner!r} in this registry: ask the other agency for its id",
                           reason=LinkageServiceReason.UNKNOWN_AGENCY)
        n_open = s.scalar(select(func.count()).select_from(ComparisonRow).where(
            ComparisonRow.opened_by == principal.agency, ComparisonRow.status == "open",
            ComparisonRow.expires_at > now)) or 0
        if n_open >= max_open:
            raise Conflict(f"your agency has {n_open} comparisons open already: finish or cancel one first",
                           reason=LinkageServiceReason.TOO_MANY_COMPARISONS)
        c = ComparisonRow(id=secrets.token_hex(16), opened_by=principal.agency, partner=partner,
                          opened_by_key=principal.key_id, threshold=float(threshold), created_at=now,
                          expires_at=now + retention, status="open")
        s.add(c)
        s.flush()
        s.add_all([ComparisonSideRow(comparison_id=c.id, agency_id=a, rows=0) for a in _parties(c)])
        s.flush()
        audit.record(s, at=now, agency=principal.agency, actor=principal.actor, action="linkage.compare.open",
                     target=c.id, partner=partner, threshold=threshold)
        return _info(s, c, principal.agency)


def get(store: Store, *, now: int, principal: Principal, comparison_id: str) -> ComparisonInfo:
    with store.read() as s:
        return _info(s, _load(s, principal, comparison_id, now=now), principal.agency)


def list_for(store: Store, *, now: int, principal: Principal) -> list[ComparisonInfo]:
    """The caller's agency's comparisons that have not expired, newest first."""
    with store.read() as s:
        rows = s.scalars(select(ComparisonRow).where(
            or_(ComparisonRow.opened_by == principal.agency, ComparisonRow.partner == principal.agency),
            ComparisonRow.expires_at > now).order_by(ComparisonRow.created_at.desc()).limit(100)).all()
        return [_info(s, c, principal.agency) for c in rows]


def decode_upload(body: bytes, *, max_rows: int) -> tuple[str, list[tuple[int, bytes]]]:
    """An upload body: CBOR ``[1, comparison id, [[row, record], ...]]``, strictly checked.

    Each record must decode as a match record in its canonical encoding; rows are distinct
    positive integers. Raises BadInput (400) with ``invalid_upload``."""
    try:
        obj = cbor2.loads(body)
    except (cbor2.CBORDecodeError, ValueError, TypeError, EOFError, RecursionError) as exc:
        raise BadInput(f"the upload is not CBOR: {exc}", reason=LinkageServiceReason.INVALID_UPLOAD) from exc
    if (not isinstance(obj, list) or len(obj) != 3 or obj[0] != UPLOAD_VERSION or not isinstance(obj[1], str)
            or not isinstance(obj[2], list)):
        raise BadInput("the upload is CBOR [1, comparison id, [[row, record], ...]]",
                       reason=LinkageServiceReason.INVALID_UPLOAD)
    items = obj[2]
    if not items:
        raise BadInput("the upload holds no rows", reason=LinkageServiceReason.NO_ROWS)
    if len(items) > max_rows:
        raise BadInput(f"at most {max_rows} rows per upload: send the list in several uploads",
                       reason=LinkageServiceReason.TOO_MANY_ROWS)
    out: list[tuple[int, bytes]] = []
    seen: set[int] = set()
    for n, item in enumerate(items):
        if (not isinstance(item, list) or len(item) != 2 or type(item[0]) is not int
                or not isinstance(item[1], bytes)):
            raise BadInput(f"upload item {n} is not [row, record]", reason=LinkageServiceReason.INVALID_UPLOAD)
        row, record = item
        if not 1 <= row <= MAX_ROW:
            raise BadInput(f"upload item {n}: row numbers are 1 to {MAX_ROW}", reason=LinkageServiceReason.INVALID_UPLOAD)
        if row in seen:
            raise BadInput(f"row {row} is twice in this upload", reason=LinkageServiceReason.DUPLICATE_ROW)
        seen.add(row)
        if not record or len(record) > MAX_RECORD_BYTES:
            raise BadInput(f"row {row}: a match record is 1 to {MAX_RECORD_BYTES} bytes",
                           reason=LinkageServiceReason.INVALID_MATCH_RECORD)
        try:
            rec = MatchRecord.from_bytes(record)
        except EncodingError as exc:
            raise BadInput(f"row {row}: not a match record ({exc.message})",
                           reason=LinkageServiceReason.INVALID_MATCH_RECORD) from exc
        if rec.to_bytes() != record:
            raise BadInput(f"row {row}: the match record is not in its canonical encoding",
                           reason=LinkageServiceReason.INVALID_MATCH_RECORD)
        out.append((row, record))
    return obj[1], out


def _open_side(session: Session, principal: Principal, comparison_id: str, *, now: int,
               ) -> tuple[ComparisonRow, ComparisonSideRow]:
    c = _load(session, principal, comparison_id, now=now, lock=True)
    if c.status != "open":
        raise Conflict(f"this comparison is {c.status}: nothing more can be uploaded",
                       reason=LinkageServiceReason.COMPARISON_CLOSED)
    side = _side(session, c, principal.agency)
    if side.submitted_at is not None:
        raise Conflict("your agency has submitted its list to this comparison already",
                       reason=LinkageServiceReason.ALREADY_SUBMITTED)
    return c, side


def upload(store: Store, *, now: int, principal: Principal, comparison_id: str,
           rows: Sequence[tuple[int, bytes]], max_rows: int) -> int:
    """Add decoded rows to the caller's side; returns the side's row count so far."""
    with store.write() as s:
        c, side = _open_side(s, principal, comparison_id, now=now)
        if side.rows + len(rows) > max_rows:
            raise Invalid(f"a side of a comparison holds at most {max_rows} rows (this upload would make "
                          f"{side.rows + len(rows)}): split the list", reason=LinkageServiceReason.TOO_MANY_ROWS)
        numbers = [r for r, _ in rows]
        taken = s.scalars(select(ComparisonRecordRow.row).where(
            ComparisonRecordRow.comparison_id == c.id, ComparisonRecordRow.agency_id == principal.agency,
            ComparisonRecordRow.row.in_(numbers)).limit(1)).first()
        if taken is not None:
            raise Conflict(f"row {taken} was uploaded already", reason=LinkageServiceReason.DUPLICATE_ROW)
        s.add_all([ComparisonRecordRow(comparison_id=c.id, agency_id=principal.agency, row=r, record=rec)
                   for r, rec in rows])
        side.rows += len(rows)
        audit.record(s, at=now, agency=principal.agency, actor=principal.actor, action="linkage.compare.upload",
                     target=c.id, rows=len(rows))
        return side.rows


def submit(store: Store, *, now: int, principal: Principal, comparison_id: str, rows: int,
           steward_key_id: str | None) -> ComparisonInfo:
    """Close the caller's side (``rows`` must be what it uploaded: a lost upload is caught).
    When the other side has submitted too, match them now."""
    with store.write() as s:
        c, side = _open_side(s, principal, comparison_id, now=now)
        if side.rows == 0:
            raise Invalid("upload your list's records before submitting", reason=LinkageServiceReason.NO_ROWS)
        if rows != side.rows:
            raise Conflict(f"you say {rows} rows but {side.rows} arrived: upload the missing ones, or open a new "
                           "comparison", reason=LinkageServiceReason.ROW_COUNT_MISMATCH, uploaded=side.rows)
        other = _side(s, c, c.partner if principal.agency == c.opened_by else c.opened_by)
        if steward_key_id and other.steward_key_id and other.steward_key_id != steward_key_id:
            raise Conflict(f"the other agency encoded with steward key {other.steward_key_id}, you with "
                           f"{steward_key_id}: both must use the same steward configuration",
                           reason=LinkageServiceReason.STEWARD_KEY_MISMATCH, key_id=other.steward_key_id)
        side.submitted_at, side.steward_key_id = now, steward_key_id
        audit.record(s, at=now, agency=principal.agency, actor=principal.actor, action="linkage.compare.submit",
                     target=c.id, rows=side.rows)
        if other.submitted_at is not None:
            _match(s, c, now=now)
        s.flush()
        return _info(s, c, principal.agency)


def _match(s: Session, c: ComparisonRow, *, now: int) -> None:
    """Link the two sides once, store a reference per matched row, delete the records."""
    def side_records(agency: str) -> tuple[list[int], list[MatchRecord]]:
        got = s.execute(select(ComparisonRecordRow.row, ComparisonRecordRow.record).where(
            ComparisonRecordRow.comparison_id == c.id, ComparisonRecordRow.agency_id == agency)
            .order_by(ComparisonRecordRow.row)).all()
        return [r for r, _ in got], [MatchRecord.from_bytes(rec) for _, rec in got]

    a_rows, a_recs = side_records(c.opened_by)
    b_rows, b_recs = side_records(c.partner)
    try:
        pairs = link(a_recs, b_recs, c.threshold)
    except ParameterError as exc:  # pragma: no cover - the threshold was checked at opening
        raise Invalid(exc.message, reason=LinkageServiceReason.INVALID_UPLOAD) from exc
    refs: set[str] = set()
    results = []
    for i, j in pairs:
        ref = _new_ref()
        while ref in refs:  # pragma: no cover - 50 random bits
            ref = _new_ref()
        refs.add(ref)
        results.append(ComparisonResultRow(comparison_id=c.id, agency_id=c.opened_by, row=a_rows[i], match_ref=ref))
        results.append(ComparisonResultRow(comparison_id=c.id, agency_id=c.partner, row=b_rows[j], match_ref=ref))
    s.add_all(results)
    s.execute(delete(ComparisonRecordRow).where(ComparisonRecordRow.comparison_id == c.id))
    s.execute(update(ComparisonSideRow).where(ComparisonSideRow.comparison_id == c.id).values(matched=len(pairs)))
    c.status, c.matched_at, c.pairs = "matched", now, len(pairs)
    audit.record(s, at=now, agency=None, actor="service", action="linkage.compare.match", target=c.id,
                 rows=[len(a_rows), len(b_rows)], pairs=len(pairs))


def result(store: Store, *, now: int, principal: Principal, comparison_id: str, after: int = 0,
           limit: int = 50_000) -> ComparisonResult:
    """The caller's own matched rows with their pair references (only its own side), by
    increasing row number, from the first row above ``after``, at most ``limit``."""
    with store.write() as s:
        c = _load(s, principal, comparison_id, now=now)
        side = _side(s, c, principal.agency)
        if c.status == "open":
            waiting = "your list" if side.submitted_at is None else "the other agency's list"
            raise Conflict(f"the comparison is waiting for {waiting}: try again later",
                           reason=LinkageServiceReason.RESULT_NOT_READY)
        if c.status == "cancelled" or side.received_at is not None:
            raise Gone("this result was delivered and deleted (or the comparison was cancelled)",
                       reason=LinkageServiceReason.COMPARISON_CLOSED)
        got = s.execute(select(ComparisonResultRow.row, ComparisonResultRow.match_ref).where(
            ComparisonResultRow.comparison_id == c.id, ComparisonResultRow.agency_id == principal.agency,
            ComparisonResultRow.row > after).order_by(ComparisonResultRow.row).limit(limit)).all()
        audit.record(s, at=now, agency=principal.agency, actor=principal.actor, action="linkage.compare.result",
                     target=c.id, matches=len(got), after=after)
        return ComparisonResult(c.id, side.rows, tuple((r, m) for r, m in got))


def confirm_received(store: Store, *, now: int, principal: Principal, comparison_id: str) -> None:
    """The caller has its result: delete its side's result rows (and close the comparison
    once both sides have theirs)."""
    with store.write() as s:
        c = _load(s, principal, comparison_id, now=now, lock=True)
        if c.status not in ("matched", "closed"):
            raise Conflict("there is no result to confirm yet", reason=LinkageServiceReason.RESULT_NOT_READY)
        side = _side(s, c, principal.agency)
        if side.received_at is None:
            s.execute(delete(ComparisonResultRow).where(ComparisonResultRow.comparison_id == c.id,
                                                        ComparisonResultRow.agency_id == principal.agency))
            side.received_at = now
            audit.record(s, at=now, agency=principal.agency, actor=principal.actor,
                         action="linkage.compare.received", target=c.id)
        other = _side(s, c, c.partner if principal.agency == c.opened_by else c.opened_by)
        if other.received_at is not None:
            c.status = "closed"


def cancel(store: Store, *, now: int, principal: Principal, comparison_id: str) -> None:
    """Either party withdraws: everything uploaded and every result is deleted."""
    with store.write() as s:
        c = _load(s, principal, comparison_id, now=now, lock=True)
        s.execute(delete(ComparisonRecordRow).where(ComparisonRecordRow.comparison_id == c.id))
        s.execute(delete(ComparisonResultRow).where(ComparisonResultRow.comparison_id == c.id))
        c.status = "cancelled"
        audit.record(s, at=now, agency=principal.agency, actor=principal.actor, action="linkage.compare.cancel",
                     target=c.id)


def purge(session: Session, now: int) -> int:
    """Housekeeping: delete every comparison past its retention, with all it holds."""
    ids = list(session.scalars(select(ComparisonRow.id).where(ComparisonRow.expires_at <= now).limit(1000)))
    if not ids:
        return 0
    for table in (ComparisonRecordRow, ComparisonResultRow, ComparisonSideRow):
        session.execute(delete(table).where(table.comparison_id.in_(ids)))
    session.execute(delete(ComparisonRow).where(ComparisonRow.id.in_(ids)))
    audit.record(session, at=now, agency=None, actor="service", action="linkage.compare.purge",
                 target=dt.datetime.fromtimestamp(now, dt.UTC).date().isoformat(), comparisons=len(ids))
    return len(ids)
