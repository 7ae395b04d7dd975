"""Enrollment, offline sync, duplicates and scope statistics."""

from __future__ import annotations

from fastapi import APIRouter, Query

from sdk.reasons import RegistryReason
from verifier_service.deps import EnrollerDep, MemberDep, RuntimeDep
from verifier_service.problems import ProblemError, documented
from verifier_service.schemas import (
    NO_CONTROL,
    DuplicateOut,
    EnrollmentCreate,
    EnrollmentOut,
    ScopeOut,
    ScopeStatsOut,
    SyncOut,
    SyncRequest,
)
from verifier_service.services import registry

router = APIRouter(prefix="/v1", tags=["registry"])
_ERR = documented(401, 403, 409, 413, 422)


@router.post("/enrollments", response_model=EnrollmentOut, status_code=201, responses=_ERR)
async def enroll(body: EnrollmentCreate, rt: RuntimeDep, who: EnrollerDep) -> EnrollmentOut:
    """201, or 409 ``already_enrolled`` with ``first_agency`` and ``first_enrolled_at``."""
    # async: the request waits for its group commit on the event loop (no thread of its own)
    e = await registry.enroll_async(rt.store, now=rt.now(), principal=who, scope=body.scope,
                                    pseudonym=bytes.fromhex(body.pseudonym))
    return EnrollmentOut(scope=e.scope, pseudonym=e.pseudonym.hex(), agency=e.agency, enrolled_at=e.enrolled_at)


@router.post("/sync", response_model=SyncOut, responses=_ERR)
def sync(body: SyncRequest, rt: RuntimeDep, who: EnrollerDep) -> SyncOut:
    """Upload a device's offline enrollments (all or nothing) and page through the others'."""
    if len(body.enrollments) > rt.settings.sync_max_items:
        raise ProblemError(413, RegistryReason.TOO_LARGE, f"at most {rt.settings.sync_max_items} enrollments per sync")
    items = [e.to_sdk() for e in body.enrollments]
    r = registry.sync(rt.store, now=rt.now(), principal=who, device_id=body.device_id, scopes=body.scopes,
                      cursor=body.cursor, items=items, page_size=rt.settings.sync_page_size,
                      max_skew=rt.settings.max_enrollment_skew)
    return SyncOut.from_sdk(r.answer())


@router.get("/duplicates", response_model=list[DuplicateOut], responses=_ERR)
def duplicates(rt: RuntimeDep, who: MemberDep, scope: str | None = Query(default=None, max_length=256, pattern=NO_CONTROL),
               after: int = Query(default=0, ge=0, le=2**63 - 1),
               limit: int = Query(default=1000, ge=1, le=10_000)) -> list[DuplicateOut]:
    """Duplicate events that involve the caller's agency (first or second enrollment)."""
    with rt.store.read() as s:
        found = registry.list_duplicates(s, agency=who.agency, scope=scope, after=after, limit=limit)
    return [DuplicateOut.from_sdk(d) for d in found]


@router.get("/scopes", response_model=list[ScopeOut], responses=_ERR)
def scopes(rt: RuntimeDep, who: MemberDep) -> list[ScopeOut]:
    with rt.store.read() as s:
        found = registry.list_scopes(s)
    return [ScopeOut(scope=x.name, description=x.description, created_by=x.created_by, created_at=x.created_at)
            for x in found]


@router.get("/scopes/{scope:path}/stats", response_model=ScopeStatsOut,
            responses=documented(401, 404))
def scope_stats(scope: str, rt: RuntimeDep, who: MemberDep) -> ScopeStatsOut:
    with rt.store.read() as s:
        st = registry.scope_stats(s, scope[:300])
    return ScopeStatsOut(scope=st.scope, enrollments=st.enrollments, duplicates=st.duplicates,
                         by_agency=st.by_agency)
