"""Administration (``admin`` keys; listing also for ``auditor``): agencies, API keys,
devices, verifier and issuer keys, scopes, schemas, and re-signing the trust list."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Path, Response

from sdk.reasons import AdminReason, AuthReason
from verifier_service.deps import AdminDep, AuditorDep, RuntimeDep
from verifier_service.problems import ProblemError, documented
from verifier_service.schemas import (
    AgencyCreate,
    AgencyCreated,
    AgencyOut,
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyOut,
    DeviceCreate,
    DeviceOut,
    IssuerKeyCreate,
    IssuerKeyOut,
    IssuerKeyRotate,
    RemoteIssuerKeyCreate,
    SchemaCreate,
    SchemaOut,
    ScopeCreate,
    ScopeOut,
    SignerClientKeyOut,
    TrustListOut,
    VerifierKeyCreate,
    VerifierKeyOut,
)
from verifier_service.services import agencies, keys, registry, remote_signer
from verifier_service.services.keys import IssuerKeyInfo, VerifierKeyInfo

router = APIRouter(prefix="/v1/admin", tags=["administration"])
_ERR = documented(401, 403, 404, 409, 422)


def _issuer_out(k: IssuerKeyInfo) -> IssuerKeyOut:
    return IssuerKeyOut(**{**k.__dict__, "schemas": list(k.schemas)})


def _verifier_out(k: VerifierKeyInfo) -> VerifierKeyOut:
    return VerifierKeyOut(**k.__dict__)


# ------------------------------------------------------------------------ agencies

@router.post("/agencies", response_model=AgencyCreated, status_code=201, responses=_ERR)
def create_agency(body: AgencyCreate, rt: RuntimeDep, who: AdminDep) -> AgencyCreated:
    """Onboard an agency (registry operator's admins only); returns its first admin key."""
    if not who.operator:
        raise ProblemError(403, AuthReason.FORBIDDEN, "only the registry operator's administrators add agencies")
    now = rt.now()
    with rt.store.write() as s:
        a = agencies.create_agency(s, now=now, agency_id=body.id, name=body.name, actor=who.actor,
                                   by_agency=who.agency)
        _info, key = agencies.create_api_key(s, now=now, agency=a.id, role="admin", label="first admin key",
                                             actor=who.actor)
    return AgencyCreated(id=a.id, name=a.name, operator=a.operator, created_at=a.created_at, admin_key=key)


@router.get("/agencies", response_model=list[AgencyOut], responses=_ERR)
def list_agencies(rt: RuntimeDep, who: AuditorDep) -> list[AgencyOut]:
    with rt.store.read() as s:
        return [AgencyOut(**a.__dict__) for a in agencies.list_agencies(s)]


# ------------------------------------------------------------------------ API keys

@router.post("/api-keys", response_model=ApiKeyCreated, status_code=201, responses=_ERR)
def create_api_key(body: ApiKeyCreate, rt: RuntimeDep, who: AdminDep) -> ApiKeyCreated:
    """A key for this agency; the key is in the answer once and never again."""
    with rt.store.write() as s:
        info, key = agencies.create_api_key(s, now=rt.now(), agency=who.agency, role=body.role,
                                            device_id=body.device_id, label=body.label, actor=who.actor)
    return ApiKeyCreated(**info.__dict__, api_key=key)


@router.get("/api-keys", response_model=list[ApiKeyOut], responses=_ERR)
def list_api_keys(rt: RuntimeDep, who: AuditorDep) -> list[ApiKeyOut]:
    with rt.store.read() as s:
        return [ApiKeyOut(**k.__dict__) for k in agencies.list_api_keys(s, who.agency)]


@router.delete("/api-keys/{key_id}", status_code=204, response_class=Response, responses=_ERR)
def revoke_api_key(key_id: Annotated[str, Path(pattern=r"^[0-9a-f]{12}$")], rt: RuntimeDep, who: AdminDep) -> Response:
    with rt.store.write() as s:
        agencies.revoke_api_key(s, now=rt.now(), agency=who.agency, key_id=key_id, actor=who.actor)
    rt.auth_cache.clear()
    return Response(status_code=204)


# ------------------------------------------------------------------------- devices

@router.post("/devices", response_model=DeviceOut, status_code=201, responses=_ERR)
def create_device(body: DeviceCreate, rt: RuntimeDep, who: AdminDep) -> DeviceOut:
    """Register a field device, optionally with its request-signing key (trust list)."""
    now = rt.now()
    kid = None
    with rt.store.write() as s:
        d = agencies.register_device(s, now=now, agency=who.agency, device_id=body.device_id, name=body.name,
                                     actor=who.actor)
        if body.verifier_public_key:
            vk = keys.register_verifier_key(
                s, now=now, agency=who.agency, name=d.name, public_key=bytes.fromhex(body.verifier_public_key),
                device_id=d.device_id, not_before=None, not_after=None,
                lifetime=rt.settings.verifier_key_lifetime, actor=who.actor)
            kid = vk.kid
    if kid:
        rt.resign(force=True, actor=who.actor)
    return DeviceOut(**d.__dict__, verifier_kid=kid)


@router.delete("/devices/{device_id}", status_code=204, response_class=Response, responses=_ERR)
def revoke_device(device_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")], rt: RuntimeDep,
                  who: AdminDep) -> Response:
    """Retire a lost or stolen device: its API keys stop working and its request-signing keys
    leave the trust list (re-signed now when this service holds the trust-list key)."""
    with rt.store.write() as s:
        removed = agencies.revoke_device(s, now=rt.now(), agency=who.agency, device_id=device_id, actor=who.actor)
    rt.auth_cache.clear()
    if removed:
        rt.resign(force=True, actor=who.actor)
    return Response(status_code=204)


@router.get("/devices", response_model=list[DeviceOut], responses=_ERR)
def list_devices(rt: RuntimeDep, who: AuditorDep) -> list[DeviceOut]:
    with rt.store.read() as s:
        return [DeviceOut(**d.__dict__) for d in agencies.list_devices(s, who.agency)]


# ------------------------------------------------------------------- verifier keys

@router.post("/verifier-keys", response_model=VerifierKeyOut, status_code=201, responses=_ERR)
def create_verifier_key(body: VerifierKeyCreate, rt: RuntimeDep, who: AdminDep) -> VerifierKeyOut:
    with rt.store.write() as s:
        vk = keys.register_verifier_key(
            s, now=rt.now(), agency=who.agency, name=body.name, public_key=bytes.fromhex(body.public_key),
            device_id=body.device_id, not_before=body.not_before, not_after=body.not_after,
            lifetime=rt.settings.verifier_key_lifetime, actor=who.actor)
    rt.resign(force=True, actor=who.actor)
    return _verifier_out(vk)


@router.get("/verifier-keys", response_model=list[VerifierKeyOut], responses=_ERR)
def list_verifier_keys(rt: RuntimeDep, who: AuditorDep) -> list[VerifierKeyOut]:
    with rt.store.read() as s:
        return [_verifier_out(k) for k in keys.list_verifier_keys(s, agency=who.agency)]


@router.delete("/verifier-keys/{kid}", status_code=204, response_class=Response, responses=_ERR)
def revoke_verifier_key(kid: Annotated[str, Path(pattern=r"^[0-9a-f]{16}$")], rt: RuntimeDep, who: AdminDep) -> Response:
    with rt.store.write() as s:
        keys.revoke_verifier_key(s, now=rt.now(), agency=who.agency, kid=kid, actor=who.actor)
    rt.resign(force=True, actor=who.actor)
    return Response(status_code=204)


# --------------------------------------------------------------------- issuer keys

@router.post("/issuer-keys", response_model=IssuerKeyOut, status_code=201, responses=_ERR)
def create_issuer_key(body: IssuerKeyCreate, rt: RuntimeDep, who: AdminDep) -> IssuerKeyOut:
    """Generate a BBS issuer key here; its secret is sealed with the KEK at once."""
    with rt.store.read() as s:
        for ref in body.schemas:
            keys.get_schema(s, ref)
    key = keys.generate_issuer_key(body.name, body.schemas, nym_count=body.nym_count,
                                   range_params=rt.settings.range_params if body.range_params is None
                                   else body.range_params)
    with rt.store.write() as s:
        info = keys.store_issuer_key(s, rt.keyring, key, now=rt.now(), agency=who.agency,
                                     not_before=body.not_before, not_after=body.not_after,
                                     lifetime=rt.settings.issuer_key_lifetime, actor=who.actor)
    rt.resign(force=True, actor=who.actor)
    return _issuer_out(info)


@router.post("/issuer-keys/remote", response_model=IssuerKeyOut, status_code=201,
             responses=documented(401, 403, 404, 409, 422, 503))
def add_remote_issuer_key(body: RemoteIssuerKeyCreate, rt: RuntimeDep, who: AdminDep) -> IssuerKeyOut:
    """Register the issuer key the agency's own signer holds (no secret reaches this service):
    the signer must be running, trust this service's key, and prove it holds the secret."""
    with rt.store.write() as s:
        client = remote_signer.client_key(s, rt.keyring)
    offer = remote_signer.fetch_info(body.signer_url, client, now=rt.now())
    with rt.store.write() as s:
        info = remote_signer.register_remote_key(s, rt.keyring, offer, url=body.signer_url, now=rt.now(),
                                                 agency=who.agency, lifetime=rt.settings.issuer_key_lifetime,
                                                 actor=who.actor)
    rt.resign(force=True, actor=who.actor)
    return _issuer_out(info)


@router.get("/signer-client-key", response_model=SignerClientKeyOut, responses=_ERR)
def signer_client_key(rt: RuntimeDep, who: AdminDep) -> SignerClientKeyOut:
    """The public key this service authenticates to agency signers with."""
    from verifier_service.signer.protocol import public_bytes

    with rt.store.write() as s:
        return SignerClientKeyOut(public_key=public_bytes(remote_signer.client_key(s, rt.keyring)).hex())


@router.get("/issuer-keys", response_model=list[IssuerKeyOut], responses=_ERR)
def list_issuer_keys(rt: RuntimeDep, who: AuditorDep) -> list[IssuerKeyOut]:
    with rt.store.read() as s:
        return [_issuer_out(k) for k in keys.list_issuer_keys(s, now=rt.now(), agency=who.agency)]


@router.post("/issuer-keys/{kid}/rotate", response_model=IssuerKeyOut, status_code=201, responses=_ERR)
def rotate_issuer_key(kid: Annotated[str, Path(pattern=r"^[0-9a-f]{16}$")], body: IssuerKeyRotate, rt: RuntimeDep, who: AdminDep) -> IssuerKeyOut:
    """A new key takes over issuing; the old one stays valid for verification until its end."""
    with rt.store.read() as s:
        old = next((k for k in keys.list_issuer_keys(s, now=rt.now(), agency=who.agency) if k.kid == kid), None)
    if old is None:
        raise ProblemError(404, AdminReason.UNKNOWN_ISSUER_KEY, "no issuer key with this kid in your agency")
    new = keys.generate_issuer_key(body.name or old.name, old.schemas, nym_count=old.nym_count,
                                   range_params=old.range_params)
    with rt.store.write() as s:
        info = keys.rotate_issuer_key(s, rt.keyring, new, now=rt.now(), agency=who.agency, old_kid=kid,
                                      old_not_after=body.old_not_after,
                                      lifetime=rt.settings.issuer_key_lifetime, actor=who.actor)
    rt.resign(force=True, actor=who.actor)
    return _issuer_out(info)


# ------------------------------------------------------------------ scopes, schemas

@router.post("/scopes", response_model=ScopeOut, status_code=201, responses=_ERR)
def create_scope(body: ScopeCreate, rt: RuntimeDep, who: AdminDep) -> ScopeOut:
    with rt.store.write() as s:
        sc = registry.create_scope(s, now=rt.now(), name=body.scope, description=body.description,
                                   agency=who.agency, actor=who.actor)
    rt.resign(force=True, actor=who.actor)  # verifier keys may ask for the new round (issue 13)
    return ScopeOut(scope=sc.name, description=sc.description, created_by=sc.created_by, created_at=sc.created_at)


@router.post("/schemas", response_model=SchemaOut, status_code=201, responses=_ERR)
def add_schema(body: SchemaCreate, rt: RuntimeDep, who: AdminDep) -> SchemaOut:
    with rt.store.write() as s:
        sch = keys.add_schema(s, now=rt.now(), definition=json.dumps(body.definition), agency=who.agency,
                              actor=who.actor, operator=who.operator)
    rt.resign(force=True, actor=who.actor)
    return SchemaOut(ref=sch.ref, definition=json.loads(sch.to_json()))


@router.post("/trust-list/sign", response_model=TrustListOut, status_code=201,
             responses=_ERR)
def sign_trust_list(rt: RuntimeDep, who: AdminDep) -> TrustListOut:
    """Re-sign now (only when this service holds the trust-list key)."""
    info = rt.resign(force=True, actor=who.actor)
    if info is None:
        raise ProblemError(409, AdminReason.NO_SIGNING_KEY,
                           "this service does not hold the trust-list key: use `zkaid trust-list sign`")
    return TrustListOut(**info.__dict__)
