"""The whole service as a story, through sdk.client.ServiceClient against a real server:
offer -> wallet request -> issued credential -> presentation -> online verify + enroll ->
the same person at another agency -> 409 naming the first agency. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from sdk.client import ServiceClient, SyncDuplicate, SyncItem
from sdk.credential import Holder, WalletSeed, build_request, household_schema, read_request
from sdk.errors import ServiceError
from sdk.trust import TrustAnchor, load_trust_list
from sdk.wire import IssuedCredential, Offer, decode, encode
from tests.verifier_service.helpers import HOUSEHOLD, SCOPE, SCOPE2, Deployment, household


def test_registration_to_cross_agency_deduplication(dep: Deployment, live: str) -> None:
    public = ServiceClient(live)
    registrar_a = ServiceClient(live, dep.keys["registrar_a"])
    desk_b = ServiceClient(live, dep.keys["device_b"])
    now = dep.clock.now
    schema = household_schema()

    # Bootstrap: the anchor a real deployment hands out of band, then the signed list.
    assert public.health()["status"] == "ok"
    anchor = bytes.fromhex(public._json("GET", "/v1/trust-list/anchor", auth=False)["public_key"])
    signed = public.trust_list()
    assert signed is not None
    tl = load_trust_list(signed, [TrustAnchor(anchor)])
    assert public.trust_list(if_sequence=tl.sequence) is None  # 304: nothing newer

    # A registration officer at agency A creates an offer for a household.
    made = registrar_a.create_offer(HOUSEHOLD, household(6))
    assert made["schema"] == HOUSEHOLD and len(made["code"]) == 9
    # The beneficiary types the short code instead of scanning: the same Offer.
    offer_bytes = public.offer_by_code(made["code"].lower())
    offer = decode(offer_bytes, Offer)
    assert offer.endpoint == live + "/v1/issue"

    # The wallet answers with its commitment and receives the blind-signed credential.
    seed = WalletSeed.generate()
    holder = Holder(seed)
    req, pending = holder.start_issuance(offer)
    issued = decode(public.issue(encode(req)), IssuedCredential)
    entry = tl.issuer(offer.issuer_kid)
    assert entry is not None and entry.range_params is not None
    cred = holder.finish_issuance(pending, issued, entry, schema, now=now)
    assert cred.values["household_size"] == 6
    with pytest.raises(ServiceError) as used:
        public.issue(encode(req))
    assert (used.value.status, used.value.reason) == (403, "token_used")

    # Agency B's field desk asks (signed request), the wallet presents, the service
    # verifies and enrolls in one call.
    request_b = build_request(verifier_id="agency-b", scope=SCOPE, issuers=[offer.issuer_kid], schema=schema,
                              disclose=("region",), purpose={"en": "December round"}, now=now,
                              signing_key=dep.desk_key)
    rr = read_request(request_b, tl, now=now)
    assert rr.verified and rr.signer is not None and rr.signer.name == "Agency B desk 1"
    pres = holder.present(holder.assess(rr, [cred], tl, now=now))
    out = desk_b.verify(request_b, pres, enroll=True)
    assert out["ok"] and out["disclosed"] == {"region": "north"} and out["trust_list"] == "fresh"
    assert out["issuer"] == "Agency A registration" and out["schema"] == HOUSEHOLD
    assert out["enrollment"]["agency"] == "agency-b"
    pseudonym = bytes.fromhex(out["pseudonym"])

    # The same person turns up at agency A for the same round: caught, with who was first.
    request_a = build_request(verifier_id="agency-a", scope=SCOPE, issuers=[offer.issuer_kid], schema=schema,
                              disclose=("region",), purpose={"en": "December round"}, now=now)
    pres_a = holder.present(holder.assess(read_request(request_a, tl, now=now), [cred], tl, now=now))
    with pytest.raises(ServiceError) as dup:
        registrar_a.verify(request_a, pres_a, enroll=True)
    e = dup.value
    assert (e.status, e.reason) == (409, "already_enrolled")
    assert e.detail["first_agency"] == "agency-b" and e.detail["first_agency_name"] == "Agency B"
    assert e.detail["first_enrolled_at"] == now
    assert "Agency B" in str(e)
    with pytest.raises(ServiceError) as dup2:  # the plain enrollment endpoint says the same
        registrar_a.enroll(SCOPE, pseudonym)
    assert dup2.value.status == 409 and dup2.value.detail["first_agency"] == "agency-b"

    # In the next round the same person has another, unlinkable pseudonym and enrolls.
    request_2 = build_request(verifier_id="agency-a", scope=SCOPE2, issuers=[offer.issuer_kid], schema=schema,
                              purpose={"en": "January round"}, now=now)
    pres_2 = holder.present(holder.assess(read_request(request_2, tl, now=now), [cred], tl, now=now))
    out2 = registrar_a.verify(request_2, pres_2, enroll=True)
    assert out2["pseudonym"] != out["pseudonym"] and out2["enrollment"]["agency"] == "agency-a"

    # Phone lost: restored from the recovery code and re-issued with the stored entropy,
    # the person keeps the same pseudonym, so the registry still knows them.
    restored = Holder(WalletSeed.from_recovery_code(seed.recovery_code()))
    again = registrar_a.create_offer(HOUSEHOLD, household(7), reissue_of=made["credential_id"])
    offer2 = decode(public.offer_by_code(again["code"]), Offer)
    req2, pending2 = restored.start_issuance(offer2)
    cred2 = restored.finish_issuance(pending2, decode(public.issue(encode(req2)), IssuedCredential), entry,
                                     schema, now=now)
    request_c = build_request(verifier_id="agency-b", scope=SCOPE, issuers=[offer.issuer_kid], schema=schema,
                              purpose={"en": "check"}, now=now)
    pres_c = restored.present(restored.assess(read_request(request_c, tl, now=now), [cred2], tl, now=now))
    out3 = desk_b.verify(request_c, pres_c, enroll=False)
    assert out3["pseudonym"] == out["pseudonym"] and out3["enrollment"] is None

    # Both agencies see the duplicate events; the counts add up.
    assert {d.second_agency for d in ServiceClient(live, dep.keys["auditor_b"]).duplicates(SCOPE)} == {"agency-a"}
    assert len(registrar_a.duplicates(SCOPE)) == 2
    stats = registrar_a.scope_stats(SCOPE)
    assert stats == {"scope": SCOPE, "enrollments": 1, "duplicates": 2, "by_agency": {"agency-b": 1}}


def test_offline_devices_meet_at_sync(dep: Deployment, live: str) -> None:
    """Two devices of two agencies work offline, then sync: the registry catches the person
    both enrolled, tells both agencies, and hands each device the other's enrollments."""
    from tests.verifier_service.helpers import pseudonyms

    p = pseudonyms(5)
    t = dep.clock.now
    desk_b = ServiceClient(live, dep.keys["device_b"])
    tablet_a = ServiceClient(live, dep.keys["device_a"])

    a = tablet_a.sync("tablet-1", [SCOPE], 0, [SyncItem(SCOPE, p[0], t - 300), SyncItem(SCOPE, p[1], t - 200)])
    assert a.accepted == 2 and a.duplicates == () and a.updates == ()
    b = desk_b.sync("desk-1", [SCOPE], 0, [SyncItem(SCOPE, p[1], t - 100), SyncItem(SCOPE, p[2], t - 50)])
    assert b.accepted == 1
    assert b.duplicates == (SyncDuplicate(SCOPE, p[1], "agency-a", t - 200, t - 100),)
    assert [u.pseudonym for u in b.updates] == [p[0], p[1]]
    # the tablet comes back later and learns about desk-1's enrollment, from the cursor on
    a2 = tablet_a.sync("tablet-1", [SCOPE], a.cursor, [])
    assert [(u.pseudonym, u.agency) for u in a2.updates] == [(p[2], "agency-b")]
    assert tablet_a.sync("tablet-1", [SCOPE], a2.cursor, []).updates == ()
    # the duplicate is on record for both agencies
    for key in ("auditor_a", "auditor_b"):
        dups = ServiceClient(live, dep.keys[key]).duplicates(SCOPE)
        assert [(d.first_agency, d.second_agency, d.source) for d in dups] == [
            ("agency-a", "agency-b", "sync")]
