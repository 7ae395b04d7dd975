"""Online verification: typed results, the verifier's reasons, freshness, enrollment."""

from __future__ import annotations

import base64

from sdk.wire import PredicateSpec, Presentation, decode, encode
from tests.verifier_service.helpers import SCOPE, Deployment
from tests.verifier_service.test_issuance import problem


def test_verify_result_and_enroll(dep: Deployment) -> None:
    holder, cred, _ = dep.wallet()
    req, pres = dep.present(holder, cred, disclose=("region", "household_size"),
                            predicates=(PredicateSpec("head_birth_date", "le", (27000,)),))
    r = dep.client.post("/v1/verify", json=dep.verify_json(req, pres), headers=dep.h("device_b"))
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["disclosed"] == {"region": "north", "household_size": 6}
    assert out["predicates"] == [{"attribute": "head_birth_date", "op": "le", "bounds": [27000]}]
    assert out["issuer_kid"] == dep.issuer_kid and out["scope"] == SCOPE and out["enrollment"] is None
    assert len(bytes.fromhex(out["pseudonym"])) == 48 and out["warning"] is None
    # nothing was enrolled; now enroll in the same call
    r = dep.client.post("/v1/verify", json=dep.verify_json(req, pres, enroll=True), headers=dep.h("device_b"))
    assert r.json()["enrollment"] == {"scope": SCOPE, "pseudonym": out["pseudonym"], "agency": "agency-b",
                                      "enrolled_at": dep.clock.now}
    body = problem(dep.client.post("/v1/verify", json=dep.verify_json(req, pres, enroll=True),
                                   headers=dep.h("registrar_a")), 409, "already_enrolled")
    assert body["first_agency"] == "agency-b"


def test_rejections_carry_the_verifier_reason(dep: Deployment) -> None:
    holder, cred, _ = dep.wallet()
    req, pres = dep.present(holder, cred)
    other_req, _ = dep.present(holder, cred)
    c, h = dep.client, dep.h("device_b")
    problem(c.post("/v1/verify", json=dep.verify_json(other_req, pres), headers=h), 422, "request_mismatch")
    p = decode(pres, Presentation)
    flipped = p.proof[:100] + bytes([p.proof[100] ^ 1]) + p.proof[101:]
    tampered = encode(Presentation(p.request_digest, p.issuer_kid, p.schema_id, p.schema_version, p.disclosed,
                                   p.pseudonym, flipped, p.predicate_proofs))
    problem(c.post("/v1/verify", json=dep.verify_json(req, tampered), headers=h), 422, "invalid_proof")
    lied = encode(Presentation(p.request_digest, p.issuer_kid, p.schema_id, p.schema_version, {2: 1},
                               p.pseudonym, p.proof, p.predicate_proofs))
    problem(c.post("/v1/verify", json=dep.verify_json(req, lied), headers=h), 422, "invalid_proof")
    problem(c.post("/v1/verify", json=dep.verify_json(req, b"\xd9\xd9\xf7junk"), headers=h), 422, "malformed")
    problem(c.post("/v1/verify", json={"request": "!!", "presentation": "AA==", "enroll": False}, headers=h),
            400, "malformed")
    problem(c.post("/v1/verify", json=dep.verify_json(b"nope", pres), headers=h), 422, "request_mismatch")
    unknown_scope_req, unknown_scope_pres = dep.present(holder, cred, scope="cva/not-created")
    problem(c.post("/v1/verify", json=dep.verify_json(unknown_scope_req, unknown_scope_pres, enroll=True),
                   headers=h), 422, "unknown_scope")
    assert c.post("/v1/verify", json=dep.verify_json(unknown_scope_req, unknown_scope_pres),
                  headers=h).status_code == 200


def test_trust_list_freshness(dep: Deployment) -> None:
    holder, cred, _ = dep.wallet()
    req, pres = dep.present(holder, cred)
    s = dep.rt.settings
    dep.clock.advance(s.trust_list_validity + 60)
    out = dep.client.post("/v1/verify", json=dep.verify_json(req, pres), headers=dep.h("device_b")).json()
    assert out["trust_list"] == "stale" and "out of date" in out["warning"]
    dep.clock.advance(s.trust_list_grace)
    problem(dep.client.post("/v1/verify", json=dep.verify_json(req, pres), headers=dep.h("device_b")),
            422, "trust_list_expired")
    dep.rt.resign()  # the service's key re-signs: fresh again
    out = dep.client.post("/v1/verify", json=dep.verify_json(req, pres), headers=dep.h("device_b")).json()
    assert out["trust_list"] == "fresh"


def test_base64_of_large_bodies(dep: Deployment) -> None:
    big = base64.b64encode(b"\xd9\xd9\xf7" + b"\x00" * 50_000).decode()
    r = dep.client.post("/v1/verify", json={"request": "AA==", "presentation": big}, headers=dep.h("device_b"))
    problem(r, 422, "invalid_request")  # over the field's limit
