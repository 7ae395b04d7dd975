"""Referrals in the SDK: seal to B's key, consent in the wallet, verify at the service,
open at B's desk; every bad input gives a typed ReferralError and nothing else."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from sdk.credential import VerifierKey
from sdk.errors import ReferralError
from sdk.referral import (
    HYBRID,
    MAX_NOTE,
    SUITES,
    X25519,
    ReferralKeyPair,
    compose,
    consent,
    make_offer,
    open_referral,
    read_offer,
    read_sealed,
    referral_scope,
    seal_referral,
    verify_submission,
    verify_withdrawal,
    withdraw,
)
from sdk.referral.consent import ReferralOffer, ReferralSubmission
from sdk.referral.envelope import SealedReferral, decode_message, encode_message
from sdk.trust import TrustList, build_payload, load_trust_list, sign_trust_list
from sdk.wire import ReferralTypeDef
from tests.sdk.credential.world import DAY, NOW, World, household

TYPES = (ReferralTypeDef("health", {"en": "Health care", "fr": "Soins de santé"}),
         ReferralTypeDef("shelter", {"en": "Shelter", "fr": "Abri"}))
DESK_A = VerifierKey.generate("Agency A desk")


@dataclasses.dataclass
class RWorld:
    w: World
    keys: dict[str, ReferralKeyPair]  # suite -> B's key
    other: ReferralKeyPair  # agency C's key
    tl: TrustList


def make_world(backend: str) -> RWorld:
    w = World(backend)
    keys = {s: ReferralKeyPair.generate(s) for s in SUITES}
    other = ReferralKeyPair.generate(X25519)
    entries = [k.entry("agency-b", "Agency B", NOW - DAY, NOW + 365 * DAY) for k in keys.values()]
    entries.append(other.entry("agency-c", "Agency C", NOW - DAY, NOW + 365 * DAY))
    payload = build_payload(
        sequence=1, issued_at=NOW - DAY, next_update=NOW + DAY, grace=7 * DAY,
        issuers=[w.issuer.entry(NOW - 30 * DAY, NOW + 365 * DAY)],
        verifiers=[w.verifier.entry(NOW - DAY, NOW + 90 * DAY), DESK_A.entry(NOW - DAY, NOW + 90 * DAY)],
        schemas=[w.schema.to_def()], referral_keys=entries, referral_types=TYPES,
    )
    tl = load_trust_list(sign_trust_list(payload, w.tl_key), [w.anchor])
    return RWorld(w, keys, other, tl)


@pytest.fixture(scope="module")
def rw(request: pytest.FixtureRequest) -> RWorld:
    return make_world("arkworks" if "arkworks" in __import__("sdk").available_backends() else "pyecc")


def content(rw: RWorld, **kw: Any) -> Any:
    args: dict[str, Any] = dict(referral_type="health", urgency="soon", note="Needs a follow-up visit.",
                                attributes={"household_size": 6, "region": "north"}, from_agency="agency-a",
                                to_agency="agency-b", now=NOW)
    args.update(kw)
    return compose(rw.tl, **args)


def offer_for(rw: RWorld, suite: str, **kw: Any) -> tuple[Any, Any, bytes]:
    c = content(rw, **kw)
    sealed = seal_referral(c, rw.tl, now=NOW, suite_name=suite)
    off = make_offer(c, sealed, schema=rw.w.schema, issuers=[rw.w.issuer.kid],
                     purpose={"en": "Referral to Agency B"}, now=NOW, signing_key=DESK_A)
    return c, sealed, off


@pytest.mark.parametrize("suite", sorted(SUITES))
def test_referral_story(rw: RWorld, suite: str) -> None:
    holder, cred, _ = rw.w.enroll_wallet(household())
    c, sealed, off = offer_for(rw, suite)
    assert sealed.header.suite == suite and sealed.header.recipient_kid == rw.keys[suite].kid
    assert c.note.encode() not in sealed.data and b"north" not in sealed.data
    # the wallet shows exactly the sealed content, from a verified desk, to agency B
    ro = read_offer(off, rw.tl, now=NOW)
    assert ro.content == c and ro.to_agency_name == "Agency B" and ro.from_agency_name == "Agency A desk"
    sub = consent(holder, ro, [cred], rw.tl, now=NOW + 60)
    # the service checks the consent without reading the content
    acc = verify_submission(sub, rw.tl, now=NOW + 120)
    assert acc.sealed.digest == sealed.digest
    # B's desk scans the wallet in the referral scope: same pseudonym, no name
    req = rw.w.request(scope=referral_scope("agency-b"), disclose=())
    from sdk.credential import read_request, verify_presentation
    rr = read_request(req, rw.tl, now=NOW)
    pres = holder.present(holder.assess(rr, [cred], rw.tl, now=NOW))
    assert verify_presentation(pres, rr, rw.tl, now=NOW).pseudonym == acc.pseudonym
    s2, opened = open_referral(sealed.data, list(rw.keys.values()), agency="agency-b", now=NOW + 300, trust_list=rw.tl)
    assert opened == c and s2.digest == sealed.digest
    # the person withdraws later: same pseudonym, bound to this referral
    wd = withdraw(holder, [cred], rw.tl, referral_id=c.referral_id, digest=sealed.digest, to_agency="agency-b",
                  now=NOW + 600)
    assert verify_withdrawal(wd, rw.tl, digest=sealed.digest, to_agency="agency-b", now=NOW + 600) == (
        c.referral_id, acc.pseudonym)
    with pytest.raises(ReferralError) as e:
        verify_withdrawal(wd, rw.tl, digest=b"\0" * 32, to_agency="agency-b", now=NOW + 600)
    assert e.value.reason == "consent_mismatch"


def reason(fn: Any, *a: Any, **kw: Any) -> str:
    with pytest.raises(ReferralError) as e:
        fn(*a, **kw)
    return e.value.reason


def test_compose_refuses_bad_input(rw: RWorld) -> None:
    assert reason(content, rw, referral_type="karaoke") == "unknown_type"
    assert reason(content, rw, urgency="whenever") == "unknown_urgency"
    assert reason(content, rw, note="x" * (MAX_NOTE + 1)) == "note_too_long"
    assert reason(content, rw, attributes={f"a{i}": i for i in range(40)}) == "too_many_attributes"
    assert reason(content, rw, attributes={"x": 1.5}) == "bad_attribute"
    assert reason(content, rw, to_agency="agency-a") == "same_agency"
    assert reason(content, rw, lifetime=10) == "bad_lifetime"
    c = content(rw, to_agency="agency-z")
    assert reason(seal_referral, c, rw.tl, now=NOW) == "no_referral_key"
    assert content(rw, note="x" * MAX_NOTE).note == "x" * MAX_NOTE


@pytest.mark.parametrize("suite", sorted(SUITES))
def test_open_refuses_wrong_recipient_tampering_and_expiry(rw: RWorld, suite: str) -> None:
    _c, sealed, _off = offer_for(rw, suite)
    keys = list(rw.keys.values())
    assert reason(open_referral, sealed.data, keys, agency="agency-c", now=NOW) == "wrong_recipient"
    assert reason(open_referral, sealed.data, [rw.other], agency="agency-b", now=NOW) == "wrong_recipient"
    env = decode_message(sealed.data, SealedReferral, "s")
    for i in (0, len(env.ciphertext) // 2, len(env.ciphertext) - 1):
        ct = bytearray(env.ciphertext)
        ct[i] ^= 1
        bad = encode_message(SealedReferral(env.header, bytes(ct)))
        assert reason(open_referral, bad, keys, agency="agency-b", now=NOW) == "tampered"
    # a changed header (here: a later expiry) changes the HPKE info: decryption fails
    h = read_sealed(sealed.data).header
    h2 = dataclasses.replace(h, expires=h.expires + DAY)
    bad = encode_message(SealedReferral(encode_message(h2), env.ciphertext))
    assert reason(open_referral, bad, keys, agency="agency-b", now=NOW) == "tampered"
    assert reason(open_referral, sealed.data, keys, agency="agency-b", now=h.expires) == "expired"
    for junk in (b"", b"\xd9\xd9\xf7\xa0", sealed.data[:-5], sealed.data + b"\0", b"x" * 20000):
        assert reason(open_referral, junk, keys, agency="agency-b", now=NOW) == "malformed"


def test_consent_is_bound_to_its_referral(rw: RWorld) -> None:
    holder, cred, _ = rw.w.enroll_wallet(household())
    _c1, _s1, off1 = offer_for(rw, X25519)
    _c2, s2, off2 = offer_for(rw, HYBRID, note="another person, another note")
    sub1 = decode_message(consent(holder, read_offer(off1, rw.tl, now=NOW), [cred], rw.tl, now=NOW),
                          ReferralSubmission, "s")
    # the consent given to referral 1 attached to referral 2
    moved = encode_message(ReferralSubmission(s2.data, sub1.request, sub1.presentation))
    assert reason(verify_submission, moved, rw.tl, now=NOW) == "consent_mismatch"
    # the right request of referral 2 with referral 1's proof
    o2 = decode_message(off2, ReferralOffer, "o")
    swapped = encode_message(ReferralSubmission(s2.data, o2.request, sub1.presentation))
    assert reason(verify_submission, swapped, rw.tl, now=NOW) == "consent_invalid"
    # an offer whose shown content is not the sealed one is refused by the wallet
    o1 = decode_message(off1, ReferralOffer, "o")
    lie = encode_message(ReferralOffer(o1.sealed, o2.content, o1.request))
    assert reason(read_offer, lie, rw.tl, now=NOW) == "content_mismatch"
    ok = encode_message(ReferralSubmission(sub1.sealed, sub1.request, sub1.presentation))
    h1 = read_sealed(sub1.sealed).header
    assert reason(verify_submission, ok, rw.tl, now=h1.expires) == "expired"
    assert reason(read_offer, off1, rw.tl, now=h1.expires) == "expired"
    assert verify_submission(ok, rw.tl, now=NOW).sealed.header == h1


def test_offer_to_an_agency_without_a_valid_key_is_refused(rw: RWorld) -> None:
    _c, _s, off = offer_for(rw, X25519)
    later = NOW + 366 * DAY  # B's key expired
    assert reason(read_offer, off, rw.tl, now=later) in {"expired", "wrong_recipient"}
    assert reason(ReferralKeyPair.from_secret, X25519, b"short") == "bad_key"
    assert reason(ReferralKeyPair.generate, "rot13") == "unknown_suite"


@pytest.mark.parametrize("suite", sorted(SUITES))
def test_hybrid_and_x25519_keys_round_trip(suite: str) -> None:
    k = ReferralKeyPair.generate(suite)
    again = ReferralKeyPair.from_secret(suite, k.secret)
    assert again.public_key == k.public_key and again.kid == k.kid
    assert len(k.public_key) == SUITES[suite].public_key_len
    assert "secret" not in repr(k) or k.secret.hex() not in repr(k)
