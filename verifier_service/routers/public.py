"""Public endpoints: health, the signed trust list, offers by code and issuance."""

from __future__ import annotations

import json

from fastapi import APIRouter, Header, Request, Response

from sdk import __version__
from sdk.reasons import IssuanceReason, ProblemReason
from verifier_service.deps import CBOR, CborBody, RuntimeDep
from verifier_service.problems import ProblemError, documented
from verifier_service.runtime import Runtime
from verifier_service.schemas import AnchorOut, Health, SchemaOut, TrustListOut
from verifier_service.services import issuance, keys
from verifier_service.services import trust_list as tl
from verifier_service.services.errors import Forbidden, NotFound

router = APIRouter(prefix="/v1", tags=["public"])

_CBOR_OK = {"content": {CBOR: {"schema": {"type": "string", "format": "binary"}}}}
_PROBLEMS = documented(400, 403, 404, 410, 413, 415, 422, 429, 503)


@router.get("/health", response_model=Health)
def health(rt: RuntimeDep) -> Health:
    rt.store.ping()
    return Health(status="ok", version=__version__, database=rt.store.dialect)


@router.get("/trust-list", response_class=Response, responses={200: _CBOR_OK, 304: {"description": "not modified"}, **documented(503)})
def trust_list(rt: RuntimeDep, if_none_match: str | None = Header(default=None, max_length=256)) -> Response:
    """The signed trust list (COSE_Sign1). ``ETag`` is the quoted sequence number."""
    with rt.store.read() as s:
        row = tl.latest(s)
        if row is None:
            raise ProblemError(503, IssuanceReason.NO_TRUST_LIST, "no trust list has been signed yet")
        etag = f'"{row.sequence}"'
        headers = {"ETag": etag, "Cache-Control": "public, max-age=300"}
        if if_none_match is not None and etag in [t.strip() for t in if_none_match.split(",")]:
            return Response(status_code=304, headers=headers)
        return Response(content=row.signed, media_type=CBOR, headers=headers)


@router.get("/trust-list/info", response_model=TrustListOut, responses=documented(503))
def trust_list_info(rt: RuntimeDep) -> TrustListOut:
    with rt.store.read() as s:
        info = tl.latest_info(s)
    if info is None:
        raise ProblemError(503, IssuanceReason.NO_TRUST_LIST, "no trust list has been signed yet")
    return TrustListOut(**info.__dict__)


@router.get("/trust-list/anchor", response_model=AnchorOut, responses=documented(503))
def trust_anchor(rt: RuntimeDep) -> AnchorOut:
    """The key that signed the current list, to bootstrap a test deployment. A real
    deployment distributes the anchor out of band and apps pin it."""
    with rt.store.read() as s:
        row = tl.latest(s)
    if row is None:
        raise ProblemError(503, IssuanceReason.NO_TRUST_LIST, "no trust list has been signed yet")
    return AnchorOut(public_key=row.signer_public_key.hex(), kid=row.signer_kid, sequence=row.sequence)


@router.get("/schemas", response_model=list[SchemaOut])
def schemas(rt: RuntimeDep) -> list[SchemaOut]:
    with rt.store.read() as s:
        found = keys.list_schemas(s)
    return [SchemaOut(ref=x.ref, definition=json.loads(x.to_json())) for x in found]


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _guard(rt: Runtime, request: Request) -> None:
    if rt.misses.blocked(_client(request)):
        raise ProblemError(429, ProblemReason.TOO_MANY_REQUESTS, "too many unknown codes or tokens: wait a minute",
                           retry_after=60)


@router.get("/offers/{code}", response_class=Response, responses={200: _CBOR_OK, **_PROBLEMS})
def offer_by_code(code: str, request: Request, rt: RuntimeDep) -> Response:
    """The Offer for a short code typed by the beneficiary (instead of scanning the QR)."""
    _guard(rt, request)
    try:
        data = issuance.offer_by_code(rt.store, rt.keyring, now=rt.now(), code=code[:64])
    except NotFound:
        rt.misses.miss(_client(request))
        raise
    return Response(content=data, media_type=CBOR, headers={"Cache-Control": "no-store"})


@router.post(
    "/issue", response_class=Response, responses={200: _CBOR_OK, **_PROBLEMS},
    openapi_extra={"requestBody": {"required": True, "content": {CBOR: {"schema": {"type": "string",
                                                                                    "format": "binary"}}}}},
)
def issue(body: CborBody, request: Request, rt: RuntimeDep) -> Response:
    """The wallet's IssuanceRequest in, the IssuedCredential out; the token is single-use."""
    _guard(rt, request)
    try:
        data = issuance.redeem(rt.store, rt.keyring, now=rt.now(), request=body)
    except Forbidden as exc:
        if exc.reason == "token_invalid":
            rt.misses.miss(_client(request))
        raise
    return Response(content=data, media_type=CBOR, headers={"Cache-Control": "no-store"})
