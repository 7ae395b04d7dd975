"""Agencies, API keys and roles, devices, schemas, and the audit log (no personal data)."""

from __future__ import annotations

import base64
import json
from typing import Any

from sqlalchemy import select

from sdk.wire import Offer, decode, encode
from tests.verifier_service.helpers import HOUSEHOLD, SCOPE, Deployment, pseudonyms
from tests.verifier_service.test_issuance import problem
from verifier_service.registry.models import ApiKey, AuditEvent

ROLE_CASES: list[tuple[str, str, dict[str, Any] | None, set[str]]] = [
    # (method, path, json, roles allowed)
    ("GET", "/v1/admin/agencies", None, {"admin", "auditor"}),
    ("GET", "/v1/admin/api-keys", None, {"admin", "auditor"}),
    ("POST", "/v1/admin/api-keys", {"role": "auditor"}, {"admin"}),
    ("GET", "/v1/admin/devices", None, {"admin", "auditor"}),
    ("POST", "/v1/admin/devices", {"device_id": "new-dev"}, {"admin"}),
    ("GET", "/v1/admin/issuer-keys", None, {"admin", "auditor"}),
    ("GET", "/v1/admin/verifier-keys", None, {"admin", "auditor"}),
    ("POST", "/v1/admin/scopes", {"scope": "cva/x"}, {"admin"}),
    ("POST", "/v1/admin/trust-list/sign", None, {"admin"}),
    ("GET", "/v1/audit", None, {"admin", "auditor"}),
    ("POST", "/v1/offers", {"schema": HOUSEHOLD, "values": {}}, {"admin", "registrar"}),
    ("POST", "/v1/enrollments", {"scope": SCOPE, "pseudonym": "00" * 48}, {"admin", "registrar", "field_device"}),
    ("POST", "/v1/verify", {"request": "", "presentation": ""}, {"admin", "registrar", "field_device"}),
    ("GET", "/v1/duplicates", None, {"admin", "registrar", "field_device", "auditor"}),
    ("GET", "/v1/scopes", None, {"admin", "registrar", "field_device", "auditor"}),
]
KEYS = {"admin": "admin_a", "registrar": "registrar_a", "field_device": "device_a", "auditor": "auditor_a"}


def test_roles(dep: Deployment) -> None:
    """Every protected operation against every role: allowed, or 403 forbidden; 401 without a key."""
    for method, path, body, allowed in ROLE_CASES:
        for role, key in KEYS.items():
            r = dep.client.request(method, path, json=body, headers=dep.h(key))
            if role in allowed:
                assert r.status_code not in (401, 403), (method, path, role, r.text)
            else:
                problem(r, 403, "forbidden")
        r = dep.client.request(method, path, json=body)
        problem(r, 401, "unauthorized")
        assert r.headers["www-authenticate"] == "Bearer"


def test_agencies_onboarding(dep: Deployment) -> None:
    c = dep.client
    r = c.post("/v1/admin/agencies", json={"id": "agency-c", "name": "Agency C"}, headers=dep.h("admin_a"))
    assert r.status_code == 201, r.text
    key_c = r.json()["admin_key"]
    assert r.json()["operator"] is False
    # the new agency's admin manages its own keys, not other agencies
    r = c.post("/v1/admin/api-keys", json={"role": "registrar"}, headers={"Authorization": f"Bearer {key_c}"})
    assert r.status_code == 201 and r.json()["agency"] == "agency-c"
    problem(c.post("/v1/admin/agencies", json={"id": "agency-d", "name": "D"}, headers=dep.h("admin_b")),
            403, "forbidden")  # not the registry operator
    problem(c.post("/v1/admin/agencies", json={"id": "agency-c", "name": "Again"}, headers=dep.h("admin_a")),
            409, "agency_exists")
    problem(c.post("/v1/admin/agencies", json={"id": "Agency C!", "name": "x"}, headers=dep.h("admin_a")),
            422, "invalid_request")
    ids = [a["id"] for a in c.get("/v1/admin/agencies", headers=dep.h("auditor_b")).json()]
    assert ids == ["agency-a", "agency-b", "agency-c"]


def test_api_keys_and_devices(dep: Deployment) -> None:
    c, h = dep.client, dep.h("admin_b")
    problem(c.post("/v1/admin/api-keys", json={"role": "field_device"}, headers=h), 422, "device_required")
    problem(c.post("/v1/admin/api-keys", json={"role": "field_device", "device_id": "tablet-1"}, headers=h),
            404, "unknown_device")  # agency A's device
    problem(c.post("/v1/admin/api-keys", json={"role": "registrar", "device_id": "desk-1"}, headers=h),
            422, "device_not_allowed")
    problem(c.post("/v1/admin/api-keys", json={"role": "root"}, headers=h), 422, "invalid_request")
    r = c.post("/v1/admin/devices", json={"device_id": "desk-9", "name": "Desk nine"}, headers=h)
    assert r.status_code == 201 and r.json()["verifier_kid"] is None
    problem(c.post("/v1/admin/devices", json={"device_id": "desk-9"}, headers=h), 409, "device_exists")
    r = c.post("/v1/admin/api-keys", json={"role": "field_device", "device_id": "desk-9", "label": "tablet 9"},
               headers=h)
    assert r.status_code == 201
    key = r.json()["api_key"]
    assert key.startswith("zk_") and r.json()["device_id"] == "desk-9"
    listed = c.get("/v1/admin/api-keys", headers=h).json()
    assert all("api_key" not in k and "key_hash" not in k for k in listed)
    assert {k["device_id"] for k in listed} >= {"desk-1", "desk-2", "desk-9"}
    assert [d["device_id"] for d in c.get("/v1/admin/devices", headers=h).json()] == ["desk-1", "desk-2", "desk-9"]
    # keys are stored as hashes only
    with dep.rt.store.read() as s:
        stored = " ".join(f"{k.key_id} {k.key_hash}" for k in s.scalars(select(ApiKey)))
    for k in [key, *dep.keys.values()]:
        assert k not in stored and k.split("_", 2)[2] not in stored
    problem(c.delete("/v1/admin/api-keys/000000000000", headers=h), 404, "unknown_key")
    problem(c.delete("/v1/admin/api-keys/nope", headers=h), 422, "invalid_request")


def test_schemas(dep: Deployment) -> None:
    c, h = dep.client, dep.h("admin_a")
    doc = {"id": "org.example.voucher", "version": 1, "attributes": [{"name": "amount", "type": "int"}]}
    r = c.post("/v1/admin/schemas", json={"definition": doc}, headers=h)
    assert r.status_code == 201 and r.json()["ref"] == "org.example.voucher@1"
    assert c.post("/v1/admin/schemas", json={"definition": doc}, headers=h).status_code == 201  # idempotent
    doc2 = {**doc, "attributes": [{"name": "amount", "type": "string"}]}
    problem(c.post("/v1/admin/schemas", json={"definition": doc2}, headers=h), 409, "schema_exists")
    problem(c.post("/v1/admin/schemas", json={"definition": {"id": "x"}}, headers=h), 422, "invalid_schema")
    assert dep.trust_list().schema("org.example.voucher", 1) is not None
    r = c.post("/v1/admin/issuer-keys", json={"name": "A vouchers", "schemas": ["org.example.voucher@1"],
                                               "range_params": False}, headers=h)
    assert r.status_code == 201 and r.json()["range_params"] is False
    problem(c.post("/v1/admin/issuer-keys", json={"name": "x", "schemas": ["nope@1"]}, headers=h),
            404, "unknown_schema")


def test_audit_log_records_actions_without_personal_data(dep: Deployment) -> None:
    holder, cred, credential_id = dep.wallet()
    made = dep.offer()
    req, pres = dep.present(holder, cred)
    r = dep.client.post("/v1/verify", json=dep.verify_json(req, pres, enroll=True), headers=dep.h("device_b"))
    assert r.status_code == 200, r.text
    pseudonym = r.json()["pseudonym"]
    p = pseudonyms(3, seed=5)
    dep.client.post("/v1/sync", json={"device_id": "tablet-1", "scopes": [SCOPE], "enrollments": [
        {"scope": SCOPE, "pseudonym": x.hex(), "enrolled_at": dep.clock.now} for x in p]}, headers=dep.h("device_a"))
    dep.client.post("/v1/enrollments", json={"scope": SCOPE, "pseudonym": p[0].hex()}, headers=dep.h("device_b"))

    events = dep.client.get("/v1/audit", params={"limit": 1000}, headers=dep.h("auditor_a")).json()
    actions = {e["action"] for e in events}
    assert {"offer.create", "credential.issue", "issuer_key.create", "api_key.create", "sync.upload",
            "enrollment.duplicate", "trust_list.sign"} <= actions
    b_actions = {e["action"] for e in dep.client.get("/v1/audit", headers=dep.h("admin_b")).json()}
    assert {"enrollment.create", "enrollment.duplicate", "device.register"} <= b_actions
    assert dep.client.get("/v1/audit", params={"after": events[-1]["id"]}, headers=dep.h("auditor_a")).json() == []

    with dep.rt.store.read() as s:
        everything = json.dumps([[e.actor, e.action, e.target, e.detail] for e in s.scalars(select(AuditEvent))])
    offer = decode(base64.b64decode(made["offer"]), Offer)
    secrets = [pseudonym, *(x.hex() for x in p), made["code"], made["code"].replace("-", ""), offer.token.hex(),
               base64.b64encode(offer.token).decode(), *dep.keys.values(), cred.stored.signer_entropy.hex(),
               "1950-03-01", "north", "elderly_head", encode(offer).hex()[:40]]
    for secret in secrets:
        assert secret not in everything, secret
    assert credential_id in everything  # ids are fine: they point at rows, not at people


def test_revoking_a_lost_device(dep: Deployment) -> None:
    """A lost desk: its key stops working at once and its signing key leaves the trust list;
    other devices, and other agencies' devices, are untouched."""
    c = dep.client
    before = {v.name for v in dep.trust_list().payload.verifiers}
    assert "Agency B desk 1" in before
    ok = c.post("/v1/sync", json={"device_id": "desk-1", "scopes": [SCOPE], "cursor": 0, "enrollments": []},
                headers=dep.h("device_b"))
    assert ok.status_code == 200, ok.text
    problem(c.delete("/v1/admin/devices/desk-1", headers=dep.h("admin_a")), 404, "unknown_device")  # not agency A's
    problem(c.delete("/v1/admin/devices/desk-1", headers=dep.h("registrar_b")), 403, "forbidden")
    r = c.delete("/v1/admin/devices/desk-1", headers=dep.h("admin_b"))
    assert r.status_code == 204, r.text
    assert c.delete("/v1/admin/devices/desk-1", headers=dep.h("admin_b")).status_code == 204  # idempotent
    problem(c.post("/v1/sync", json={"device_id": "desk-1", "scopes": [SCOPE], "cursor": 0, "enrollments": []},
                   headers=dep.h("device_b")), 401, "unauthorized")
    assert "Agency B desk 1" not in {v.name for v in dep.trust_list().payload.verifiers}
    other = c.post("/v1/sync", json={"device_id": "desk-2", "scopes": [SCOPE], "cursor": 0, "enrollments": []},
                   headers=dep.h("device_b2"))
    assert other.status_code == 200, other.text
    devices = {d["device_id"]: d for d in c.get("/v1/admin/devices", headers=dep.h("admin_b")).json()}
    assert devices["desk-1"]["revoked_at"] is not None and devices["desk-2"]["revoked_at"] is None
    events = c.get("/v1/audit", headers=dep.h("admin_b")).json()
    assert any(e["action"] == "device.revoke" and e["target"] == "desk-1" for e in events)
