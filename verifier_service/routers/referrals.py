"""Referrals between agencies (``/v1/referrals``): keys, types, sealed referrals, status and
withdrawal. The service only ever handles ciphertext; see specs/referrals.md."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from sdk.errors import ReferralError
from sdk.reasons import AuthReason, ProblemReason
from sdk.referral import ReferralBatch
from sdk.referral.envelope import decode_message
from verifier_service.deps import CBOR, AdminDep, CborBody, EnrollerDep, MemberDep, RuntimeDep
from verifier_service.problems import ProblemError, documented
from verifier_service.referral_schemas import (
    ReferralBatchItem,
    ReferralBatchOut,
    ReferralKeyCreate,
    ReferralKeyOut,
    ReferralOut,
    ReferralStatusUpdate,
    ReferralTypeOut,
    ReferralTypeSet,
)
from verifier_service.services import referrals
from verifier_service.services.referrals import ReferralInfo, ReferralKeyInfo

router = APIRouter(prefix="/v1/referrals", tags=["referrals"])
RefId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="Referral id (16 bytes, hex)")]
Kid = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$")]
TypeId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]


def _out(i: ReferralInfo) -> ReferralOut:
    return ReferralOut(**i.__dict__)


def _key_out(k: ReferralKeyInfo) -> ReferralKeyOut:
    return ReferralKeyOut(**k.__dict__)


# ------------------------------------------------------------------------ keys and types

@router.post("/keys", response_model=ReferralKeyOut, status_code=201, responses=documented(401, 403, 409, 422))
def register_key(body: ReferralKeyCreate, rt: RuntimeDep, who: AdminDep) -> ReferralKeyOut:
    """Publish the public half of a referral key made on this agency's desk; the trust list
    is re-signed (when this service holds its key). 422 ``invalid_key``, 409 ``key_exists``."""
    with rt.store.write() as s:
        k = referrals.register_key(s, now=rt.now(), agency=who.agency, name=body.name, suite=body.suite,
                                   public_key=bytes.fromhex(body.public_key), not_before=body.not_before,
                                   not_after=body.not_after, lifetime=rt.settings.referral_key_lifetime,
                                   actor=who.actor)
    rt.resign(force=True, actor=who.actor)
    return _key_out(k)


@router.get("/keys", response_model=list[ReferralKeyOut], responses=documented(401))
def list_keys(rt: RuntimeDep, who: MemberDep, agency: str | None = Query(default=None, max_length=64)
              ) -> list[ReferralKeyOut]:
    with rt.store.read() as s:
        return [_key_out(k) for k in referrals.list_keys(s, agency=agency)]


@router.delete("/keys/{kid}", status_code=204, response_class=Response, responses=documented(401, 403, 404))
def revoke_key(kid: Kid, rt: RuntimeDep, who: AdminDep) -> Response:
    """Take a referral key out of the trust list (rotation or a lost desk)."""
    with rt.store.write() as s:
        referrals.revoke_key(s, now=rt.now(), agency=who.agency, kid=kid, actor=who.actor)
    rt.resign(force=True, actor=who.actor)
    return Response(status_code=204)


@router.put("/types/{type_id}", response_model=ReferralTypeOut, responses=documented(401, 403, 422))
def set_type(type_id: TypeId, body: ReferralTypeSet, rt: RuntimeDep, who: AdminDep) -> ReferralTypeOut:
    """Add or relabel an agreed referral type (the registry operator's admins)."""
    if not who.operator:
        raise ProblemError(403, AuthReason.FORBIDDEN, "the registry operator's administrators keep the list of types")
    with rt.store.write() as s:
        t = referrals.set_type(s, now=rt.now(), type_id=type_id, labels=body.labels, actor=who.actor,
                               agency=who.agency)
    rt.resign(force=True, actor=who.actor)
    return ReferralTypeOut(id=t.id, labels=t.labels)


@router.get("/types", response_model=list[ReferralTypeOut], responses=documented(401))
def list_types(rt: RuntimeDep, who: MemberDep) -> list[ReferralTypeOut]:
    with rt.store.read() as s:
        return [ReferralTypeOut(id=t.id, labels=t.labels) for t in referrals.list_types(s)]


# ------------------------------------------------------------------------------ referrals

@router.post("", response_model=ReferralOut, status_code=201,
             responses={200: {"description": "Delivered before: the stored referral (idempotent retry)"},
                        **documented(400, 401, 403, 409, 410, 413, 415, 422, 503)},
             openapi_extra={"requestBody": {"required": True, "content": {CBOR: {"schema": {
                 "type": "string", "format": "binary",
                 "description": "ReferralSubmission (specs/referrals.md §5)"}}}}})
async def send(body: CborBody, rt: RuntimeDep, who: EnrollerDep, response: Response) -> ReferralOut:
    """Deliver a sealed referral with the person's consent. 201 stored; 200 the same
    submission was stored before; 409 ``replayed``; 410 ``expired``; 422 ``wrong_recipient``,
    ``consent_mismatch``, ``consent_invalid``, ``bad_lifetime``; 403 ``wrong_sender``."""
    # async: the request waits for its group commit on the event loop (no thread of its own)
    info, created = await referrals.submit_async(rt.store, rt.trust_cache, now=rt.now(), principal=who, data=body,
                                                 retention=rt.settings.referral_retention)
    if not created:
        response.status_code = 200
    return _out(info)


@router.post("/batch", response_model=ReferralBatchOut,
             responses=documented(400, 401, 403, 413, 415, 422, 503),
             openapi_extra={"requestBody": {"required": True, "content": {CBOR: {"schema": {
                 "type": "string", "format": "binary",
                 "description": "ReferralBatch: up to 64 ReferralSubmissions (specs/referrals.md §6)"}}}}})
def send_batch(body: CborBody, rt: RuntimeDep, who: EnrollerDep) -> ReferralBatchOut:
    """Deliver up to 64 consented referrals at once (an outbox catching up); the consents are
    verified together. Each item is stored or refused on its own, with the same reasons as
    ``POST /v1/referrals``; a malformed batch is 400."""
    try:
        batch = decode_message(body, ReferralBatch, "referral batch")
    except ReferralError as exc:
        raise ProblemError(400, ProblemReason.MALFORMED, exc.message) from exc
    results = referrals.submit_many(rt.store, rt.trust_cache, now=rt.now(), principal=who,
                                    items=list(batch.submissions), retention=rt.settings.referral_retention)
    return ReferralBatchOut(results=[
        ReferralBatchItem(index=i, created=r.created, referral=_out(r.info) if r.info else None, reason=r.reason,
                          detail=r.detail) for i, r in enumerate(results)])


@router.get("", response_model=list[ReferralOut], responses=documented(401, 422))
def list_referrals(
    rt: RuntimeDep, who: MemberDep, box: Literal["sent", "inbox"] = "inbox",
    status: Literal["sent", "received", "accepted", "declined", "completed", "withdrawn", "expired"] | None = None,
    pseudonym: str | None = Query(default=None, pattern=r"^[0-9a-fA-F]{96}$",
                                  description="The person's pseudonym in this agency's referral scope"),
    since: int = Query(default=0, ge=0, le=2**53), limit: int = Query(default=1000, ge=1, le=10_000),
) -> list[ReferralOut]:
    """Referrals the caller's agency sent (status only) or received."""
    with rt.store.read() as s:
        found = referrals.list_referrals(s, principal=who, box=box, status=status,
                                         pseudonym=bytes.fromhex(pseudonym) if pseudonym else None,
                                         since=since, limit=limit)
    return [_out(i) for i in found]


@router.get("/{referral_id}", response_model=ReferralOut, responses=documented(401, 404))
def get_referral(referral_id: RefId, rt: RuntimeDep, who: MemberDep) -> ReferralOut:
    """Status of one referral, for the sending or the receiving agency."""
    with rt.store.read() as s:
        return _out(referrals.get(s, principal=who, referral_id=referral_id))


@router.get("/{referral_id}/sealed", response_class=Response,
            responses={200: {"content": {CBOR: {}}, "description": "The SealedReferral bytes"},
                       **documented(401, 403, 404, 410)})
def fetch_sealed(referral_id: RefId, rt: RuntimeDep, who: EnrollerDep) -> Response:
    """The sealed referral, for the receiving agency's desk to decrypt; records ``received``.
    410 when withdrawn, expired, declined or completed (the content is gone)."""
    data = referrals.fetch_sealed(rt.store, now=rt.now(), principal=who, referral_id=referral_id)
    return Response(content=data, media_type=CBOR)


@router.post("/{referral_id}/status", response_model=ReferralOut, responses=documented(401, 403, 404, 409, 422))
def update_status(referral_id: RefId, body: ReferralStatusUpdate, rt: RuntimeDep, who: EnrollerDep) -> ReferralOut:
    """The receiving agency records received / accepted / declined / completed.
    409 ``invalid_transition`` (e.g. completing a declined referral)."""
    return _out(referrals.update_status(rt.store, now=rt.now(), principal=who, referral_id=referral_id,
                                        status=body.status))


@router.post("/{referral_id}/withdraw", response_model=ReferralOut,
             responses=documented(400, 403, 404, 410, 413, 415, 422),
             openapi_extra={"requestBody": {"required": True, "content": {CBOR: {"schema": {
                 "type": "string", "format": "binary",
                 "description": "ReferralWithdrawal (specs/referrals.md §6)"}}}}})
def withdraw(referral_id: RefId, body: CborBody, rt: RuntimeDep) -> ReferralOut:
    """The person withdraws consent from their wallet (no API key: the proof made in the
    referral scope is the authorisation). 403 ``not_yours``; 422 ``consent_mismatch``."""
    return _out(referrals.withdraw(rt.store, rt.trust_cache, now=rt.now(), referral_id=referral_id, data=body))
