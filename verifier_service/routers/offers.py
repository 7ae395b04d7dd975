"""Registrar endpoints: offers."""

from __future__ import annotations

import base64

from fastapi import APIRouter, Request

from sdk.reasons import IssuanceReason
from verifier_service.deps import RegistrarDep, RuntimeDep
from verifier_service.problems import ProblemError, documented
from verifier_service.schemas import OfferCreate, OfferCreated
from verifier_service.services import issuance

router = APIRouter(prefix="/v1", tags=["registrar"])


@router.post("/offers", response_model=OfferCreated, status_code=201,
             responses=documented(401, 403, 404, 409, 422, 503))
def create_offer(body: OfferCreate, request: Request, rt: RuntimeDep, who: RegistrarDep) -> OfferCreated:
    base = rt.settings.public_url
    if base is None:
        if not rt.settings.dev:
            # the Host header is the client's to choose: an offer must never point wallets there
            raise ProblemError(503, IssuanceReason.PUBLIC_URL_NOT_SET,
                               "the service does not know its public address: the operator sets "
                               "ZKAID_PUBLIC_URL (e.g. https://registry.example.org)")
        base = str(request.base_url)  # dev mode only
    made = issuance.create_offer(
        rt.store, rt.keyring, now=rt.now(), principal=who, schema_ref=body.schema_, values=body.values,
        reissue_of=body.reissue_of, endpoint=base.rstrip("/") + "/v1/issue", ttl=rt.settings.offer_ttl,
        approval=base64.b64decode(body.approval) if body.approval else None,
    )
    return OfferCreated(offer_id=made.offer_id, credential_id=made.credential_id, code=made.code,
                        expires_at=made.expires_at, offer=base64.b64encode(made.offer).decode(),
                        issuer_kid=made.issuer_kid, schema=made.schema)
