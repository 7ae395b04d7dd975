"""Offers, one-time tokens and codes, blind issuance, re-issue with the stored entropy."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from sqlalchemy import select

from sdk.credential import Holder, WalletSeed
from sdk.wire import IssuanceRequest, IssuedCredential, Offer, decode, encode
from tests.verifier_service.helpers import HOUSEHOLD, Deployment, household
from verifier_service.registry.models import Credential, OfferRow

CBOR = {"Content-Type": "application/cbor"}


def problem(r: Any, status: int, reason: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = r.json()
    assert body["reason"] == reason and body["status"] == status
    assert {"type", "title", "detail"} <= set(body)
    return body


def start(dep: Deployment, **kw: Any) -> tuple[dict[str, Any], Offer, IssuanceRequest, Holder]:
    made = dep.offer(**kw)
    offer = decode(base64.b64decode(made["offer"]), Offer)
    holder = Holder(WalletSeed.generate())
    req, _pending = holder.start_issuance(offer)
    return made, offer, req, holder


def test_offer_shape_and_code(dep: Deployment) -> None:
    made = dep.offer()
    assert set(made) == {"offer_id", "credential_id", "code", "expires_at", "offer", "issuer_kid", "schema"}
    assert made["expires_at"] == dep.clock.now + dep.rt.settings.offer_ttl
    code = made["code"]
    assert len(code) == 9 and code[4] == "-"
    offer = decode(base64.b64decode(made["offer"]), Offer)
    assert offer.issuer_kid.hex() == made["issuer_kid"] == dep.issuer_kid and len(offer.token) == 32
    # the code is forgiving about case, hyphens and look-alike letters
    variants = [code, code.lower(), code.replace("-", ""), f" {code} "]
    for v in variants:
        r = dep.client.get(f"/v1/offers/{v.strip()}")
        assert r.status_code == 200 and r.content == base64.b64decode(made["offer"])
        assert r.headers["content-type"] == "application/cbor" and r.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(("values", "reason"), [
    ({"household_size": 6}, "invalid_value"),
    (household(size="six"), "invalid_value"),
    (household(region="atlantis"), "invalid_value"),
    (household(head_birth_date="1950-13-01"), "invalid_value"),
    (household(extra=1), "invalid_value"),
    (household(size=-1), "invalid_value"),
    (household(size=True), "invalid_value"),
])
def test_offer_values_are_checked_against_the_schema(dep: Deployment, values: dict[str, Any],
                                                     reason: str) -> None:
    r = dep.client.post("/v1/offers", json={"schema": HOUSEHOLD, "values": values}, headers=dep.h("registrar_a"))
    problem(r, 422, reason)


def test_offer_refusals(dep: Deployment) -> None:
    c, h = dep.client, dep.h("registrar_a")
    problem(c.post("/v1/offers", json={"schema": "org.zkaid.nothing@1", "values": household()}, headers=h),
            404, "unknown_schema")
    problem(c.post("/v1/offers", json={"schema": "no-version", "values": household()}, headers=h),
            422, "invalid_schema_ref")
    # agency B has no issuer key
    problem(c.post("/v1/offers", json={"schema": HOUSEHOLD, "values": household()}, headers=dep.h("registrar_b")),
            409, "no_issuer_key")
    for who in ("device_a", "auditor_a"):
        problem(c.post("/v1/offers", json={"schema": HOUSEHOLD, "values": household()}, headers=dep.h(who)),
                403, "forbidden")
    problem(c.post("/v1/offers", json={"schema": HOUSEHOLD, "values": household()}), 401, "unauthorized")
    problem(c.post("/v1/offers", json={"schema": HOUSEHOLD, "values": household(), "reissue_of": "0" * 32},
                   headers=h), 404, "unknown_credential")
    problem(c.post("/v1/offers", json={"schema": HOUSEHOLD, "values": household(), "surprise": 1}, headers=h),
            422, "invalid_request")


def test_token_is_single_use(dep: Deployment) -> None:
    made, _offer, req, _h = start(dep)
    r = dep.client.post("/v1/issue", content=encode(req), headers=CBOR)
    assert r.status_code == 200 and r.headers["content-type"] == "application/cbor"
    issued = decode(r.content, IssuedCredential)
    assert issued.issuer_kid.hex() == dep.issuer_kid
    problem(dep.client.post("/v1/issue", content=encode(req), headers=CBOR), 403, "token_used")
    problem(dep.client.get(f"/v1/offers/{made['code']}"), 410, "token_used")
    # the values and the offer are gone from the database; the entropy is sealed
    with dep.rt.store.read() as s:
        row = s.scalars(select(OfferRow).where(OfferRow.offer_id == made["offer_id"])).one()
        assert row.payload_enc is None and row.used_at == dep.clock.now
        cred = s.get(Credential, made["credential_id"])
        assert cred is not None and issued.signer_entropy not in cred.entropy_enc


def test_expired_offers(dep: Deployment) -> None:
    made, _offer, req, _h = start(dep)
    dep.clock.advance(dep.rt.settings.offer_ttl)
    problem(dep.client.get(f"/v1/offers/{made['code']}"), 410, "token_expired")
    problem(dep.client.post("/v1/issue", content=encode(req), headers=CBOR), 403, "token_expired")
    dep.offer()  # creating an offer purges the values of expired ones
    with dep.rt.store.read() as s:
        assert s.get(OfferRow, made["offer_id"]).payload_enc is None  # type: ignore[union-attr]


def test_unknown_token_and_code(dep: Deployment) -> None:
    _made, _offer, req, _h = start(dep)
    forged = IssuanceRequest(b"\x01" * 32, req.issuer_kid, req.nym_count, req.commitment)
    problem(dep.client.post("/v1/issue", content=encode(forged), headers=CBOR), 403, "token_invalid")
    for code in ("ZZZZ-ZZZZ", "nope", "U" * 8, "%00", "A" * 64):
        problem(dep.client.get(f"/v1/offers/{code}"), 404, "unknown_code")


def test_bad_issuance_bodies(dep: Deployment) -> None:
    _made, offer, req, _h = start(dep)
    c = dep.client
    problem(c.post("/v1/issue", content=b"\xd9\xd9\xf7\xff", headers=CBOR), 400, "malformed")
    problem(c.post("/v1/issue", content=b"hello", headers=CBOR), 400, "malformed")
    problem(c.post("/v1/issue", content=b"", headers=CBOR), 400, "malformed")
    problem(c.post("/v1/issue", content=encode(offer), headers=CBOR), 400, "malformed")  # wrong message type
    problem(c.post("/v1/issue", content=encode(req), headers={"Content-Type": "application/json"}),
            415, "unsupported_media_type")
    problem(c.post("/v1/issue", content=b"\xd9\xd9\xf7" + b"\x00" * 70_000, headers=CBOR), 413, "too_large")


def test_bad_commitment_leaves_the_token_usable(dep: Deployment) -> None:
    _made, _offer, req, _h = start(dep)
    c = req.commitment
    tampered = IssuanceRequest(req.token, req.issuer_kid, req.nym_count, c[:60] + bytes([c[60] ^ 1]) + c[61:])
    problem(dep.client.post("/v1/issue", content=encode(tampered), headers=CBOR), 422, "invalid_commitment")
    bad_point = IssuanceRequest(req.token, req.issuer_kid, req.nym_count, b"\x00" * len(c))
    problem(dep.client.post("/v1/issue", content=encode(bad_point), headers=CBOR), 422, "invalid_commitment")
    wrong_n = IssuanceRequest(req.token, req.issuer_kid, 2, c)
    problem(dep.client.post("/v1/issue", content=encode(wrong_n), headers=CBOR), 422, "nym_count_mismatch")
    wrong_kid = IssuanceRequest(req.token, b"\x00" * 8, req.nym_count, c)
    problem(dep.client.post("/v1/issue", content=encode(wrong_kid), headers=CBOR), 422, "wrong_issuer")
    assert dep.client.post("/v1/issue", content=encode(req), headers=CBOR).status_code == 200


def test_reissue_reuses_entropy_and_key(dep: Deployment) -> None:
    holder, cred, credential_id = dep.wallet()
    # the issuer key is rotated after the first issuance: re-issue stays on the old key
    r = dep.client.post(f"/v1/admin/issuer-keys/{dep.issuer_kid}/rotate", json={}, headers=dep.h("admin_a"))
    assert r.status_code == 201, r.text
    new_kid = r.json()["kid"]
    again = dep.offer(values=household(8), reissue_of=credential_id)
    assert again["issuer_kid"] == dep.issuer_kid
    fresh = dep.offer()
    assert fresh["issuer_kid"] == new_kid
    offer = decode(base64.b64decode(again["offer"]), Offer)
    req, _p = holder.start_issuance(offer)
    issued = decode(dep.client.post("/v1/issue", content=encode(req), headers=CBOR).content, IssuedCredential)
    assert issued.signer_entropy == cred.stored.signer_entropy
    assert issued.values[0] == 8
    # another agency cannot re-issue (nor learn that the credential exists)
    dep.client.post("/v1/admin/issuer-keys", json={"name": "B", "schemas": [HOUSEHOLD], "range_params": False},
                    headers=dep.h("admin_b"))
    r = dep.client.post("/v1/offers", json={"schema": HOUSEHOLD, "values": household(), "reissue_of": credential_id},
                        headers=dep.h("registrar_b"))
    problem(r, 404, "unknown_credential")


def test_reissue_refused_once_the_key_expired(dep: Deployment) -> None:
    _holder, _cred, credential_id = dep.wallet()
    dep.clock.advance(dep.rt.settings.issuer_key_lifetime + 1)
    r = dep.client.post("/v1/offers", json={"schema": HOUSEHOLD, "values": household(), "reissue_of": credential_id},
                        headers=dep.h("registrar_a"))
    problem(r, 409, "issuer_key_expired")
    r = dep.client.post("/v1/offers", json={"schema": HOUSEHOLD, "values": household()}, headers=dep.h("registrar_a"))
    problem(r, 409, "no_issuer_key")


def test_guessing_codes_is_throttled(make_settings: Any, clock: Any) -> None:
    from tests.verifier_service.helpers import make_deployment

    gen = make_deployment(make_settings(public_miss_limit=3), clock)
    dep = next(gen)
    try:
        made = dep.offer()
        for code in ("AAAA-AAAA", "AAAA-AAAB", "AAAA-AAAC"):
            problem(dep.client.get(f"/v1/offers/{code}"), 404, "unknown_code")
        r = dep.client.get(f"/v1/offers/{made['code']}")
        problem(r, 429, "too_many_requests")
        assert r.headers["retry-after"] == "60"
        problem(dep.client.post("/v1/issue", content=b"\xd9\xd9\xf7", headers=CBOR), 429, "too_many_requests")
    finally:
        gen.close()
