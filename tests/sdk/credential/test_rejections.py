"""Every way a presentation, a request or a trust list is refused, each with its reason."""

from __future__ import annotations

import dataclasses

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sdk.credential import (
    Assessment,
    IssuerKey,
    ReceivedRequest,
    build_request,
    read_request,
    verify_presentation,
)
from sdk.errors import CredentialError, TrustListError, VerificationError
from sdk.trust import FreshnessState, load_trust_list, sign_trust_list
from sdk.wire import PredicateSpec, Presentation, decode, encode, sign1
from tests.sdk.credential.world import DAY, NOW, World, household, issuer_key


@pytest.fixture
def world(backend: str) -> World:
    return World(backend)


def answer(world: World, request: bytes, values: dict | None = None) -> bytes:  # type: ignore[type-arg]
    holder, cred, _ = world.enroll_wallet(values or household())
    rr = read_request(request, world.trust_list, now=NOW)
    return holder.present(holder.assess(rr, [cred], world.trust_list, now=NOW))


def reason_of(world: World, pres: bytes, request: bytes, trust_list=None) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(VerificationError) as exc:
        verify_presentation(pres, request, trust_list or world.trust_list, now=NOW, backend=world.backend)
    return exc.value.reason


def mutate(pres: bytes, **changes) -> bytes:  # type: ignore[no-untyped-def]
    return encode(dataclasses.replace(decode(pres, Presentation), **changes))


def test_tampered_disclosed_value(world: World) -> None:
    req = world.request()
    pres = answer(world, req)
    region = world.schema.index("region")
    assert reason_of(world, mutate(pres, disclosed={region: 1}), req) == "invalid_proof"


def test_replayed_against_another_request(world: World) -> None:
    pres = answer(world, world.request())
    assert reason_of(world, pres, world.request()) == "request_mismatch"


def test_proof_for_another_scope(world: World) -> None:
    """A wallet that answers request A with the pseudonym of scope B (to dodge the ledger)."""
    req_a, req_b = world.request("cva/round-1"), world.request("cva/round-2")
    holder, cred, _ = world.enroll_wallet(household())
    ra, rb = read_request(req_a, world.trust_list, now=NOW), read_request(req_b, world.trust_list, now=NOW)
    forged = ReceivedRequest(rb.request, ra.payload, ra.digest)
    pres = holder.present(holder.assess(forged, [cred], world.trust_list, now=NOW))
    assert reason_of(world, pres, req_a) == "invalid_proof"


def test_unknown_issuer(world: World) -> None:
    other = World(world.backend, "Unknown agency")  # an issuer the verifier does not know
    req = build_request(verifier_id="b", scope="s", issuers=[world.issuer.kid, other.issuer.kid],
                        schema=world.schema, disclose=("region",), purpose={"en": "x"}, now=NOW)
    holder, cred, _ = other.enroll_wallet(household())
    pres = holder.present(holder.assess(read_request(req), [cred], other.trust_list, now=NOW))
    assert reason_of(world, pres, req) == "unknown_issuer"


def test_issuer_not_accepted_and_not_valid(world: World) -> None:
    first = world.issuer
    second = issuer_key("Agency C", world.backend, world.schema)
    world.trust_list = world.make_trust_list(issuers=[first, second])
    req = world.request()  # accepts the first key only
    world.issuer = second
    holder, cred, _ = world.enroll_wallet(household())
    world.issuer = first
    rr = read_request(req, world.trust_list, now=NOW)
    entry = world.trust_list.issuer(second.kid)
    assert entry is not None
    with pytest.raises(CredentialError):  # the wallet itself would not answer...
        holder.assess(rr, [cred], world.trust_list)
    forced = Assessment(rr, cred, entry, None, ("region",), ())  # ...a modified one might
    assert reason_of(world, holder.present(forced), req) == "issuer_not_accepted"
    # a key outside its validity window is refused even though the list is usable
    pres = answer(world, req)
    expired = world.make_trust_list(issuers=[first], validity=(NOW - 30 * DAY, NOW - DAY))
    assert reason_of(world, pres, req, expired) == "issuer_not_valid"


def test_trust_list_signed_by_wrong_key(world: World) -> None:
    payload = world.trust_list.payload
    impostor = Ed25519PrivateKey.generate()
    with pytest.raises(TrustListError) as exc:
        load_trust_list(sign_trust_list(payload, impostor), [world.anchor])
    assert exc.value.reason == "unknown_signer"
    forged = sign1(encode(payload), impostor, world.anchor.kid)  # claims the anchor's key id
    with pytest.raises(TrustListError) as exc:
        load_trust_list(forged, [world.anchor])
    assert exc.value.reason == "bad_signature"
    with pytest.raises(TrustListError) as exc:
        load_trust_list(b"\xd9\xd9\xf7garbage", [world.anchor])
    assert exc.value.reason == "malformed"


def test_trust_list_stale_within_grace_then_expired(world: World) -> None:
    req = world.request()
    pres = answer(world, req)
    stale = NOW + DAY + 3600  # past next_update, within the 7-day grace
    ok = verify_presentation(pres, req, world.trust_list, now=stale, backend=world.backend)
    assert ok.freshness.state is FreshnessState.STALE and ok.freshness.warning
    with pytest.raises(TrustListError) as exc:
        verify_presentation(pres, req, world.trust_list, now=NOW + 9 * DAY, backend=world.backend)
    assert exc.value.reason == "trust_list_expired"


def test_schema_mismatch(world: World) -> None:
    req = world.request()
    pres = answer(world, req)
    assert reason_of(world, mutate(pres, schema_version=2), req) == "schema_mismatch"
    assert reason_of(world, mutate(pres, schema_id="org.example.other"), req) == "schema_mismatch"


def test_disclosure_mismatch(world: World) -> None:
    req = world.request(disclose=("region", "household_size"))
    pres = answer(world, req)
    only_region = {world.schema.index("region"): 0}
    assert reason_of(world, mutate(pres, disclosed=only_region), req) == "disclosure_mismatch"


@pytest.mark.parametrize("cut", [0, 1, 3, 10, 100, -1])
def test_truncated_or_garbage_bytes(world: World, cut: int) -> None:
    req = world.request()
    pres = answer(world, req)
    assert reason_of(world, pres[:cut], req) == "malformed"
    assert reason_of(world, b"https://example.org/pay?amount=10", req) == "malformed"
    assert reason_of(world, bytes(range(256)), req) == "malformed"


def test_wallet_refusals(world: World) -> None:
    holder, cred, _ = world.enroll_wallet(household())
    other = World(world.backend, "Another agency")  # another issuer entirely
    req = other.request()
    with pytest.raises(CredentialError) as exc:
        holder.assess(read_request(req), [cred], world.trust_list)
    assert exc.value.reason == "no_matching_credential"
    # a signed request whose signature does not match the trust-list key is a forgery
    forged = bytearray(world.request())
    forged[-5] ^= 1
    with pytest.raises(CredentialError) as exc:
        read_request(bytes(forged), world.trust_list, now=NOW)
    assert exc.value.reason == "request_bad_signature"
    # unsigned requests are read, but never shown as verified
    assert not read_request(world.request(signed=False), world.trust_list, now=NOW).verified
    assert read_request(world.request(), world.trust_list, now=NOW).verified
    with pytest.raises(CredentialError) as exc:
        read_request(b"https://example.org")
    assert exc.value.reason == "foreign"
    with pytest.raises(CredentialError) as exc:
        world.request(predicates=(PredicateSpec("household_size", "gt", (5,)),))
    assert exc.value.reason == "unsupported_predicate"


def test_crafted_requests_are_refused_not_crashing(world: World) -> None:
    """Requests that build_request would refuse, crafted by hand, are refused on reading."""
    from sdk.wire import PresentationRequest
    from sdk.wire import encode as wencode

    base = read_request(world.request(), world.trust_list, now=NOW).request
    twice = dataclasses.replace(base, disclose=("region", "region"))
    both = dataclasses.replace(base, disclose=("household_size",),
                               predicates=(PredicateSpec("household_size", "ge", (1,)),))
    for req in (twice, both):
        assert isinstance(req, PresentationRequest)
        with pytest.raises(CredentialError) as exc:
            read_request(wencode(req), world.trust_list, now=NOW)
        assert exc.value.reason in ("malformed", "unsupported_predicate")


def test_shake_suite_issuer_can_issue_and_verify(backend: str) -> None:
    from sdk.credential import Holder, WalletSeed, household_schema, issue, make_offer

    schema = household_schema()
    key = IssuerKey.generate("SHAKE agency", schemas=(schema.ref,), suite="BLS12-381-SHAKE-256", backend=backend,
                             range_u=None)
    world = World(backend)
    world.issuer = key
    world.trust_list = world.make_trust_list(issuers=[key])
    entry = world.trust_list.issuer(key.kid)
    assert entry is not None and entry.suite == "BLS12-381-SHAKE-256"
    holder = Holder(WalletSeed.generate(), backend=backend)
    offer = make_offer(key, schema, token=b"T" * 16, endpoint="http://127.0.0.1", expires=NOW + 60)
    req, pending = holder.start_issuance(offer, entry)
    issued, _ = issue(key, schema, req, household(), backend=backend)
    cred = holder.finish_issuance(pending, issued, entry, schema, now=NOW)
    request = world.request()
    pres = holder.present(holder.assess(read_request(request, world.trust_list, now=NOW), [cred], world.trust_list))
    assert verify_presentation(pres, request, world.trust_list, now=NOW, backend=backend).disclosed == {"region": "north"}


def test_trust_list_with_inconsistent_key_id_is_refused(world: World) -> None:
    payload = world.trust_list.payload
    bad_entry = dataclasses.replace(payload.issuers[0], kid=b"\x00" * 8)
    forged = dataclasses.replace(payload, issuers=(bad_entry,))
    with pytest.raises(TrustListError) as exc:
        load_trust_list(sign_trust_list(forged, world.tl_key), [world.anchor])
    assert exc.value.reason == "malformed"


def test_trust_list_updates_never_roll_back(world: World) -> None:
    from sdk.trust import build_payload, check_update

    current = world.trust_list
    p = current.payload
    same_seq_other = load_trust_list(sign_trust_list(dataclasses.replace(p, grace=p.grace + 1), world.tl_key),
                                     [world.anchor])
    newer = load_trust_list(sign_trust_list(dataclasses.replace(p, sequence=p.sequence + 1), world.tl_key),
                            [world.anchor])
    older = load_trust_list(sign_trust_list(build_payload(
        sequence=0, issued_at=p.issued_at, next_update=p.next_update, grace=p.grace, issuers=p.issuers,
        verifiers=p.verifiers, schemas=p.schemas), world.tl_key), [world.anchor])
    check_update(None, current)
    check_update(current, current)  # the same list again is fine
    check_update(current, newer)
    for bad in (older, same_seq_other):
        with pytest.raises(TrustListError) as exc:
            check_update(current, bad)
        assert exc.value.reason == "rollback"
