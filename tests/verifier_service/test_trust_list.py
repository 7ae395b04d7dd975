"""The signed trust list: caching headers, anchor, contents, rotation, re-signing."""

from __future__ import annotations

from collections.abc import Callable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import select

from sdk.credential import VerifierKey
from sdk.trust import TrustAnchor, load_trust_list
from tests.verifier_service.helpers import HOUSEHOLD, Clock, Deployment
from tests.verifier_service.test_issuance import problem
from verifier_service.app import create_app
from verifier_service.bootstrap import Bootstrap
from verifier_service.registry.models import IssuerKeyRow
from verifier_service.runtime import Runtime
from verifier_service.services import trust_list as tl_service
from verifier_service.settings import Settings


def test_served_with_caching_headers(dep: Deployment) -> None:
    r = dep.client.get("/v1/trust-list")
    assert r.status_code == 200 and r.headers["content-type"] == "application/cbor"
    assert r.headers["cache-control"] == "public, max-age=300"
    tl = load_trust_list(r.content, [TrustAnchor(dep.anchor)])
    assert r.headers["etag"] == f'"{tl.sequence}"'
    r304 = dep.client.get("/v1/trust-list", headers={"If-None-Match": r.headers["etag"]})
    assert r304.status_code == 304 and r304.content == b"" and r304.headers["etag"] == r.headers["etag"]
    assert dep.client.get("/v1/trust-list", headers={"If-None-Match": '"0", ' + r.headers["etag"]}).status_code == 304
    assert dep.client.get("/v1/trust-list", headers={"If-None-Match": '"0"'}).status_code == 200


def test_contents_and_anchor(dep: Deployment) -> None:
    a = dep.client.get("/v1/trust-list/anchor").json()
    assert bytes.fromhex(a["public_key"]) == dep.anchor
    tl = dep.trust_list()
    assert a["sequence"] == tl.sequence and a["kid"] == tl.signer_kid.hex()
    (issuer,) = tl.payload.issuers
    assert issuer.kid.hex() == dep.issuer_kid and issuer.name == "Agency A registration"
    assert issuer.schemas == (HOUSEHOLD,) and issuer.range_params is not None and len(issuer.range_params) > 10_000
    assert [v.name for v in tl.payload.verifiers] == ["Agency B desk 1"]
    assert tl.verifier(dep.desk_key.kid) is not None
    assert tl.schema("org.zkaid.household", 1) is not None
    assert tl.freshness(dep.clock.now).state.value == "fresh"
    info = dep.client.get("/v1/trust-list/info").json()
    assert info["sequence"] == tl.sequence and info["issuers"] == 1 and info["verifiers"] == 1
    schemas = dep.client.get("/v1/schemas").json()
    assert [s["ref"] for s in schemas] == [HOUSEHOLD, "org.zkaid.household@2"]  # v2: with a card handle


def test_key_changes_resign_and_rotation_keeps_old_keys_until_their_end(dep: Deployment) -> None:
    c, h = dep.client, dep.h("admin_a")
    seq0 = dep.trust_list().sequence
    end = dep.clock.now + 30 * 86400
    r = c.post(f"/v1/admin/issuer-keys/{dep.issuer_kid}/rotate", json={"old_not_after": end}, headers=h)
    assert r.status_code == 201, r.text
    new = r.json()
    assert new["status"] == "active" and new["kid"] != dep.issuer_kid
    keys = {k["kid"]: k for k in c.get("/v1/admin/issuer-keys", headers=dep.h("auditor_a")).json()}
    old = keys[dep.issuer_kid]
    assert old["status"] == "retired" and old["not_after"] == end and old["replaced_by"] == new["kid"]
    tl = dep.trust_list()
    assert tl.sequence == seq0 + 1
    assert {i.kid.hex() for i in tl.payload.issuers} == {dep.issuer_kid, new["kid"]}
    problem(c.post(f"/v1/admin/issuer-keys/{dep.issuer_kid}/rotate", json={}, headers=h), 409, "key_retired")
    problem(c.post("/v1/admin/issuer-keys/00000000deadbeef/rotate", json={}, headers=h), 404, "unknown_issuer_key")
    # past its end date the old key leaves the list at the next signing
    dep.clock.advance(31 * 86400)
    keys = {k["kid"]: k for k in c.get("/v1/admin/issuer-keys", headers=h).json()}
    assert keys[dep.issuer_kid]["status"] == "expired"
    r = c.post("/v1/admin/trust-list/sign", headers=h)
    assert r.status_code == 201 and r.json()["issuers"] == 1
    assert [i.kid.hex() for i in dep.trust_list().payload.issuers] == [new["kid"]]


def test_verifier_keys_come_and_go(dep: Deployment) -> None:
    c, h = dep.client, dep.h("admin_b")
    vk = VerifierKey.generate("Agency B mobile team")
    r = c.post("/v1/admin/verifier-keys", json={"name": vk.name, "public_key": vk.public_key.hex()}, headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["kid"] == vk.kid.hex()
    assert dep.trust_list().verifier(vk.kid) is not None
    problem(c.post("/v1/admin/verifier-keys", json={"name": "again", "public_key": vk.public_key.hex()}, headers=h),
            409, "key_exists")
    assert c.delete(f"/v1/admin/verifier-keys/{vk.kid.hex()}", headers=h).status_code == 204
    assert dep.trust_list().verifier(vk.kid) is None
    problem(c.delete(f"/v1/admin/verifier-keys/{vk.kid.hex()}", headers=dep.h("admin_a")), 404, "unknown_key")
    listed = c.get("/v1/admin/verifier-keys", headers=h).json()
    assert {k["name"] for k in listed} == {"Agency B desk 1", "Agency B mobile team"}


def test_periodic_resign_and_foreign_lists(dep: Deployment) -> None:
    rt = dep.rt
    seq = dep.trust_list().sequence
    assert rt.resign() is None  # not due yet
    dep.clock.advance(rt.settings.trust_list_validity // 2)
    info = rt.resign()
    assert info is not None and info.sequence == seq + 1 and info.issued_at == dep.clock.now
    # a list signed by the authority's own key is never overwritten by the service's key
    authority = Ed25519PrivateKey.generate()
    with Bootstrap(rt.settings, runtime=rt) as b:
        signed = b.sign_trust_list(key=authority)
    dep.clock.advance(rt.settings.trust_list_validity)
    assert rt.resign() is None
    assert dep.client.get("/v1/trust-list/anchor").json()["public_key"] == tl_service.public_key_of(authority).hex()
    assert dep.client.get("/v1/trust-list").headers["etag"] == f'"{signed.sequence}"'


def test_without_a_list_or_key(make_settings: Callable[..., Settings], clock: Clock) -> None:
    s = make_settings(dev=False)
    app = create_app(s, clock=clock)
    with TestClient(app) as c:
        problem(c.get("/v1/trust-list"), 503, "no_trust_list")
        problem(c.get("/v1/trust-list/anchor"), 503, "no_trust_list")
        problem(c.get("/v1/trust-list/info"), 503, "no_trust_list")
        with Bootstrap(s, runtime=app.state.runtime) as b:
            b.create_agency("op", "Operator", operator=True)
            admin = b.create_api_key("op", "admin")
        problem(c.post("/v1/admin/trust-list/sign", headers={"Authorization": f"Bearer {admin}"}),
                409, "no_signing_key")


def test_issuer_secrets_are_sealed(dep: Deployment) -> None:
    rt: Runtime = dep.rt
    with rt.store.read() as s:
        row = s.scalars(select(IssuerKeyRow)).one()
        from verifier_service.services.keys import load_issuer_key

        key = load_issuer_key(s, rt.keyring, row.kid)
    assert key.secret_key not in row.secret_key_enc and len(row.secret_key_enc) == 1 + 12 + 32 + 16
    db = rt.settings.effective_database_url
    if db.startswith("sqlite:///"):
        for suffix in ("", "-wal"):
            try:
                raw = open(db[len("sqlite:///"):] + suffix, "rb").read()
            except FileNotFoundError:
                continue
            assert key.secret_key not in raw


def test_offline_authority_build_sign_import(dep: Deployment) -> None:
    """The authority's key never touches the service: build the payload, sign it elsewhere
    with the SDK alone, import it; imports are checked for signature and order."""
    from sdk.errors import TrustListError
    from sdk.trust import sign_trust_list
    from sdk.wire import TrustListPayload, decode
    from verifier_service.services.errors import Conflict

    rt = dep.rt
    authority = Ed25519PrivateKey.generate()
    anchor = tl_service.public_key_of(authority)
    with Bootstrap(rt.settings, runtime=rt) as b:
        payload = decode(b.build_trust_list(), TrustListPayload)
        assert payload.sequence == dep.trust_list().sequence + 1 and payload.issuers
        signed = sign_trust_list(payload, authority)  # on the offline machine
        try:
            b.import_trust_list(signed, tl_service.public_key_of(Ed25519PrivateKey.generate()))
            raise AssertionError("a list under another anchor was imported")
        except TrustListError as exc:
            assert exc.reason == "unknown_signer"
        info = b.import_trust_list(signed, anchor)
        assert info.sequence == payload.sequence and info.anchor == anchor.hex()
        try:
            b.import_trust_list(signed, anchor)  # the same list again: not newer
            raise AssertionError("a replayed list was imported")
        except Conflict as exc:
            assert exc.reason == "trust_list_rollback"
    served = dep.client.get("/v1/trust-list")
    assert served.content == signed and served.headers["etag"] == f'"{payload.sequence}"'
    assert load_trust_list(served.content, [TrustAnchor(anchor)]).sequence == payload.sequence
