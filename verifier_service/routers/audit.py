"""The audit log of the caller's agency (``admin`` or ``auditor``)."""

from __future__ import annotations

from fastapi import APIRouter, Query

from verifier_service.deps import AuditorDep, RuntimeDep
from verifier_service.problems import documented
from verifier_service.schemas import AuditEventOut
from verifier_service.services import audit

router = APIRouter(prefix="/v1", tags=["audit"])


@router.get("/audit", response_model=list[AuditEventOut], responses=documented(401, 403))
def audit_log(rt: RuntimeDep, who: AuditorDep, after: int = Query(default=0, ge=0, le=2**63 - 1),
              limit: int = Query(default=100, ge=1, le=1000)) -> list[AuditEventOut]:
    """The caller's agency's events (the registry operator also sees registry-wide ones)."""
    with rt.store.read() as s:
        events = audit.list_events(s, agency=who.agency, after=after, limit=limit, include_system=who.operator)
    return [AuditEventOut(**e.__dict__) for e in events]
