"""POST /v1/verify/batch: many presentations, one multi-pairing, one answer per item."""

from __future__ import annotations

import base64
import dataclasses

from sdk.credential import Credential
from sdk.curves import get_backend
from sdk.wire import PredicateSpec
from tests.verifier_service.helpers import SCOPE, Deployment
from tests.verifier_service.test_issuance import problem


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def forged(cred: Credential) -> Credential:
    """The card with a signature point that is not the issuer's: only the pairing sees it."""
    be = get_backend(None)
    a = be.g1_to_bytes(be.g1_mul(be.g1_generator(), 4242))
    return Credential(dataclasses.replace(cred.stored, signature=a + cred.stored.signature[48:]), cred.schema)


def test_batch_verifies_names_the_bad_item_and_enrolls(dep: Deployment) -> None:
    people = [dep.wallet() for _ in range(4)]
    pred = (PredicateSpec("head_birth_date", "le", (27000,)),)
    pairs = [dep.present(h, c, predicates=pred) for h, c, _ in people]
    h2, c2, _ = people[2]
    pairs[2] = dep.present(h2, forged(c2), predicates=pred)
    body = {"items": [{"request": b64(r), "presentation": b64(p)} for r, p in pairs], "enroll": True}
    r = dep.client.post("/v1/verify/batch", json=body, headers=dep.h("device_b"))
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["verified"] == 3
    assert [x["ok"] for x in out["results"]] == [True, True, False, True]
    assert out["results"][2]["reason"] == "invalid_proof" and out["results"][2]["result"] is None
    first = out["results"][0]["result"]
    assert first["scope"] == SCOPE and first["enrollment"]["agency"] == "agency-b"
    assert first["predicates"] == [{"attribute": "head_birth_date", "op": "le", "bounds": [27000]}]
    # the same people again: each item is already enrolled, named per item, not a 409 for all
    again = dep.client.post("/v1/verify/batch", json=body, headers=dep.h("registrar_a")).json()
    assert [x["reason"] for x in again["results"]] == ["already_enrolled", "already_enrolled", "invalid_proof",
                                                       "already_enrolled"]
    assert again["results"][0]["extra"]["first_agency"] == "agency-b"


def test_batch_body_limits(dep: Deployment) -> None:
    h = dep.h("device_b")
    problem(dep.client.post("/v1/verify/batch", json={"items": []}, headers=h), 422, "invalid_request")
    item = {"request": "AA==", "presentation": "AA=="}
    problem(dep.client.post("/v1/verify/batch", json={"items": [item] * 257}, headers=h), 422, "invalid_request")
    problem(dep.client.post("/v1/verify/batch", json={"items": [{"request": "!!", "presentation": "AA=="}]},
                            headers=h), 400, "malformed")
    r = dep.client.post("/v1/verify/batch", json={"items": [item]}, headers=h)
    assert r.status_code == 200 and r.json()["results"][0]["reason"] == "request_mismatch"
    assert dep.client.post("/v1/verify/batch", json={"items": [item]}).status_code == 401
    assert "/v1/verify/batch" in dep.client.get("/openapi.json").json()["paths"]
