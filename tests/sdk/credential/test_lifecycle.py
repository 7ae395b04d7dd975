"""Card lifecycle in the SDK (issue 13): hidden revocation handles, the person binding a
re-issue needs, and the signed per-scope revocation update. Runs on every backend."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sdk.credential import (
    REASONS,
    Holder,
    WalletSeed,
    build_request,
    household_schema,
    make_offer,
    read_request,
    verify_presentation,
)
from sdk.credential.lifecycle import bind_issuance_request, binding_value
from sdk.credential.revocation import (
    MAX_UPDATE_BYTES,
    build_update,
    handle_scalar,
    load_revocation_update,
    revocation_tag,
    short_token,
    sign_revocation_update,
    token_for,
)
from sdk.credential.status import check_card_status
from sdk.curves import get_backend
from sdk.errors import CredentialError, InvalidProofError, TrustListError, VerificationError
from sdk.trust import FreshnessState
from sdk.wire import (
    IssuanceRequest,
    Presentation,
    PresentationRequest,
    RevocationUpdate,
    decode,
    encode,
    sign1,
)
from tests.sdk.credential.world import DAY, NOW, World, household

SCOPE = "cva/2026-12/round-1"


@pytest.fixture
def world(backend: str) -> World:
    return World(backend, issuer_name="Agency A registration (v2)", schema=household_schema(2))


def _request(world: World, seed: WalletSeed, token: bytes = b"T" * 16) -> tuple[Holder, IssuanceRequest, object]:
    holder = Holder(seed, backend=world.backend)
    offer = make_offer(world.issuer, world.schema, token=token, endpoint="http://127.0.0.1/issue", expires=NOW + 3600)
    req, pending = holder.start_issuance(offer)
    return holder, req, pending


# -- hidden handles ------------------------------------------------------------------------
def test_v2_cards_carry_a_fresh_hidden_handle(world: World) -> None:
    _h1, c1, _ = world.enroll_wallet(household())
    _h2, c2, _ = world.enroll_wallet(household())
    i = world.schema.index("card_handle")
    assert world.schema.hidden == ("card_handle",)
    h1, h2 = c1.stored.values[i], c2.stored.values[i]
    assert isinstance(h1, bytes) and len(h1) == 32 and h1 != h2


@pytest.mark.parametrize("ask", ["disclose", "predicate"])
def test_no_request_may_ask_about_the_handle(world: World, ask: str) -> None:
    from sdk.wire import PredicateSpec

    kw = ({"disclose": ("card_handle",)} if ask == "disclose"
          else {"predicates": (PredicateSpec("card_handle", "ge", (1,)),)})
    with pytest.raises(CredentialError) as err:
        build_request(verifier_id="x", scope=SCOPE, issuers=[world.issuer.kid], schema=world.schema,
                      purpose={"en": "x"}, now=NOW, **kw)  # type: ignore[arg-type]
    assert err.value.reason == "hidden_attribute"


@pytest.mark.parametrize("bad", [b"short", b"x" * 33, "text"])
def test_a_handle_is_exactly_32_bytes(world: World, bad: object) -> None:
    with pytest.raises(CredentialError):
        world.schema.encode_values({**household(), "card_handle": bad})


# -- person binding -----------------------------------------------------------------------
def test_a_restored_wallet_proves_the_same_binding_value(world: World) -> None:
    seed = WalletSeed.generate()
    _h, req, pending = _request(world, seed)
    r1 = binding_value(bind_issuance_request(req, pending, backend=world.backend), backend=world.backend)
    restored = WalletSeed(seed.secret)
    _h, req2, pending2 = _request(world, restored, token=b"U" * 16)
    r2 = binding_value(bind_issuance_request(req2, pending2, backend=world.backend), backend=world.backend)
    assert r1 is not None and len(r1) == 48 and r1 == r2
    _h, req3, pending3 = _request(world, WalletSeed.generate())
    r3 = binding_value(bind_issuance_request(req3, pending3, backend=world.backend), backend=world.backend)
    assert r3 != r1


def test_a_binding_without_binding_is_none(world: World) -> None:
    _h, req, _p = _request(world, WalletSeed.generate())
    assert binding_value(req, backend=world.backend) is None


def test_a_binding_cannot_be_moved_to_another_commitment_or_offer(world: World) -> None:
    """The old phone's owner cannot lend their binding to a new wallet's commitment."""
    _h, req, pending = _request(world, WalletSeed.generate())
    bound = bind_issuance_request(req, pending, backend=world.backend)
    _h, other, _p = _request(world, WalletSeed.generate())
    for forged in (dataclasses.replace(other, binding=bound.binding),
                   dataclasses.replace(bound, token=b"V" * 16)):
        with pytest.raises(InvalidProofError) as err:
            binding_value(forged, backend=world.backend)
        assert err.value.reason == "invalid_binding"


@pytest.mark.parametrize("damage", ["flip_point", "flip_scalar", "truncate", "zero_scalar"])
def test_a_damaged_binding_is_refused_with_a_reason(world: World, damage: str) -> None:
    _h, req, pending = _request(world, WalletSeed.generate())
    b = bytearray(bind_issuance_request(req, pending, backend=world.backend).binding or b"")
    if damage == "flip_point":
        b[5] ^= 1
    elif damage == "flip_scalar":
        b[-1] ^= 1
    elif damage == "truncate":
        b = b[:-32]
    else:
        b[48:80] = bytes(32)
    with pytest.raises(InvalidProofError) as err:
        binding_value(dataclasses.replace(req, binding=bytes(b)), backend=world.backend)
    assert err.value.reason == "invalid_binding"


# -- tokens and the signed update ---------------------------------------------------------
def test_tokens_differ_across_scopes_and_cards(world: World) -> None:
    h1, h2 = b"\x01" * 32, b"\x02" * 32
    suite = world.issuer.suite
    t = {token_for(s, h, suite, world.backend) for s in (SCOPE, "cva/2027-01/round-1") for h in (h1, h2)}
    assert len(t) == 4 and all(len(x) == 8 for x in t)
    rh = handle_scalar(h1, suite)
    assert short_token(revocation_tag(SCOPE, rh, suite, world.backend)) == token_for(SCOPE, h1, suite, world.backend)


def _signed(world: World, seq: int = 2, *, key: Ed25519PrivateKey | None = None, **kw: object) -> bytes:
    args: dict[str, object] = dict(scope=SCOPE, sequence=seq, issued_at=NOW - DAY, next_update=NOW + DAY,
                                   grace=2 * DAY, revoked=[b"\x05" * 8, b"\x01" * 8], blocked=[b"\x09" * 8])
    args.update(kw)
    return sign_revocation_update(build_update(**args), key or world.tl_key)  # type: ignore[arg-type]


def test_a_signed_update_loads_and_answers_lookups(world: World) -> None:
    rl = load_revocation_update(_signed(world), [world.anchor])
    assert rl.revoked == (b"\x01" * 8, b"\x05" * 8) and rl.is_revoked(b"\x05" * 8)
    assert not rl.is_revoked(b"\x09" * 8) and rl.is_blocked(b"\x09" * 8)
    assert rl.freshness(NOW).state is FreshnessState.FRESH
    assert rl.freshness(NOW + DAY + 1).state is FreshnessState.STALE
    with pytest.raises(TrustListError) as err:
        rl.require_usable(NOW + 3 * DAY + 1)
    assert err.value.reason == "revocation_expired"


def test_roll_back_and_other_scopes_are_refused(world: World) -> None:
    current = load_revocation_update(_signed(world, 5), [world.anchor])
    for data, reason in ((_signed(world, 4), "rollback"), (_signed(world, 5, revoked=[]), "rollback"),
                         (_signed(world, 6, scope="cva/other"), "wrong_scope")):
        with pytest.raises(TrustListError) as err:
            load_revocation_update(data, [world.anchor]).replaces(current)
        assert err.value.reason == reason
    load_revocation_update(_signed(world, 6), [world.anchor]).replaces(current)
    load_revocation_update(_signed(world, 5), [world.anchor]).replaces(current)  # the same list again


def test_tampered_foreign_and_oversized_updates_are_refused(world: World) -> None:
    good = _signed(world)
    tampered = bytearray(good)
    tampered[-70] ^= 1
    cases = {
        "bad_signature": bytes(tampered),
        "unknown_signer": _signed(world, key=Ed25519PrivateKey.generate()),
        "too_large": good + b"\x00" * MAX_UPDATE_BYTES,
        "malformed": b"\xd9\xd9\xf7not cbor",
    }
    for reason, data in cases.items():
        with pytest.raises(TrustListError) as err:
            load_revocation_update(data, [world.anchor])
        assert err.value.reason == reason, (reason, err.value)


def test_unsorted_or_ragged_token_lists_are_refused(world: World) -> None:
    for revoked in (b"\x05" * 8 + b"\x01" * 8, b"\x01" * 8 + b"\x01" * 8, b"\x01" * 7):
        raw = RevocationUpdate(2, NOW - DAY, NOW + DAY, DAY, SCOPE, revoked, None)
        data = sign1(encode(raw), world.tl_key, world.anchor.kid)
        with pytest.raises(TrustListError) as err:
            load_revocation_update(data, [world.anchor])
        assert err.value.reason == "malformed"


def test_ten_thousand_revoked_cards_fit_in_under_100_kb(world: World) -> None:
    import os

    data = _signed(world, revoked=[os.urandom(8) for _ in range(10_000)], blocked=[])
    assert len(data) <= 100_000
    assert len(load_revocation_update(data, [world.anchor]).revoked) == 10_000


def test_old_v1_cards_still_issue_and_have_no_handle(backend: str) -> None:
    w = World(backend)
    assert w.schema.hidden == ()
    _h, cred, _ = w.enroll_wallet(household(valid_until=dt.date(2027, 1, 1)))
    assert len(cred.stored.values) == len(w.schema.names)


# -- the revocation proof part ------------------------------------------------------------
def _present(world: World, holder: Holder, cred: object, scope: str = SCOPE) -> tuple[bytes, bytes]:
    req = world.request(scope=scope)
    rr = read_request(req, world.trust_list, now=NOW)
    return req, holder.present(holder.assess(rr, [cred], world.trust_list, now=NOW))  # type: ignore[list-item]


def test_a_v2_presentation_carries_its_scope_token(world: World) -> None:
    holder, cred, _ = world.enroll_wallet(household())
    handle = cred.stored.values[world.schema.index("card_handle")]
    seen = set()
    for scope in (SCOPE, "cva/2027-01/round-2"):
        req, pres = _present(world, holder, cred, scope)
        v = verify_presentation(pres, req, world.trust_list, now=NOW, backend=world.backend)
        assert v.revocation_token == token_for(scope, handle, cred.stored.suite, world.backend)
        assert "card_handle" not in v.disclosed
        seen.add(decode(pres, Presentation).revocation_tag)
    assert len(seen) == 2  # the tags of one card in two scopes differ


def test_revoked_and_replaced_cards_are_refused_offline(world: World) -> None:
    holder, cred, _ = world.enroll_wallet(household())
    other_h, other, _ = world.enroll_wallet(household())
    mine = token_for(SCOPE, cred.stored.values[world.schema.index("card_handle")], cred.stored.suite, world.backend)
    for field, reason in (("revoked", "card_revoked"), ("blocked", "card_replaced")):
        rl = load_revocation_update(_signed(world, **{"revoked": [], "blocked": [], field: [mine]}), [world.anchor])
        req, pres = _present(world, holder, cred)
        v = verify_presentation(pres, req, world.trust_list, now=NOW, backend=world.backend)
        with pytest.raises(VerificationError) as err:
            check_card_status(v, rl, now=NOW)
        assert err.value.reason == reason and err.value.message == REASONS[reason]
        req, pres = _present(world, other_h, other)
        ok = verify_presentation(pres, req, world.trust_list, now=NOW, backend=world.backend)
        assert check_card_status(ok, rl, now=NOW) is not None  # the other card is untouched


def test_the_device_refuses_to_check_without_a_usable_list(world: World) -> None:
    holder, cred, _ = world.enroll_wallet(household())
    req, pres = _present(world, holder, cred)
    v = verify_presentation(pres, req, world.trust_list, now=NOW, backend=world.backend)
    rl = load_revocation_update(_signed(world), [world.anchor])
    for lst, now, reason in ((None, NOW, "no_revocation_list"), (rl, NOW + 3 * DAY + 1, "revocation_expired"),
                             (load_revocation_update(_signed(world, scope="cva/other"), [world.anchor]), NOW,
                              "wrong_scope")):
        with pytest.raises(TrustListError) as err:
            check_card_status(v, lst, now=now)
        assert err.value.reason == reason


def test_a_forged_missing_or_moved_tag_is_refused(world: World) -> None:
    holder, cred, _ = world.enroll_wallet(household())
    req, pres = _present(world, holder, cred)
    p = decode(pres, Presentation)
    be = get_backend(world.backend)
    other_tag = revocation_tag(SCOPE, handle_scalar(b"\x07" * 32, cred.stored.suite), cred.stored.suite, be)
    bad_point = bytes([p.revocation_tag[0] ^ 0x01]) + p.revocation_tag[1:]  # type: ignore[index]
    cases = {
        "invalid_proof": [dataclasses.replace(p, revocation_tag=other_tag),
                          dataclasses.replace(p, revocation_tag=bad_point),
                          dataclasses.replace(p, revocation_tag=be.g1_to_bytes(be.g1_generator()))],
        "malformed": [dataclasses.replace(p, revocation_tag=None)],
    }
    for reason, forged in cases.items():
        for f in forged:
            with pytest.raises(VerificationError) as err:
                verify_presentation(encode(f), req, world.trust_list, now=NOW, backend=world.backend)
            assert err.value.reason == reason


def test_a_v1_card_sends_no_tag_and_may_not_add_one(backend: str) -> None:
    w = World(backend)
    holder, cred, _ = w.enroll_wallet(household())
    req = w.request()
    rr = read_request(req, w.trust_list, now=NOW)
    pres = holder.present(holder.assess(rr, [cred], w.trust_list, now=NOW))
    p = decode(pres, Presentation)
    assert p.revocation_tag is None
    assert verify_presentation(pres, req, w.trust_list, now=NOW, backend=backend).revocation_token is None
    be = get_backend(backend)
    with pytest.raises(VerificationError) as err:
        verify_presentation(encode(dataclasses.replace(p, revocation_tag=be.g1_to_bytes(be.g1_generator()))),
                            req, w.trust_list, now=NOW, backend=backend)
    assert err.value.reason == "malformed"


def test_the_wallet_never_discloses_the_handle(world: World) -> None:
    holder, cred, _ = world.enroll_wallet(household())
    raw = PresentationRequest("tracker", b"N" * 16, SCOPE, (world.issuer.kid,), world.schema.id, world.schema.version,
                              ("card_handle",), (), NOW, {"en": "give me your handle"})
    rr = read_request(encode(raw), world.trust_list, now=NOW)
    with pytest.raises(CredentialError) as err:
        holder.assess(rr, [cred], world.trust_list, now=NOW)
    assert err.value.reason == "hidden_attribute"
