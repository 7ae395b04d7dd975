"""Online verification (and optional enrollment) for agencies that verify server-side."""

from __future__ import annotations

import base64
import binascii

from fastapi import APIRouter

from sdk.reasons import ProblemReason
from verifier_service.deps import EnrollerDep, RuntimeDep
from verifier_service.problems import ProblemError, documented
from verifier_service.schemas import EnrollmentOut, VerifyOut, VerifyRequest
from verifier_service.services import verification
from verifier_service.verify_batch_schemas import VerifyBatchIn, VerifyBatchOut, VerifyBatchResult

router = APIRouter(prefix="/v1", tags=["verification"])


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ProblemError(400, ProblemReason.MALFORMED, f"{what} is not valid base64") from exc


@router.post("/verify", response_model=VerifyOut,
             responses=documented(400, 401, 403, 409, 413, 422, 503))
def verify(body: VerifyRequest, rt: RuntimeDep, who: EnrollerDep) -> VerifyOut:
    """422 with the verifier's reason when the presentation is refused; 409
    ``already_enrolled`` when ``enroll`` is set and the person is enrolled in the scope."""
    out = verification.verify(rt.store, rt.trust_cache, now=rt.now(), principal=who,
                              request=_b64(body.request, "request"),
                              presentation=_b64(body.presentation, "presentation"), enroll=body.enroll)
    return _out(out)


@router.post("/verify/batch", response_model=VerifyBatchOut,
             responses=documented(400, 401, 403, 413, 422, 503))
def verify_batch(body: VerifyBatchIn, rt: RuntimeDep, who: EnrollerDep) -> VerifyBatchOut:
    """Up to 256 (request, presentation) pairs checked together: one multi-pairing for all
    (a small-exponent batch), and bisection names the bad ones. Always 200 once the body is
    readable; each item says ``ok`` or carries the reason ``/v1/verify`` would give."""
    items = [(_b64(i.request, "request"), _b64(i.presentation, "presentation")) for i in body.items]
    outs = verification.verify_batch(rt.store, rt.trust_cache, now=rt.now(), principal=who, items=items,
                                     enroll=body.enroll)
    results = [
        VerifyBatchResult(ok=True, result=_out(o)) if isinstance(o, verification.VerifyOutcome)
        else VerifyBatchResult(ok=False, reason=o.reason, detail=o.message, extra=o.extra or None)
        for o in outs
    ]
    return VerifyBatchOut(results=results, verified=sum(r.ok for r in results))


def _out(out: verification.VerifyOutcome) -> VerifyOut:
    v, e = out.verified, out.enrollment
    return VerifyOut(
        ok=True, issuer=v.issuer.name, issuer_kid=v.issuer.kid.hex(), schema=v.schema.ref,
        disclosed=out.disclosed_json,
        predicates=[{"attribute": a, "op": op, "bounds": list(b)} for a, op, b in v.predicates],
        scope=v.scope, pseudonym=v.pseudonym.hex(), trust_list="stale" if v.freshness.state.value == "stale" else "fresh",
        warning=v.freshness.warning,
        enrollment=None if e is None else EnrollmentOut(scope=e.scope, pseudonym=e.pseudonym.hex(),
                                                        agency=e.agency, enrolled_at=e.enrolled_at),
    )
