"""Issue 13 on the field device: the signed list of withdrawn cards, checked offline.

Offline: a list imported by hand refuses a revoked or replaced card with words the field
worker understands, leaves every other card alone, and bad lists (tampered, rolled back,
another round, oversized) are refused while the last good one stays. With the real service
(tests/field_app/service_world.py): revoking one card reaches the device in one sync."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from field_app.config import FieldConfig, RequestTemplate
from field_app.service import FieldService
from sdk.client import ServiceClient
from sdk.credential import Holder, WalletSeed, household_schema, read_request
from sdk.credential.lifecycle import bind_issuance_request
from sdk.credential.revocation import (
    MAX_UPDATE_BYTES,
    build_update,
    sign_revocation_update,
    token_for,
)
from sdk.errors import TrustListError
from sdk.trust import build_payload, load_trust_list, sign_trust_list
from sdk.wire import IssuedCredential, Offer, decode, encode
from tests.field_app.demo import DAY, NOW, MutableClock, Person
from tests.sdk.credential.world import World, household

SCOPE = "cva/2026-12/round-1"
V2 = "org.zkaid.household@2"


class V2World:
    """A deployment whose cards carry a revocation handle (household@2)."""

    def __init__(self, backend: str) -> None:
        self.world = World(backend, issuer_name="Agency A registration (v2)", schema=household_schema(2))
        self.backend = backend
        self.seq = 1

    def device(self, root: Path, clock: MutableClock, scope: str = SCOPE) -> FieldService:
        svc = FieldService(root, clock=clock, backend=self.backend)
        svc.configure(FieldConfig(agency="agency-b", device_id="desk-1", scope=scope,
                                  anchors=(self.world.anchor.public_key.hex(),),
                                  template=RequestTemplate(schema=V2)), api_key="k")
        payload = build_payload(sequence=1, issued_at=NOW - DAY, next_update=NOW + 30 * DAY, grace=DAY,
                                issuers=[self.world.issuer.entry(NOW - 30 * DAY, NOW + 365 * DAY)],
                                schemas=[self.world.schema.to_def()])
        svc.import_trust_list(load_trust_list(sign_trust_list(payload, self.world.tl_key), [self.world.anchor]).signed)
        return svc

    def person(self) -> Person:
        holder, cred, _ = self.world.enroll_wallet(household())
        return Person(holder, cred)

    def token(self, p: Person, scope: str = SCOPE) -> bytes:
        handle = p.credential.stored.values[self.world.schema.index("card_handle")]
        return token_for(scope, handle, p.credential.stored.suite, self.backend)

    def update(self, *, revoked: list[bytes] = (), blocked: list[bytes] = (), scope: str = SCOPE,  # type: ignore[assignment]
               seq: int | None = None, key: Ed25519PrivateKey | None = None, next_update: int = NOW + DAY) -> bytes:
        if seq is None:
            self.seq += 1
            seq = self.seq
        return sign_revocation_update(build_update(scope=scope, sequence=seq, issued_at=NOW - 60,
                                                   next_update=next_update, grace=DAY, revoked=revoked,
                                                   blocked=blocked), key or self.world.tl_key)

    def answer(self, p: Person, svc: FieldService) -> bytes:
        issued = svc.new_request()
        tl = svc.trust_list
        assert tl is not None
        rr = read_request(issued.data, tl, now=svc.now())
        return p.holder.present(p.holder.assess(rr, [p.credential], tl, now=svc.now()))


@pytest.fixture(scope="module")
def v2(deployment) -> V2World:  # type: ignore[no-untyped-def]
    return V2World(deployment.backend)


def test_a_revoked_card_is_refused_offline_with_words(v2: V2World, tmp_path: Path) -> None:
    clock = MutableClock()
    svc = v2.device(tmp_path, clock)
    stolen, honest = v2.person(), v2.person()
    svc.import_revocation_update(v2.update(revoked=[v2.token(stolen)]))
    r = svc.check(v2.answer(stolen, svc))
    assert not r.ok and r.reason == "card_revoked" and r.known
    assert r.message_key == "reason.card_revoked" and r.headline_key == "headline.card_revoked"
    ok = svc.check(v2.answer(honest, svc))
    assert ok.ok, ok.detail


def test_a_new_round_asks_for_revocable_cards_by_default(v2: V2World, tmp_path: Path) -> None:
    """Issue 13: the operator changes nothing, the round asks for household@2 (cards that can
    be withdrawn one by one) and proves they are still valid; a household@1 setup is kept."""
    from field_app.config import DEFAULT_PREDICATES, DEFAULT_SCHEMA

    assert RequestTemplate().schema == DEFAULT_SCHEMA == V2
    assert RequestTemplate.from_json({}).schema == V2
    kept = RequestTemplate(schema="org.zkaid.household@1")
    assert RequestTemplate.from_json(kept.to_json()).schema == "org.zkaid.household@1"
    svc = FieldService(tmp_path, clock=MutableClock(), backend=v2.backend)
    svc.configure(FieldConfig(agency="agency-b", device_id="desk-2", scope=SCOPE,
                              anchors=(v2.world.anchor.public_key.hex(),), template=RequestTemplate()), api_key="k")
    payload = build_payload(sequence=1, issued_at=NOW - DAY, next_update=NOW + 30 * DAY, grace=DAY,
                            issuers=[v2.world.issuer.entry(NOW - 30 * DAY, NOW + 365 * DAY)],
                            schemas=[v2.world.schema.to_def()])
    svc.import_trust_list(load_trust_list(sign_trust_list(payload, v2.world.tl_key), [v2.world.anchor]).signed)
    req = svc.new_request().received.request
    assert (req.schema_id, req.schema_version) == ("org.zkaid.household", 2)
    assert [p.attribute for p in req.predicates] == [p.attribute for p in DEFAULT_PREDICATES]
    stolen, honest = v2.person(), v2.person()
    svc.import_revocation_update(v2.update(revoked=[v2.token(stolen)]))
    r = svc.check(v2.answer(stolen, svc))
    assert not r.ok and r.reason == "card_revoked"
    ok = svc.check(v2.answer(honest, svc))
    assert ok.ok, ok.detail


def test_a_replacement_card_waits_for_the_next_round(v2: V2World, tmp_path: Path) -> None:
    svc = v2.device(tmp_path, MutableClock())
    new_card = v2.person()
    svc.import_revocation_update(v2.update(blocked=[v2.token(new_card)]))
    r = svc.check(v2.answer(new_card, svc))
    assert not r.ok and r.reason == "card_replaced" and r.known


def test_no_list_or_an_expired_list_means_no_check(v2: V2World, tmp_path: Path) -> None:
    clock = MutableClock()
    svc = v2.device(tmp_path, clock)
    p = v2.person()
    r = svc.check(v2.answer(p, svc))
    assert not r.ok and r.reason == "no_revocation_list" and r.known
    svc.import_revocation_update(v2.update())
    clock.advance(DAY + DAY + 1)  # past next_update and past the grace period
    r = svc.check(v2.answer(p, svc))
    assert not r.ok and r.reason == "revocation_expired" and r.known


def test_bad_lists_are_refused_and_the_last_good_one_stays(v2: V2World, tmp_path: Path) -> None:
    clock = MutableClock()
    svc = v2.device(tmp_path, clock)
    stolen = v2.person()
    good = v2.update(revoked=[v2.token(stolen)], seq=50)
    svc.import_revocation_update(good)
    tampered = bytearray(v2.update(seq=51))
    tampered[-70] ^= 1
    bad = {
        "bad_signature": bytes(tampered),
        "unknown_signer": v2.update(seq=52, key=Ed25519PrivateKey.generate()),
        "rollback": v2.update(seq=49),  # an older list that does not withdraw the stolen card
        "wrong_scope": v2.update(seq=53, scope="cva/other-round"),
        "too_large": good + bytes(MAX_UPDATE_BYTES),
    }
    for reason, data in bad.items():
        with pytest.raises(TrustListError) as err:
            svc.import_revocation_update(data)
        assert err.value.reason == reason
        assert svc.check(v2.answer(stolen, svc)).reason == "card_revoked"  # still withdrawn
    again = FieldService(tmp_path, clock=clock, backend=v2.backend)  # the list survives a restart
    assert again.revocations.current is not None and again.revocations.current.sequence == 50


def test_a_v1_card_is_not_affected(deployment, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    svc = deployment.device(tmp_path)
    p = deployment.person()
    issued = svc.new_request()
    r = svc.check(deployment.answer(p, issued.data))
    assert r.ok, r.detail  # a round of household@1 cards: nothing to revoke one by one


def test_revoking_one_card_reaches_the_device_in_one_sync(deployment, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.field_app.service_world import ServiceWorld

    clock = MutableClock(NOW)
    world = ServiceWorld(tmp_path, clock, backend=deployment.backend)
    try:
        world.boot.create_issuer_key("agency-a", "Agency A registration v2", schemas=[V2], range_params=False)
        scope = world.new_scope()
        svc = world.device("agency-b", "desk-7", scope, template=RequestTemplate(schema=V2, predicates=()))
        assert svc.sync().ok
        people = []
        for _ in range(2):
            made = world.registrar.create_offer(V2, household(valid_until=dt.date(2027, 11, 1)))
            offer = decode(base64.b64decode(made["offer"]), Offer)
            holder = Holder(WalletSeed.generate(), backend=deployment.backend)
            req, pending = holder.start_issuance(offer)
            issued = decode(ServiceClient(world.url).issue(encode(bind_issuance_request(req, pending))),
                            IssuedCredential)
            entry = world.trust_list().issuer(offer.issuer_kid)
            assert entry is not None
            cred = holder.finish_issuance(pending, issued, entry, household_schema(2), now=int(clock()))
            people.append((Person(holder, cred), made["credential_id"]))
        (stolen, stolen_id), (honest, _) = people
        world.registrar.revoke_card(stolen_id, "stolen")
        assert svc.sync().ok  # one sync
        r = svc.check(world.answer(stolen, svc.new_request().data))
        assert not r.ok and r.reason == "card_revoked"
        assert svc.check(world.answer(honest, svc.new_request().data)).ok
    finally:
        world.close()
