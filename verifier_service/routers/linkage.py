"""Person linkage routes: the registration check (registrars) and the steward OPRF.

Both are rate-limited per API key (``verifier_service.ratelimit``) and audited without
inputs: a check is recorded with the digest of the record, an OPRF call with a count."""

from __future__ import annotations

import base64
import binascii
import threading

from fastapi import APIRouter, Path, Request

from sdk.reasons import LinkageServiceReason, ProblemReason
from verifier_service.deps import RegistrarDep, RuntimeDep
from verifier_service.linkage_schemas import (
    CheckIn,
    CheckOut,
    MatchOut,
    OprfIn,
    OprfOut,
    ResolutionIn,
    ResolutionOut,
    StewardOut,
)
from verifier_service.problems import ProblemError, documented
from verifier_service.ratelimit import MissLimiter
from verifier_service.runtime import Runtime
from verifier_service.services import linkage
from verifier_service.services.auth import Principal

router = APIRouter(prefix="/v1/linkage", tags=["linkage"])

_lock = threading.Lock()


class _Limits:
    def __init__(self, rt: Runtime) -> None:
        self.checks = MissLimiter(rt.settings.linkage_check_limit)
        self.oprf = MissLimiter(rt.settings.linkage_oprf_limit)


def _limits(request: Request, rt: Runtime) -> _Limits:
    """Per application (so per runtime), made on first use."""
    with _lock:
        lim = getattr(request.app.state, "linkage_limits", None)
        if lim is None:
            lim = _Limits(rt)
            request.app.state.linkage_limits = lim
    assert isinstance(lim, _Limits)
    return lim


def _spend(limiter: MissLimiter, who: Principal, what: str) -> None:
    if limiter.blocked(who.key_id):
        raise ProblemError(429, ProblemReason.TOO_MANY_REQUESTS, f"too many {what} with this API key: wait a minute",
                           retry_after=60)
    limiter.miss(who.key_id)  # every call counts, answered or not


@router.post("/checks", response_model=CheckOut, responses=documented(400, 401, 403, 404, 409, 410, 413, 422, 429))
def check(body: CheckIn, request: Request, rt: RuntimeDep, who: RegistrarDep) -> CheckOut:
    """The registration check: is this person registered already, by any agency?

    Needs a pending offer of the caller's agency (``offer_id``): one check per offer, so no
    look-up happens without a registration. Answers ``no_match`` or ``possible_match`` with
    the registering agency's display name and the day; nothing else about the other record.
    Errors: 404 ``unknown_offer``, 409 ``already_checked`` / ``offer_used``, 410 ``offer_expired``,
    400 ``invalid_match_record``, 429 ``too_many_requests``."""
    _spend(_limits(request, rt).checks, who, "registration checks")
    try:
        record = base64.b64decode(body.record, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ProblemError(400, LinkageServiceReason.INVALID_MATCH_RECORD, "the record is not valid base64") from exc
    r = linkage.check_registration(rt.store, now=rt.now(), principal=who, offer_id=body.offer_id, record=record,
                                   threshold=rt.settings.linkage_match_threshold,
                                   min_shared_keys=rt.settings.linkage_min_shared_keys)
    return CheckOut(offer_id=r.offer_id, outcome=r.outcome,  # type: ignore[arg-type]
                    matches=[MatchOut(agency=m.agency, registered_on=m.registered_on) for m in r.matches],
                    checked_at=r.checked_at)


@router.post("/checks/{offer_id}/resolution", response_model=ResolutionOut,
             responses=documented(401, 403, 404, 409, 422))
def resolution(body: ResolutionIn, rt: RuntimeDep, who: RegistrarDep,
               offer_id: str = Path(pattern=r"^[0-9a-f]{32}$")) -> ResolutionOut:
    """Record how a possible match was resolved at the desk (docs/deduplication.md):
    ``same_person`` withdraws the offer (the person keeps their existing card),
    ``different_person`` (after a steward review) lets the card be issued. Until then the
    offer cannot be redeemed (403 ``registration_held``). Errors: 404 ``unknown_check``,
    409 ``nothing_to_resolve`` / ``already_resolved`` / ``offer_used``."""
    d = linkage.resolve(rt.store, now=rt.now(), principal=who, offer_id=offer_id, decision=body.decision)
    return ResolutionOut(offer_id=offer_id, decision=d)


@router.post("/oprf", response_model=OprfOut, responses=documented(400, 401, 403, 404, 409, 413, 422, 429))
def oprf(body: OprfIn, request: Request, rt: RuntimeDep, who: RegistrarDep) -> OprfOut:
    """Steward side of the threshold OPRF: evaluate blinded elements with this instance's
    key share and prove it (DLEQ). The steward never sees an input. Errors: 404
    ``not_a_steward``, 409 ``steward_key_mismatch``, 400 ``invalid_element``, 413 batch too
    large, 429 ``too_many_requests``."""
    if len(body.blinded) > rt.settings.linkage_oprf_max_batch:
        raise ProblemError(413, ProblemReason.TOO_LARGE, f"at most {rt.settings.linkage_oprf_max_batch} elements per request")
    _spend(_limits(request, rt).oprf, who, "steward requests")
    info, answer = linkage.evaluate(rt.store, rt.keyring, now=rt.now(), principal=who,
                                    blinded=[bytes.fromhex(x) for x in body.blinded], key_id=body.key_id)
    return OprfOut(key_id=info.key_id, index=info.index, answer=base64.b64encode(answer).decode())


@router.get("/steward", response_model=StewardOut, responses=documented(404))
def steward(rt: RuntimeDep) -> StewardOut:
    """This instance's public steward parts (compare with the steward configuration the
    registrars load: the configuration, not this answer, is what they trust)."""
    i = linkage.steward_info(rt.store)
    return StewardOut(key_id=i.key_id, index=i.index, threshold=i.threshold, stewards=i.stewards,
                      public_key=i.public_key.hex(), public_share=i.public_share.hex())
