"""The threshold OPRF: outputs equal the keyed function, t stewards are needed, bad answers are named."""

from __future__ import annotations

import random

import pytest

from sdk.curves import get_backend
from sdk.curves.hashing import BLS12_381_R
from sdk.errors import EncodingError, InvalidPointError, ParameterError
from sdk.linkage import PersonRecord, encode, normalise
from sdk.linkage.oprf import (
    StewardAnswer,
    StewardProofError,
    StewardShare,
    TooFewAnswersError,
    blind,
    deal_shares,
    evaluate,
    finalize,
    lagrange_at_zero,
    local_evaluator,
    steward_evaluate,
)
from tests.sdk.curves.test_points import g1_encode, g1_off_subgroup

INPUTS = [b"alpha", b"", b"\x00" * 40, "فاطمة".encode()]


def seeded(seed: int):  # type: ignore[no-untyped-def]
    r = random.Random(seed)
    return lambda n: r.randbytes(n)


def recombine(shares: list[StewardShare]) -> int:
    lam = lagrange_at_zero([s.index for s in shares])
    return sum(lam[s.index] * s.share for s in shares) % BLS12_381_R


def test_threshold_output_equals_direct_keyed_evaluation(backend: str) -> None:
    public_key, shares = deal_shares(2, 3, seeded(1), backend=backend)
    k = recombine(shares[:2])
    be = get_backend(backend)
    assert be.g1_to_bytes(be.g1_mul(be.g1_generator(), k)) == public_key
    public = {s.index: s.public_share for s in shares}
    state, blinded = blind(INPUTS, seeded(2), backend=backend)
    answers = [steward_evaluate(s, blinded, seeded(3 + s.index), backend=backend) for s in shares]
    expected = evaluate(k, INPUTS, backend=backend)
    # any 2 of the 3 stewards give the same value, the keyed PRF of the dealt key
    assert finalize(state, answers[:2], public, 2, backend=backend) == expected
    assert finalize(state, [answers[2], answers[0]], public, 2, backend=backend) == expected
    assert len(set(expected)) == len(INPUTS)


def test_blinding_hides_equal_inputs_and_outputs_do_not_depend_on_blinds() -> None:
    _, shares = deal_shares(2, 3)
    ev = local_evaluator(shares, 2)
    _, blinded = blind([b"same", b"same"])
    assert blinded[0] != blinded[1]
    assert ev([b"same", b"same"]) == ev([b"same"]) * 2


def test_fewer_than_t_answers_cannot_finalize() -> None:
    _, shares = deal_shares(3, 5)
    public = {s.index: s.public_share for s in shares}
    state, blinded = blind([b"x"])
    answers = [steward_evaluate(s, blinded) for s in shares[:2]]
    with pytest.raises(TooFewAnswersError):
        finalize(state, answers, public, 3)
    with pytest.raises(TooFewAnswersError):
        local_evaluator(shares[:2], 3)


def test_fewer_than_t_shares_cannot_encode_a_person() -> None:
    """t - 1 stewards pretending the threshold is t - 1 get values unrelated to the real keys."""
    _, shares = deal_shares(2, 3)
    person = normalise(PersonRecord("Fatima", "Al-Hassan", "1990-02-03", phone="0791234567"))
    real = encode([person], local_evaluator(shares, 2))[0]
    with pytest.raises(TooFewAnswersError):
        encode([person], local_evaluator(shares[:1], 2))
    alone = encode([person], local_evaluator(shares[:1], 1))[0]
    assert not set(alone.keys) & set(real.keys)


def test_a_wrong_steward_answer_is_refused_by_name() -> None:
    _, shares = deal_shares(2, 3)
    _, other = deal_shares(2, 3)
    public = {s.index: s.public_share for s in shares}
    state, blinded = blind([b"a", b"b"])
    good = steward_evaluate(shares[0], blinded)
    # steward 2 answers with a key that is not its share (a valid proof for the wrong key)
    forged = steward_evaluate(StewardShare(2, other[1].share, other[1].public_share), blinded)
    with pytest.raises(StewardProofError) as err:
        finalize(state, [good, forged], public, 2)
    assert err.value.steward == 2
    # a correct element set under a tampered proof is refused too
    honest = steward_evaluate(shares[1], blinded)
    bad_proof = StewardAnswer(2, honest.evaluated, honest.proof[:-1] + bytes([honest.proof[-1] ^ 1]))
    with pytest.raises(StewardProofError):
        finalize(state, [good, bad_proof], public, 2)
    # swapping two evaluated elements breaks the batched proof
    swapped = StewardAnswer(2, honest.evaluated[::-1], honest.proof)
    with pytest.raises(StewardProofError):
        finalize(state, [good, swapped], public, 2)
    assert finalize(state, [good, honest], public, 2)


def test_unknown_or_duplicate_stewards_are_refused() -> None:
    _, shares = deal_shares(2, 3)
    state, blinded = blind([b"a"])
    answers = [steward_evaluate(s, blinded) for s in shares]
    with pytest.raises(StewardProofError) as err:
        finalize(state, answers[:2], {1: shares[0].public_share}, 2)
    assert err.value.steward == 2
    with pytest.raises(ParameterError):
        finalize(state, [answers[0], answers[0]], {s.index: s.public_share for s in shares}, 2)


def test_steward_decodes_check_points() -> None:
    _, shares = deal_shares(2, 3)
    be = get_backend()
    with pytest.raises(InvalidPointError):
        steward_evaluate(shares[0], [be.g1_to_bytes(be.g1_identity())])
    with pytest.raises(InvalidPointError):
        steward_evaluate(shares[0], [b"\x80" + b"\x01" * 47])  # compressed x not on the curve
    with pytest.raises(InvalidPointError):
        steward_evaluate(shares[0], [b"\x00" * 10])


def test_points_outside_the_subgroup_are_refused_on_both_sides(backend: str) -> None:
    off = g1_encode(g1_off_subgroup())
    _, shares = deal_shares(2, 3, backend=backend)
    with pytest.raises(InvalidPointError):  # the steward refuses a blinded element off the subgroup
        steward_evaluate(shares[0], [off], backend=backend)
    state, blinded = blind([b"a"], backend=backend)
    good = steward_evaluate(shares[0], blinded, backend=backend)
    bad = StewardAnswer(2, (off,), good.proof)  # the client refuses such an evaluated element
    with pytest.raises(StewardProofError) as err:
        finalize(state, [good, bad], {s.index: s.public_share for s in shares}, 2, backend=backend)
    assert err.value.steward == 2 and "invalid element" in str(err.value)


def test_encodings_round_trip_and_reject_junk() -> None:
    _, shares = deal_shares(2, 3)
    assert StewardShare.from_bytes(shares[0].to_bytes()) == shares[0]
    assert str(shares[0].share) not in repr(shares[0]) and ", share=" not in repr(shares[0])
    forged = StewardShare(1, shares[0].share, shares[1].public_share)
    with pytest.raises(EncodingError):
        StewardShare.from_bytes(forged.to_bytes())
    _, blinded = blind([b"a"])
    ans = steward_evaluate(shares[0], blinded)
    assert StewardAnswer.from_bytes(ans.to_bytes()) == ans
    for junk in (b"", b"\xff", ans.to_bytes()[:-3], b"\x84\x02\x01\x80\x40"):
        with pytest.raises(EncodingError):
            StewardAnswer.from_bytes(junk)


def test_dealing_parameters_are_checked() -> None:
    for t, n in ((0, 3), (4, 3), (1, 256)):
        with pytest.raises(ParameterError):
            deal_shares(t, n)
