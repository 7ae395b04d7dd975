"""Blind comparison of two agencies' lists (issue 14, item 3): HTTP only, logic in
``verifier_service.services.comparisons``.

Both parties authenticate with their agency's registrar (or admin) key; a third agency gets
404 for a comparison id as for an unknown one. Every route counts against the caller's key
(``ZKAID_LINKAGE_COMPARE_LIMIT`` per minute) and is audited with counts only."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from sdk.reasons import LinkageServiceReason, ProblemReason
from verifier_service.deps import CborBody, RegistrarDep, RuntimeDep
from verifier_service.linkage_schemas import (
    ComparisonListOut,
    ComparisonOpenIn,
    ComparisonOut,
    ComparisonResultOut,
    ComparisonSideOut,
    MatchRowOut,
    SubmitIn,
    UploadOut,
)
from verifier_service.problems import ProblemError, documented
from verifier_service.ratelimit import MissLimiter
from verifier_service.runtime import Runtime
from verifier_service.services import comparisons
from verifier_service.services.auth import Principal

router = APIRouter(prefix="/v1/linkage", tags=["linkage"])

UPLOAD_PATH = "/v1/linkage/comparison-records"
ComparisonId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="the comparison id")]

RESULT_PAGE = 50_000  # ~2.5 MB of JSON: well under a client's response limit

_lock = threading.Lock()


def upload_body_limit(batch: int) -> int:
    """Bytes of one upload request: ``batch`` records of at most ~1.2 kB and CBOR framing."""
    return batch * 1400 + 4096


def _spend(request: Request, rt: Runtime, who: Principal) -> None:
    with _lock:
        lim = getattr(request.app.state, "comparison_limit", None)
        if lim is None:
            lim = MissLimiter(rt.settings.linkage_compare_limit)
            request.app.state.comparison_limit = lim
    assert isinstance(lim, MissLimiter)
    if lim.blocked(who.key_id):
        raise ProblemError(429, ProblemReason.TOO_MANY_REQUESTS,
                           "too many list-comparison requests with this API key: wait a minute", retry_after=60)
    lim.miss(who.key_id)


def _out(i: comparisons.ComparisonInfo) -> ComparisonOut:
    return ComparisonOut(id=i.id, opened_by=i.opened_by, partner=i.partner, threshold=i.threshold,
                         created_at=i.created_at, expires_at=i.expires_at, status=i.status,  # type: ignore[arg-type]
                         sides=[ComparisonSideOut(agency=s.agency, submitted=s.submitted, rows=s.rows,
                                                  matched=s.matched, received=s.received) for s in i.sides])


@router.post("/comparisons", status_code=201, response_model=ComparisonOut,
             responses=documented(401, 403, 404, 409, 422, 429))
def open_comparison(body: ComparisonOpenIn, request: Request, rt: RuntimeDep, who: RegistrarDep) -> ComparisonOut:
    """Open a blind comparison of your agency's list with ``partner``'s. Give the id to the
    other agency; each side encodes its own list with the id as context and uploads it.
    Errors: 404 ``unknown_agency``, 422 ``self_comparison``, 409 ``too_many_comparisons``."""
    _spend(request, rt, who)
    s = rt.settings
    return _out(comparisons.open_comparison(rt.store, now=rt.now(), principal=who, partner=body.partner,
                                            threshold=body.threshold, retention=s.linkage_compare_retention,
                                            max_open=s.linkage_compare_max_open))


@router.get("/comparisons", response_model=ComparisonListOut, responses=documented(401, 403, 429))
def list_comparisons(request: Request, rt: RuntimeDep, who: RegistrarDep) -> ComparisonListOut:
    """Your agency's comparisons that have not expired (opened by it or with it), newest first."""
    _spend(request, rt, who)
    return ComparisonListOut(comparisons=[_out(i) for i in comparisons.list_for(rt.store, now=rt.now(),
                                                                                principal=who)])


@router.get("/comparisons/{comparison_id}", response_model=ComparisonOut,
            responses=documented(401, 403, 404, 410, 429))
def get_comparison(comparison_id: ComparisonId, request: Request, rt: RuntimeDep, who: RegistrarDep) -> ComparisonOut:
    """Where the comparison stands: who has submitted; your own side's counts."""
    _spend(request, rt, who)
    return _out(comparisons.get(rt.store, now=rt.now(), principal=who, comparison_id=comparison_id))


@router.post(UPLOAD_PATH.removeprefix("/v1/linkage"), response_model=UploadOut,
             responses=documented(400, 401, 403, 404, 409, 410, 413, 415, 422, 429),
             openapi_extra={"requestBody": {"content": {"application/cbor": {}}, "required": True}})
def upload(body: CborBody, request: Request, rt: RuntimeDep, who: RegistrarDep) -> UploadOut:
    """Add match records to your side: CBOR ``[1, comparison id, [[row, record], ...]]``
    (``application/cbor``), at most ``ZKAID_LINKAGE_COMPARE_BATCH`` rows per request. Records
    are encoded at your desk with the comparison id as context (never names). Errors: 400
    ``invalid_upload`` / ``invalid_match_record`` / ``duplicate_row`` / ``too_many_rows`` /
    ``no_rows``, 409 ``duplicate_row`` / ``already_submitted`` / ``comparison_closed``, 413
    body too large, 422 ``too_many_rows`` (the side's limit)."""
    _spend(request, rt, who)
    s = rt.settings
    comparison_id, rows = comparisons.decode_upload(body, max_rows=s.linkage_compare_batch)
    if len(comparison_id) != 32 or any(ch not in "0123456789abcdef" for ch in comparison_id):
        raise ProblemError(404, LinkageServiceReason.UNKNOWN_COMPARISON,
                           "no comparison with this id involves your agency")
    total = comparisons.upload(rt.store, now=rt.now(), principal=who, comparison_id=comparison_id, rows=rows,
                               max_rows=s.linkage_compare_max_rows)
    return UploadOut(comparison=comparison_id, rows=total)


@router.post("/comparisons/{comparison_id}/submit", response_model=ComparisonOut,
             responses=documented(401, 403, 404, 409, 410, 422, 429))
def submit(comparison_id: ComparisonId, body: SubmitIn, request: Request, rt: RuntimeDep,
           who: RegistrarDep) -> ComparisonOut:
    """Close your side (``rows`` must equal what arrived). When the other side is in too, the
    two lists are matched now and the uploaded records deleted. Errors: 409
    ``row_count_mismatch`` / ``steward_key_mismatch`` / ``already_submitted``, 422 ``no_rows``."""
    _spend(request, rt, who)
    return _out(comparisons.submit(rt.store, now=rt.now(), principal=who, comparison_id=comparison_id,
                                   rows=body.rows, steward_key_id=body.steward_key_id))


@router.get("/comparisons/{comparison_id}/result", response_model=ComparisonResultOut,
            responses=documented(401, 403, 404, 409, 410, 429))
def get_result(comparison_id: ComparisonId, request: Request, rt: RuntimeDep, who: RegistrarDep,
               after: Annotated[int, Query(ge=0, description="only rows above this one (paging)")] = 0,
               limit: Annotated[int, Query(ge=1, le=RESULT_PAGE)] = RESULT_PAGE) -> ComparisonResultOut:
    """Your rows that have a partner on the other list, each with the pair's reference (the
    other agency's row of the pair has the same reference; nothing else of it crosses), by
    row number; ``next`` is the ``after`` of the next page (null on the last page).
    Errors: 409 ``result_not_ready``, 410 ``comparison_closed`` (delivered and deleted)."""
    _spend(request, rt, who)
    r = comparisons.result(rt.store, now=rt.now(), principal=who, comparison_id=comparison_id, after=after,
                           limit=limit)
    nxt = r.matches[-1][0] if len(r.matches) == limit else None
    return ComparisonResultOut(comparison=r.id, rows=r.rows, next=nxt,
                               matches=[MatchRowOut(row=row, match_ref=ref) for row, ref in r.matches])


@router.delete("/comparisons/{comparison_id}/result", status_code=204, responses=documented(401, 403, 404, 409, 410, 429))
def confirm_result(comparison_id: ComparisonId, request: Request, rt: RuntimeDep, who: RegistrarDep) -> Response:
    """You have stored your result: the service deletes it (idempotent)."""
    _spend(request, rt, who)
    comparisons.confirm_received(rt.store, now=rt.now(), principal=who, comparison_id=comparison_id)
    return Response(status_code=204)


@router.delete("/comparisons/{comparison_id}", status_code=204, responses=documented(401, 403, 404, 410, 429))
def cancel(comparison_id: ComparisonId, request: Request, rt: RuntimeDep, who: RegistrarDep) -> Response:
    """Withdraw from the comparison (either party): everything uploaded and every result is deleted."""
    _spend(request, rt, who)
    comparisons.cancel(rt.store, now=rt.now(), principal=who, comparison_id=comparison_id)
    return Response(status_code=204)
