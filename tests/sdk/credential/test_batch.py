"""Batch verification: one multi-pairing for many presentations, and a bad one still named."""

from __future__ import annotations

import dataclasses

import pytest

from sdk.bbs.batch import Equation, PairingBatch, find_failures
from sdk.credential import Credential, Holder, read_request, verify_presentation
from sdk.credential.verifier import VerifiedPresentation, verify_presentations
from sdk.curves import get_backend
from sdk.errors import VerificationError
from sdk.wire import PredicateSpec, Presentation, decode, encode
from tests.sdk.credential.world import NOW, World, household

SIZE_GE_5 = PredicateSpec("household_size", "ge", (5,))


@pytest.fixture
def world(backend: str) -> World:
    return World(backend)


def forged_signature(world: World, cred: Credential) -> Credential:
    """The same card with A replaced by another point: the holder can still run the prover
    (the Schnorr part is consistent, so the challenge matches), but only the pairing can
    tell the signature is not the issuer's."""
    be = get_backend(world.backend)
    sig = cred.stored.signature
    fake_a = be.g1_to_bytes(be.g1_mul(be.g1_generator(), 123456789))
    stored = dataclasses.replace(cred.stored, signature=fake_a + sig[48:])
    return Credential(stored, cred.schema)


def present(world: World, holder: Holder, cred: Credential, req: bytes) -> bytes:
    rr = read_request(req, world.trust_list, now=NOW)
    return holder.present(holder.assess(rr, [cred], world.trust_list, now=NOW))


def test_batch_gives_the_single_results(world: World) -> None:
    req = world.request(predicates=(SIZE_GE_5,))
    wallets = [world.enroll_wallet(household(5 + i)) for i in range(4)]
    pres = [present(world, h, c, req) for h, c, _ in wallets]
    out = verify_presentations([(p, req) for p in pres], world.trust_list, now=NOW, backend=world.backend)
    single = [verify_presentation(p, req, world.trust_list, now=NOW, backend=world.backend) for p in pres]
    assert all(isinstance(o, VerifiedPresentation) for o in out)
    assert [o.pseudonym for o in out if isinstance(o, VerifiedPresentation)] == [s.pseudonym for s in single]
    assert len({s.pseudonym for s in single}) == 4
    assert verify_presentations([], world.trust_list, now=NOW, backend=world.backend) == []


def test_one_bad_proof_in_a_batch_is_found_and_named(world: World) -> None:
    req = world.request()
    wallets = [world.enroll_wallet(household()) for _ in range(7)]
    pres = [present(world, h, c, req) for h, c, _ in wallets]
    h3, c3, _ = wallets[3]
    bad = present(world, h3, forged_signature(world, c3), req)
    # alone, the forged card passes every check but the pairing
    with pytest.raises(VerificationError) as exc:
        verify_presentation(bad, req, world.trust_list, now=NOW, backend=world.backend)
    assert exc.value.reason == "invalid_proof"
    items = [(p, req) for p in pres]
    items[3] = (bad, req)
    out = verify_presentations(items, world.trust_list, now=NOW, backend=world.backend)
    bad_ones = [k for k, o in enumerate(out) if isinstance(o, VerificationError)]
    assert bad_ones == [3]
    assert isinstance(out[3], VerificationError) and out[3].reason == "invalid_proof"


def test_mixed_failures_keep_their_own_reasons(world: World) -> None:
    from tests.sdk.predicates.test_predicates import forge

    req = world.request(predicates=(SIZE_GE_5,))
    rr = read_request(req, world.trust_list, now=NOW)
    good = [world.enroll_wallet(household(6)) for _ in range(3)]
    h4, c4, _ = world.enroll_wallet(household(4))  # 4 >= 5 is false
    entry = world.trust_list.issuer(world.issuer.kid)
    assert entry is not None
    from sdk.credential import Assessment

    a = Assessment(rr, c4, entry, None, ("region",), (SIZE_GE_5,))
    r = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
    digit_forgery = forge(world, h4, a, digits=[[r - 1, 0]])  # consistent digits, unsigned one
    h5, c5, _ = good[0]
    sig_forgery = present(world, h5, forged_signature(world, c5), req)
    items: list[tuple[bytes | Presentation, bytes]] = [(present(world, h, c, req), req) for h, c, _ in good]
    items.insert(1, (digit_forgery, req))
    items.append((sig_forgery, req))
    items.append((b"\xd9\xd9\xf7not a presentation", req))
    items.append((decode(items[0][0], Presentation) if isinstance(items[0][0], bytes) else items[0][0], req))
    out = verify_presentations(items, world.trust_list, now=NOW, backend=world.backend)
    reasons = [o.reason if isinstance(o, VerificationError) else "ok" for o in out]
    assert reasons == ["ok", "predicate_failed", "ok", "ok", "invalid_proof", "malformed", "ok"]


def test_a_moved_predicate_in_a_batch_fails_at_the_challenge(world: World) -> None:
    req = world.request(predicates=(SIZE_GE_5,))
    (h1, c1, _), (h2, c2, _) = world.enroll_wallet(household(6)), world.enroll_wallet(household(9))
    p1, p2 = decode(present(world, h1, c1, req), Presentation), decode(present(world, h2, c2, req), Presentation)
    swapped = encode(dataclasses.replace(p1, predicate_proofs=p2.predicate_proofs))
    out = verify_presentations([(p2, req), (swapped, req)], world.trust_list, now=NOW, backend=world.backend)
    assert isinstance(out[0], VerifiedPresentation)
    assert isinstance(out[1], VerificationError) and out[1].reason == "invalid_proof"


def test_random_weights_are_what_makes_the_batch_sound(backend: str) -> None:
    """Two false equations e(X, BP2) == 1 and e(-X, BP2) == 1 cancel under equal weights;
    with independent random weights the batch fails."""
    be = get_backend(backend)
    X = be.g1_mul(be.g1_generator(), 987654321)
    Q = be.g2_generator()
    eqs = [Equation(((X, Q, b"BP2"),)), Equation(((be.g1_neg(X), Q, b"BP2"),))]
    naive = PairingBatch(be)
    for eq in eqs:
        naive.add(eq, weight=1)
    assert naive.check() is True  # the attack the weights exist for
    for _ in range(3):
        batch = PairingBatch(be)
        for eq in eqs:
            batch.add(eq)
        assert batch.check() is False
    assert PairingBatch(be).check() is True


def test_bisection_names_every_bad_item_with_few_checks() -> None:
    from collections.abc import Sequence

    for n, bad in [(1, {0}), (16, {3, 11}), (64, {0, 63}), (100, set(range(0, 100, 17))), (33, set())]:
        calls: list[int] = []

        def holds(keys: Sequence[int], bad: set[int] = bad, calls: list[int] = calls) -> bool:
            calls.append(len(keys))
            return not bad & set(keys)

        assert find_failures(list(range(n)), holds) == sorted(bad)
        if len(bad) <= 1:
            assert len(calls) <= 2 * n.bit_length() + 1


def test_the_issuer_window_is_half_open(world: World) -> None:
    entry = world.trust_list.issuer(world.issuer.kid)
    assert entry is not None
    assert entry.valid_at(entry.not_before) and entry.valid_at(entry.not_after - 1)
    assert not entry.valid_at(entry.not_after) and not entry.valid_at(entry.not_before - 1)
