"""Issue 13 on the service (SQLite and PostgreSQL): re-issue keeps the person, the "keep the
old phone" attempt, revoking one card, and the signed per-scope revocation update."""

from __future__ import annotations

import base64
import dataclasses
from typing import Any

import pytest

from sdk.credential import (
    Credential,
    Holder,
    IssuerKey,
    WalletSeed,
    build_request,
    household_schema,
    read_request,
)
from sdk.credential.lifecycle import bind_issuance_request
from sdk.credential.revocation import load_revocation_update, token_for
from sdk.trust import TrustAnchor
from sdk.wire import IssuedCredential, Offer, Presentation, decode, encode
from tests.verifier_service.helpers import SCOPE, SCOPE2, Deployment, household
from verifier_service.bootstrap import Bootstrap

V2 = "org.zkaid.household@2"
CBOR = {"Content-Type": "application/cbor"}
SCHEMA = household_schema(2)
_KEY: list[IssuerKey] = []


def problem(r: Any, status: int, reason: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = r.json()
    assert body["reason"] == reason
    return body


@pytest.fixture
def v2(dep: Deployment) -> Deployment:
    """The deployment with an agency A issuer key for household@2 (cards with a handle)."""
    if not _KEY:
        _KEY.append(IssuerKey.generate("Agency A registration v2", schemas=(V2,), range_u=None))
    with Bootstrap(dep.rt.settings, runtime=dep.rt) as b:
        b.create_issuer_key("agency-a", "Agency A registration v2", schemas=[V2], key=_KEY[0])
    return dep


def offer(dep: Deployment, reissue_of: str | None = None, who: str = "registrar_a") -> dict[str, Any]:
    body: dict[str, Any] = {"schema": V2, "values": household()}
    if reissue_of:
        body["reissue_of"] = reissue_of
    r = dep.client.post("/v1/offers", json=body, headers=dep.h(who))
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


def redeem(dep: Deployment, made: dict[str, Any], seed: WalletSeed, *, bind: bool = True) -> Any:
    o = decode(base64.b64decode(made["offer"]), Offer)
    holder = Holder(seed)
    req, pending = holder.start_issuance(o)
    if bind:
        req = bind_issuance_request(req, pending)
    return dep.client.post("/v1/issue", content=encode(req), headers=CBOR), holder, pending, o


def wallet(dep: Deployment, seed: WalletSeed, reissue_of: str | None = None, *, bind: bool = True
           ) -> tuple[Holder, Credential, str]:
    made = offer(dep, reissue_of)
    r, holder, pending, o = redeem(dep, made, seed, bind=bind)
    assert r.status_code == 200, r.text
    entry = dep.trust_list().issuer(o.issuer_kid)
    assert entry is not None
    cred = holder.finish_issuance(pending, decode(r.content, IssuedCredential), entry, SCHEMA, now=dep.clock.now)
    return holder, cred, made["credential_id"]


def pseudonym(dep: Deployment, holder: Holder, cred: Credential, scope: str = SCOPE) -> bytes:
    tl = dep.trust_list()
    req = build_request(verifier_id="agency-b", scope=scope, issuers=[cred.issuer_kid], schema=SCHEMA,
                        disclose=("region",), purpose={"en": "x"}, now=dep.clock.now, signing_key=dep.desk_key)
    rr = read_request(req, tl, now=dep.clock.now)
    return decode(holder.present(holder.assess(rr, [cred], tl, now=dep.clock.now)), Presentation).pseudonym


def enroll(dep: Deployment, nym: bytes, scope: str = SCOPE) -> Any:
    return dep.client.post("/v1/enrollments", json={"scope": scope, "pseudonym": nym.hex()}, headers=dep.h("device_b"))


def card(dep: Deployment, cid: str) -> dict[str, Any]:
    r = dep.client.get(f"/v1/cards/{cid}", headers=dep.h("registrar_a"))
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def update(dep: Deployment, scope: str = SCOPE) -> Any:
    r = dep.client.get("/v1/revocations", params={"scope": scope})
    assert r.status_code == 200, r.text
    return load_revocation_update(r.content, [TrustAnchor(dep.anchor)])


def token(cred: Credential, scope: str = SCOPE) -> bytes:
    return token_for(scope, cred.stored.values[SCHEMA.index("card_handle")], cred.stored.suite)


def test_restored_wallet_keeps_its_pseudonyms_and_the_lost_card_is_revoked(v2: Deployment) -> None:
    seed = WalletSeed.generate()
    h1, c1, cid1 = wallet(v2, seed)
    assert enroll(v2, pseudonym(v2, h1, c1)).status_code == 201
    h2, c2, cid2 = wallet(v2, WalletSeed(seed.secret), reissue_of=cid1)  # restored from the recovery code
    assert pseudonym(v2, h2, c2) == pseudonym(v2, h1, c1)
    problem(enroll(v2, pseudonym(v2, h2, c2)), 409, "already_enrolled")  # no second enrollment
    old, new = card(v2, cid1), card(v2, cid2)
    assert old["status"] == "revoked" and old["revoke_reason"] == "replaced"
    assert new["status"] == "active" and new["reissue_path"] == "restored" and new["blocked_scopes"] == []
    rl = update(v2)
    assert rl.is_revoked(token(c1)) and not rl.is_revoked(token(c2)) and not rl.is_blocked(token(c2))


def test_keep_the_old_phone_new_wallet_is_caught(v2: Deployment) -> None:
    """The person keeps the old phone and has a new wallet re-issued: the old card is revoked
    at once and the new card may not enroll in any round that already exists."""
    h1, c1, cid1 = wallet(v2, WalletSeed.generate())
    assert enroll(v2, pseudonym(v2, h1, c1)).status_code == 201
    h2, c2, cid2 = wallet(v2, WalletSeed.generate(), reissue_of=cid1)
    assert pseudonym(v2, h2, c2) != pseudonym(v2, h1, c1)  # a new wallet: new pseudonyms ...
    old, new = card(v2, cid1), card(v2, cid2)
    assert old["status"] == "revoked" and old["revoke_reason"] == "replaced_without_code"
    assert new["reissue_path"] == "lost_code" and sorted(new["blocked_scopes"]) == sorted([SCOPE, SCOPE2])
    for scope in (SCOPE, SCOPE2):  # ... so every device refuses both cards in these rounds
        rl = update(v2, scope)
        assert rl.is_revoked(token(c1, scope)) and rl.is_blocked(token(c2, scope))
        assert not rl.is_revoked(token(c2, scope))
    r = v2.client.post("/v1/admin/scopes", json={"scope": "cva/2027-02/round-3"}, headers=v2.h("admin_a"))
    assert r.status_code == 201, r.text
    later = update(v2, "cva/2027-02/round-3")  # the next round: the new card is welcome
    assert not later.is_blocked(token(c2, "cva/2027-02/round-3"))
    assert later.is_revoked(token(c1, "cva/2027-02/round-3"))


def test_a_wallet_without_its_binding_takes_the_lost_code_path(v2: Deployment) -> None:
    seed = WalletSeed.generate()
    _h1, _c1, cid1 = wallet(v2, seed)
    _h2, _c2, cid2 = wallet(v2, WalletSeed(seed.secret), reissue_of=cid1, bind=False)
    assert card(v2, cid2)["reissue_path"] == "lost_code"


def test_a_second_card_for_the_same_wallet_replaces_the_first(v2: Deployment) -> None:
    """A restored wallet asking for a fresh card (no reissue_of): it gets one, with the same
    pseudonyms, and the older card is withdrawn, so one wallet never counts as two people."""
    seed = WalletSeed.generate()
    h1, c1, cid1 = wallet(v2, seed)
    h2, c2, cid2 = wallet(v2, WalletSeed(seed.secret))
    assert pseudonym(v2, h2, c2) == pseudonym(v2, h1, c1)
    assert card(v2, cid1)["status"] == "revoked" and card(v2, cid2)["replaces"] == cid1
    assert update(v2).is_revoked(token(c1))


def test_a_forged_binding_is_refused(v2: Deployment) -> None:
    seed = WalletSeed.generate()
    _h, _c, cid = wallet(v2, seed)
    made = offer(v2, reissue_of=cid)
    o = decode(base64.b64decode(made["offer"]), Offer)
    victim = Holder(WalletSeed(seed.secret))
    vreq, vpend = victim.start_issuance(o)
    stolen = bind_issuance_request(vreq, vpend).binding
    thief = Holder(WalletSeed.generate())
    treq, _tp = thief.start_issuance(o)
    r = v2.client.post("/v1/issue", content=encode(dataclasses.replace(treq, binding=stolen)), headers=CBOR)
    problem(r, 422, "invalid_binding")


def test_revoke_one_card(v2: Deployment) -> None:
    _h1, c1, cid1 = wallet(v2, WalletSeed.generate())
    _h2, c2, _cid2 = wallet(v2, WalletSeed.generate())
    before = update(v2)
    assert before.revoked == ()
    r = v2.client.post(f"/v1/cards/{cid1}/revoke", json={"reason": "stolen"}, headers=v2.h("registrar_a"))
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "revoked" and r.json()["revocable"] is True
    after = update(v2)
    assert after.sequence > before.sequence
    after.replaces(before)
    assert after.is_revoked(token(c1)) and not after.is_revoked(token(c2))  # only that card
    problem(v2.client.post(f"/v1/cards/{cid1}/revoke", json={"reason": "stolen"}, headers=v2.h("registrar_a")),
            409, "already_revoked")
    problem(v2.client.post(f"/v1/cards/{cid1}/revoke", json={"reason": "bored"}, headers=v2.h("registrar_a")),
            422, "invalid_reason")
    problem(v2.client.post(f"/v1/cards/{cid1}/revoke", json={"reason": "lost"}, headers=v2.h("registrar_b")),
            404, "unknown_credential")
    problem(v2.client.post(f"/v1/cards/{cid1}/revoke", json={"reason": "lost"}, headers=v2.h("auditor_a")),
            403, "forbidden")


def test_revocation_update_is_stable_cacheable_and_checks_its_scope(v2: Deployment) -> None:
    a = v2.client.get("/v1/revocations", params={"scope": SCOPE})
    b = v2.client.get("/v1/revocations", params={"scope": SCOPE})
    assert a.content == b.content and a.headers["ETag"] == b.headers["ETag"]
    r = v2.client.get("/v1/revocations", params={"scope": SCOPE}, headers={"If-None-Match": a.headers["ETag"]})
    assert r.status_code == 304
    problem(v2.client.get("/v1/revocations", params={"scope": "cva/no-such-round"}), 404, "unknown_scope")
    problem(v2.client.get("/v1/revocations", params={"scope": "CVA/Round 1"}), 422, "invalid_scope")
    v2.clock.advance(v2.rt.settings.trust_list_validity)  # half the validity passed: a fresh signature
    c = update(v2)
    assert c.sequence > load_revocation_update(a.content, [TrustAnchor(v2.anchor)]).sequence


def test_the_trust_list_says_which_scopes_verifier_keys_may_ask_for(dep: Deployment) -> None:
    """Issue 13, "any requester chooses the scope": registered keys may ask for the
    registry's rounds only; wallets answer anyone else with a one-time pseudonym."""
    from sdk.credential.request import scope_policy

    tl = dep.trust_list()
    entry = tl.verifier(dep.desk_key.kid)
    assert entry is not None and set(entry.scopes or ()) == {SCOPE, SCOPE2}
    assert not scope_policy(read_request(dep.request(SCOPE), tl, now=dep.clock.now), tl).one_time
    assert scope_policy(read_request(dep.request("checkpoint/bridge"), tl, now=dep.clock.now), tl).one_time
    unsigned = dep.request(SCOPE, signing_key=None)
    assert scope_policy(read_request(unsigned, tl, now=dep.clock.now), tl).one_time
    r = dep.client.post("/v1/admin/scopes", json={"scope": "cva/2027-03/round-4"}, headers=dep.h("admin_a"))
    assert r.status_code == 201, r.text
    assert "cva/2027-03/round-4" in (dep.trust_list().verifier(dep.desk_key.kid).scopes or ())  # type: ignore[union-attr]
