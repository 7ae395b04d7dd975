"""Card lifecycle endpoints (issue 13): revoke one card, read its status, and the signed
per-scope revocation update field devices download with their trust list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from verifier_service.deps import CBOR, RegistrarDep, RuntimeDep
from verifier_service.problems import documented
from verifier_service.services import lifecycle
from verifier_service.services.lifecycle import REVOKE_REASONS, CardStatus

router = APIRouter(prefix="/v1", tags=["cards"])

CardId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


class CardRevoke(BaseModel):
    reason: str = Field(description=f"One of {', '.join(REVOKE_REASONS)}.", max_length=32)


class CardOut(BaseModel):
    credential_id: str
    status: str
    issued_at: int
    revoked_at: int | None
    revoke_reason: str | None
    replaces: str | None
    reissue_path: str | None
    blocked_scopes: list[str]
    revocable: bool


def _out(c: CardStatus) -> CardOut:
    return CardOut(credential_id=c.credential_id, status=c.status, issued_at=c.issued_at, revoked_at=c.revoked_at,
                   revoke_reason=c.revoke_reason, replaces=c.replaces, reissue_path=c.reissue_path,
                   blocked_scopes=list(c.blocked_scopes), revocable=c.revocable)


def _agency(who: RegistrarDep) -> str | None:
    return None if who.operator else who.agency


@router.post("/cards/{credential_id}/revoke", response_model=CardOut, responses=documented(401, 403, 404, 409, 422))
def revoke(credential_id: CardId, body: CardRevoke, rt: RuntimeDep, who: RegistrarDep) -> CardOut:
    """Withdraw one card; field devices refuse it after their next sync."""
    return _out(lifecycle.revoke_card(rt.store, credential_id=credential_id, reason=body.reason, now=rt.now(),
                                      actor=who.actor, agency=_agency(who)))


@router.get("/cards/{credential_id}", response_model=CardOut, responses=documented(401, 403, 404))
def status(credential_id: CardId, rt: RuntimeDep, who: RegistrarDep) -> CardOut:
    return _out(lifecycle.card_status(rt.store, credential_id=credential_id, agency=_agency(who)))


@router.get("/revocations", response_class=Response,
            responses={200: {"content": {CBOR: {"schema": {"type": "string", "format": "binary"}}}},
                       304: {"description": "not modified"}, **documented(404, 422, 503)})
def revocations(rt: RuntimeDep, scope: Annotated[str, Query(min_length=1, max_length=256)],
                if_none_match: str | None = Header(default=None, max_length=256)) -> Response:
    """The signed revocation update for one scope (COSE_Sign1, specs/revocation.md).
    Public like the trust list: it holds 8-byte tokens only. ``ETag`` is the sequence."""
    s = rt.settings
    data = lifecycle.revocation_update(rt.store, rt.keyring, rt.signing_key, scope=scope, now=rt.now(),
                                       validity=s.trust_list_validity, grace=s.trust_list_grace)
    from sdk.wire import RevocationUpdate, decode, parse_sign1

    seq = decode(parse_sign1(data, max_bytes=len(data)).payload, RevocationUpdate).sequence
    etag = f'"{seq}"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=60"}
    if if_none_match is not None and etag in [t.strip() for t in if_none_match.split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(content=data, media_type=CBOR, headers=headers)
