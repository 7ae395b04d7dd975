"""Properties of the BBS, blind and pseudonym APIs (issue 2, "What it must show").

- The two curve backends produce identical bytes for identical inputs (keys, signatures,
  proofs with the same injected rng, commitments, blind signatures, pseudonyms).
- sign -> proof_gen -> proof_verify holds for 0..64 messages and any disclosure set.
- Any single-byte change of a signature, proof, disclosed message, header, presentation
  header, pseudonym or context makes verification fail.
- Blind and pseudonym issuance round trips; same nym secrets and context give the same
  pseudonym, another context gives another one.

The native backend takes the many-example runs; the pure-Python one gets a handful of
small cases (it is ~40x slower), scaled with the hypothesis profile in tests/conftest.py.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

import py_ecc  # noqa: F401  (raises the recursion limit on import: before hypothesis runs)
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sdk import bbs
from sdk.bbs.ciphersuite import resolve_suite
from sdk.bbs.utils import mocked_rng
from sdk.curves import available_backends

R = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
ARK, PY = "arkworks", "pyecc"
SUITES = ("BLS12-381-SHA-256", "BLS12-381-SHAKE-256")

# The profile's example count (ZKAID_HYPOTHESIS_EXAMPLES, 25 by default) scales every run.
_BASE = settings().max_examples
NATIVE = _BASE
FEW = max(2, _BASE // 8)  # pure-Python runs and cross-backend comparisons
SOME = max(4, _BASE // 3)

suites = st.sampled_from(SUITES)
octets = st.binary(max_size=24)
seeds = st.binary(min_size=1, max_size=16)
scalars = st.integers(1, R - 1)


def test_both_backends_are_installed() -> None:
    """The cross-backend properties need both; a missing one is a failure, not a skip."""
    assert set(available_backends()) == {ARK, PY}


def seeded(seed: bytes, suite: str) -> bbs.RNG:
    return mocked_rng(seed, b"zkaid-property-rng", resolve_suite(suite))


@cache
def keypair(suite: str) -> tuple[bytes, bytes]:
    sk = bbs.keygen(b"zkaid property-test key material", suite=suite)
    return sk, bbs.sk_to_pk(sk, suite=suite, backend=ARK)


@st.composite
def messages_and_disclosure(draw: st.DrawFn, max_messages: int) -> tuple[list[bytes], list[int]]:
    n = draw(st.integers(0, max_messages))
    msgs = draw(st.lists(octets, min_size=n, max_size=n))
    mask = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    return msgs, [i for i, shown in enumerate(mask) if shown]


def subset(data: st.DataObject, n: int) -> list[int]:
    mask = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
    return [i for i, shown in enumerate(mask) if shown]


# ======================================================================== backends agree


@settings(max_examples=FEW)
@given(suite=suites, key_material=st.binary(min_size=32, max_size=64), key_info=octets)
def test_backends_agree_on_keys(suite: str, key_material: bytes, key_info: bytes) -> None:
    sk = bbs.keygen(key_material, key_info, suite=suite)
    assert bbs.sk_to_pk(sk, suite=suite, backend=ARK) == bbs.sk_to_pk(sk, suite=suite, backend=PY)


@settings(max_examples=SOME)
@given(suite=suites, header=octets, ph=octets, md=messages_and_disclosure(6), seed=seeds)
def test_backends_agree_on_sign_and_proof_gen(
    suite: str, header: bytes, ph: bytes, md: tuple[list[bytes], list[int]], seed: bytes
) -> None:
    sk, pk = keypair(suite)
    msgs, disclosed = md
    sig = bbs.sign(sk, pk, header, msgs, suite=suite, backend=ARK)
    assert bbs.sign(sk, pk, header, msgs, suite=suite, backend=PY) == sig
    proofs = [
        bbs.proof_gen(pk, sig, header, ph, msgs, disclosed, suite=suite, backend=be, rng=seeded(seed, suite))
        for be in (ARK, PY)
    ]
    assert proofs[0] == proofs[1]
    shown = [msgs[i] for i in disclosed]
    assert bbs.proof_verify(pk, proofs[0], header, ph, shown, disclosed, suite=suite, backend=ARK)


@settings(max_examples=SOME)
@given(suite=suites, context=octets, secrets=st.lists(scalars, min_size=1, max_size=5))
def test_backends_agree_on_pseudonyms(suite: str, context: bytes, secrets: list[int]) -> None:
    nyms = [bbs.calculate_pseudonym(context, secrets, suite=suite, backend=be) for be in (ARK, PY)]
    assert nyms[0] == nyms[1]
    assert len(nyms[0]) == 48


@settings(max_examples=FEW)
@given(
    suite=suites, data=st.data(), header=octets, ph=octets, context=octets, seed=seeds,
    msgs=st.lists(octets, max_size=3), committed=st.lists(octets, max_size=2),
    prover_nyms=st.lists(scalars, min_size=1, max_size=3), entropy=scalars,
)
def test_backends_agree_on_blind_and_nym_flows(
    suite: str, data: st.DataObject, header: bytes, ph: bytes, context: bytes, seed: bytes,
    msgs: list[bytes], committed: list[bytes], prover_nyms: list[int], entropy: int,
) -> None:
    sk, pk = keypair(suite)
    # plain blind issuance
    commits = [bbs.commit(committed, suite=suite, backend=be, rng=seeded(seed, suite)) for be in (ARK, PY)]
    assert commits[0] == commits[1]
    cwp = commits[0][0]
    sigs = [bbs.blind_sign(sk, pk, cwp, header, msgs, suite=suite, backend=be) for be in (ARK, PY)]
    assert sigs[0] == sigs[1]
    # pseudonym issuance and presentation
    N = len(prover_nyms)
    ncommits = [
        bbs.commit_with_nym(committed, prover_nyms, suite=suite, backend=be, rng=seeded(seed, suite))
        for be in (ARK, PY)
    ]
    assert ncommits[0] == ncommits[1]
    ncwp, nspb = ncommits[0]
    nsigs = [
        bbs.blind_sign_with_nym(sk, pk, ncwp, N, entropy, header, msgs, suite=suite, backend=be)
        for be in (ARK, PY)
    ]
    assert nsigs[0] == nsigs[1]
    secrets = bbs.verify_finalize_with_nym(
        pk, nsigs[0], header, msgs, committed, prover_nyms, entropy, nspb, suite=suite, backend=ARK
    )
    di, dci = subset(data, len(msgs)), subset(data, len(committed))
    presentations = [
        bbs.proof_gen_with_nym(
            pk, nsigs[0], header, ph, secrets, context, msgs, committed, di, dci, nspb,
            suite=suite, backend=be, rng=seeded(seed + b"p", suite),
        )
        for be in (ARK, PY)
    ]
    assert presentations[0] == presentations[1]
    assert presentations[0][1] == bbs.calculate_pseudonym(context, secrets, suite=suite, backend=PY)


# ======================================================================== round trips


def _round_trip(
    backend: str, suite: str, header: bytes, ph: bytes, msgs: list[bytes], disclosed: list[int],
    seed: bytes,
) -> None:
    sk, pk = keypair(suite)
    sig = bbs.sign(sk, pk, header, msgs, suite=suite, backend=backend)
    assert len(sig) == 80
    assert bbs.verify(pk, sig, header, msgs, suite=suite, backend=backend)
    proof = bbs.proof_gen(pk, sig, header, ph, msgs, disclosed, suite=suite, backend=backend, rng=seeded(seed, suite))
    assert len(proof) == 272 + 32 * (len(msgs) - len(disclosed))
    shown = [msgs[i] for i in disclosed]
    assert bbs.proof_verify(pk, proof, header, ph, shown, disclosed, suite=suite, backend=backend)
    # the real CSPRNG gives another, equally valid, proof
    fresh = bbs.proof_gen(pk, sig, header, ph, msgs, disclosed, suite=suite, backend=backend)
    assert fresh != proof
    assert bbs.proof_verify(pk, fresh, header, ph, shown, disclosed, suite=suite, backend=backend)


@settings(max_examples=NATIVE)
@given(suite=suites, header=octets, ph=octets, md=messages_and_disclosure(64), seed=seeds)
@example(suite=SUITES[0], header=b"", ph=b"", md=([], []), seed=b"0")
@example(suite=SUITES[1], header=b"h", ph=b"p", md=([b"m%d" % i for i in range(64)], []), seed=b"1")
@example(
    suite=SUITES[0], header=b"h", ph=b"p", md=([b"m%d" % i for i in range(64)], list(range(64))),
    seed=b"2",
)
def test_sign_prove_verify_arkworks(
    suite: str, header: bytes, ph: bytes, md: tuple[list[bytes], list[int]], seed: bytes
) -> None:
    _round_trip(ARK, suite, header, ph, md[0], md[1], seed)


@settings(max_examples=FEW)
@given(suite=suites, header=octets, ph=octets, md=messages_and_disclosure(4), seed=seeds)
def test_sign_prove_verify_pyecc(
    suite: str, header: bytes, ph: bytes, md: tuple[list[bytes], list[int]], seed: bytes
) -> None:
    _round_trip(PY, suite, header, ph, md[0], md[1], seed)


def _blind_round_trip(
    backend: str, suite: str, data: st.DataObject, header: bytes, ph: bytes,
    msgs: list[bytes], committed: list[bytes], seed: bytes,
) -> None:
    sk, pk = keypair(suite)
    cwp, spb = bbs.commit(committed, suite=suite, backend=backend, rng=seeded(seed, suite))
    assert len(cwp) == 48 + 32 * (len(committed) + 2)
    sig = bbs.blind_sign(sk, pk, cwp, header, msgs, suite=suite, backend=backend)
    assert bbs.verify_blind_sign(pk, sig, header, msgs, committed, spb, suite=suite, backend=backend)
    di, dci = subset(data, len(msgs)), subset(data, len(committed))
    proof = bbs.blind_proof_gen(
        pk, sig, header, ph, msgs, committed, di, dci, spb, suite=suite, backend=backend,
        rng=seeded(seed + b"p", suite),
    )
    assert bbs.blind_proof_verify(
        pk, proof, header, ph, len(msgs), [msgs[i] for i in di], [committed[j] for j in dci],
        di, dci, suite=suite, backend=backend,
    )


@settings(max_examples=SOME)
@given(
    suite=suites, data=st.data(), header=octets, ph=octets, seed=seeds,
    msgs=st.lists(octets, max_size=8), committed=st.lists(octets, max_size=4),
)
def test_blind_round_trip_arkworks(
    suite: str, data: st.DataObject, header: bytes, ph: bytes, seed: bytes,
    msgs: list[bytes], committed: list[bytes],
) -> None:
    _blind_round_trip(ARK, suite, data, header, ph, msgs, committed, seed)


@settings(max_examples=FEW)
@given(
    suite=suites, data=st.data(), header=octets, ph=octets, seed=seeds,
    msgs=st.lists(octets, max_size=2), committed=st.lists(octets, max_size=2),
)
def test_blind_round_trip_pyecc(
    suite: str, data: st.DataObject, header: bytes, ph: bytes, seed: bytes,
    msgs: list[bytes], committed: list[bytes],
) -> None:
    _blind_round_trip(PY, suite, data, header, ph, msgs, committed, seed)


def _nym_round_trip(
    backend: str, suite: str, data: st.DataObject, header: bytes, msgs: list[bytes],
    committed: list[bytes], prover_nyms: list[int], entropy: int, contexts: list[bytes],
    seed: bytes,
) -> None:
    sk, pk = keypair(suite)
    kw = {"suite": suite, "backend": backend}
    N = len(prover_nyms)
    cwp, spb = bbs.commit_with_nym(committed, prover_nyms, rng=seeded(seed, suite), **kw)
    sig = bbs.blind_sign_with_nym(sk, pk, cwp, N, entropy, header, msgs, **kw)
    secrets = bbs.verify_finalize_with_nym(
        pk, sig, header, msgs, committed, prover_nyms, entropy, spb, **kw
    )
    # the signer's entropy lands on the last secret only
    assert secrets[:-1] == [n % R for n in prover_nyms[:-1]]
    assert secrets[-1] == (prover_nyms[-1] + entropy) % R
    di, dci = subset(data, len(msgs)), subset(data, len(committed))
    shown, cshown = [msgs[i] for i in di], [committed[j] for j in dci]

    def present(context: bytes, ph: bytes) -> tuple[bytes, bytes]:
        proof, nym = bbs.proof_gen_with_nym(
            pk, sig, header, ph, secrets, context, msgs, committed, di, dci, spb,
            rng=seeded(seed + ph, suite), **kw,
        )
        assert bbs.proof_verify_with_nym(
            pk, proof, header, ph, nym, context, N, len(msgs), shown, cshown, di, dci, **kw
        )
        return proof, nym

    first, second = contexts
    proof_a, nym_a = present(first, b"request 1")
    proof_b, nym_b = present(first, b"request 2")
    assert proof_a != proof_b
    assert nym_a == nym_b == bbs.calculate_pseudonym(first, secrets, **kw)
    proof_c, nym_c = present(second, b"request 1")
    assert nym_c != nym_a
    # a presentation for one scope is no presentation for the other
    for nym in (nym_a, nym_c):
        assert not bbs.proof_verify_with_nym(
            pk, proof_c, header, b"request 1", nym, first, N, len(msgs), shown, cshown, di, dci, **kw
        )


nym_args = {
    "suite": suites,
    "data": st.data(),
    "header": octets,
    "seed": seeds,
    "entropy": scalars,
    "contexts": st.lists(octets, min_size=2, max_size=2, unique=True),
}


@settings(max_examples=SOME)
@given(
    msgs=st.lists(octets, max_size=5), committed=st.lists(octets, max_size=3),
    prover_nyms=st.lists(st.integers(0, R - 1), min_size=1, max_size=4), **nym_args,
)
def test_nym_round_trip_arkworks(
    suite: str, data: st.DataObject, header: bytes, msgs: list[bytes], committed: list[bytes],
    prover_nyms: list[int], entropy: int, contexts: list[bytes], seed: bytes,
) -> None:
    _nym_round_trip(ARK, suite, data, header, msgs, committed, prover_nyms, entropy, contexts, seed)


@settings(max_examples=FEW)
@given(
    msgs=st.lists(octets, max_size=2), committed=st.lists(octets, max_size=1),
    prover_nyms=st.lists(scalars, min_size=1, max_size=2), **nym_args,
)
def test_nym_round_trip_pyecc(
    suite: str, data: st.DataObject, header: bytes, msgs: list[bytes], committed: list[bytes],
    prover_nyms: list[int], entropy: int, contexts: list[bytes], seed: bytes,
) -> None:
    _nym_round_trip(PY, suite, data, header, msgs, committed, prover_nyms, entropy, contexts, seed)


@settings(max_examples=NATIVE)
@given(
    suite=suites, secrets=st.lists(scalars, min_size=1, max_size=6),
    contexts=st.lists(octets, min_size=2, max_size=2, unique=True),
)
def test_pseudonym_same_secrets_same_context(suite: str, secrets: list[int], contexts: list[bytes]) -> None:
    first, second = contexts
    nym = bbs.calculate_pseudonym(first, secrets, suite=suite, backend=ARK)
    assert bbs.calculate_pseudonym(first, list(secrets), suite=suite, backend=ARK) == nym
    assert bbs.calculate_pseudonym(second, secrets, suite=suite, backend=ARK) != nym
    other = [*secrets[:-1], secrets[-1] % (R - 1) + 1]  # another last secret
    assert bbs.calculate_pseudonym(first, other, suite=suite, backend=ARK) != nym
    other_suite = SUITES[1 - SUITES.index(suite)]
    assert bbs.calculate_pseudonym(first, secrets, suite=other_suite, backend=ARK) != nym


# ======================================================================== single-byte changes


def flip(data: bytes, pos: int, delta: int) -> bytes:
    """Change one byte (delta != 0) at pos modulo the length."""
    assert data and 0 < delta < 256
    out = bytearray(data)
    out[pos % len(data)] ^= delta
    return bytes(out)


@dataclass(frozen=True)
class Presentation:
    suite: str
    pk: bytes
    header: bytes
    ph: bytes
    messages: tuple[bytes, ...]
    signature: bytes
    disclosed: tuple[int, ...]
    proof: bytes

    @property
    def shown(self) -> list[bytes]:
        return [self.messages[i] for i in self.disclosed]


@dataclass(frozen=True)
class NymPresentation:
    suite: str
    pk: bytes
    header: bytes
    ph: bytes
    messages: tuple[bytes, ...]
    committed: tuple[bytes, ...]
    N: int
    context: bytes
    proof: bytes
    pseudonym: bytes


@cache
def presentation(suite: str) -> Presentation:
    sk, pk = keypair(suite)
    msgs = (b"given name", b"family name", b"1990-01-01", b"household 7", b"district 3")
    sig = bbs.sign(sk, pk, b"schema v1", msgs, suite=suite, backend=ARK)
    disclosed = (0, 3)
    proof = bbs.proof_gen(pk, sig, b"schema v1", b"nonce 42", msgs, disclosed, suite=suite, backend=ARK, rng=seeded(b"t", suite))
    return Presentation(suite, pk, b"schema v1", b"nonce 42", msgs, sig, disclosed, proof)


@cache
def nym_presentation(suite: str) -> NymPresentation:
    sk, pk = keypair(suite)
    msgs, committed, nyms = (b"given name", b"district 3"), (b"wallet tag",), (11, 22)
    cwp, spb = bbs.commit_with_nym(committed, nyms, suite=suite, backend=ARK, rng=seeded(b"c", suite))
    sig = bbs.blind_sign_with_nym(sk, pk, cwp, 2, 33, b"schema v1", msgs, suite=suite, backend=ARK)
    secrets = bbs.verify_finalize_with_nym(pk, sig, b"schema v1", msgs, committed, nyms, 33, spb, suite=suite, backend=ARK)
    proof, nym = bbs.proof_gen_with_nym(
        pk, sig, b"schema v1", b"nonce 42", secrets, b"cva/2026-12/round-1", msgs, committed,
        [1], [0], spb, suite=suite, backend=ARK, rng=seeded(b"np", suite),
    )
    return NymPresentation(suite, pk, b"schema v1", b"nonce 42", msgs, committed, 2, b"cva/2026-12/round-1", proof, nym)


CORE_TARGETS = ("signature", "signed_message", "proof", "header", "ph", "disclosed_message")


def core_change_fails(backend: str, p: Presentation, target: str, pos: int, delta: int) -> None:
    kw = {"suite": p.suite, "backend": backend}
    sig, msgs, proof, header, ph, shown = p.signature, list(p.messages), p.proof, p.header, p.ph, p.shown
    if target == "signature":
        sig = flip(sig, pos, delta)
    elif target == "signed_message":
        i = pos % len(msgs)
        msgs[i] = flip(msgs[i], pos // len(msgs), delta)
    elif target == "proof":
        proof = flip(proof, pos, delta)
    elif target == "header":
        header = flip(header, pos, delta)
    elif target == "ph":
        ph = flip(ph, pos, delta)
    elif target == "disclosed_message":
        i = pos % len(shown)
        shown[i] = flip(shown[i], pos // len(shown), delta)
    changed_sig = target in ("signature", "signed_message", "header")
    changed_proof = target in ("proof", "header", "ph", "disclosed_message")
    assert bbs.verify(p.pk, sig, header, msgs, **kw) is (not changed_sig)
    assert bbs.proof_verify(p.pk, proof, header, ph, shown, p.disclosed, **kw) is (not changed_proof)


NYM_TARGETS = (
    "proof", "pseudonym", "header", "ph", "context", "disclosed_message",
    "disclosed_committed_message",
)


def nym_change_fails(backend: str, p: NymPresentation, target: str, pos: int, delta: int) -> None:
    args = {
        "proof": p.proof, "pseudonym": p.pseudonym, "header": p.header, "ph": p.ph,
        "context": p.context, "disclosed_message": p.messages[1],
        "disclosed_committed_message": p.committed[0],
    }
    args[target] = flip(args[target], pos, delta)
    assert not bbs.proof_verify_with_nym(
        p.pk, args["proof"], args["header"], args["ph"], args["pseudonym"], args["context"],
        p.N, len(p.messages), [args["disclosed_message"]], [args["disclosed_committed_message"]],
        [1], [0], suite=p.suite, backend=backend,
    )


positions = st.integers(0, 2**16)
deltas = st.integers(1, 255)


def test_unchanged_presentations_verify() -> None:
    """The baseline of the change tests: untouched inputs verify on both backends."""
    for suite in SUITES:
        p, n = presentation(suite), nym_presentation(suite)
        for be in (ARK, PY):
            assert bbs.verify(p.pk, p.signature, p.header, p.messages, suite=suite, backend=be)
            assert bbs.proof_verify(p.pk, p.proof, p.header, p.ph, p.shown, p.disclosed, suite=suite, backend=be)
            assert bbs.proof_verify_with_nym(
                n.pk, n.proof, n.header, n.ph, n.pseudonym, n.context, n.N, len(n.messages),
                [n.messages[1]], [n.committed[0]], [1], [0], suite=suite, backend=be,
            )


@settings(max_examples=4 * NATIVE)
@given(suite=suites, target=st.sampled_from(CORE_TARGETS), pos=positions, delta=deltas)
def test_single_byte_change_core_arkworks(suite: str, target: str, pos: int, delta: int) -> None:
    core_change_fails(ARK, presentation(suite), target, pos, delta)


@settings(max_examples=FEW)
@given(suite=suites, target=st.sampled_from(CORE_TARGETS), pos=positions, delta=deltas)
def test_single_byte_change_core_pyecc(suite: str, target: str, pos: int, delta: int) -> None:
    core_change_fails(PY, presentation(suite), target, pos, delta)


@settings(max_examples=4 * NATIVE)
@given(suite=suites, target=st.sampled_from(NYM_TARGETS), pos=positions, delta=deltas)
def test_single_byte_change_nym_arkworks(suite: str, target: str, pos: int, delta: int) -> None:
    nym_change_fails(ARK, nym_presentation(suite), target, pos, delta)


@settings(max_examples=FEW)
@given(suite=suites, target=st.sampled_from(NYM_TARGETS), pos=positions, delta=deltas)
def test_single_byte_change_nym_pyecc(suite: str, target: str, pos: int, delta: int) -> None:
    nym_change_fails(PY, nym_presentation(suite), target, pos, delta)


@pytest.mark.parametrize("target", ["signature", "proof"])
def test_every_byte_matters_core(target: str) -> None:
    """Exhaustively: a change at any position of the signature or the proof (arkworks)."""
    p = presentation(SUITES[0])
    rnd = random.Random(target)
    size = len(p.signature if target == "signature" else p.proof)
    for pos in range(size):
        core_change_fails(ARK, p, target, pos, rnd.randrange(1, 256))


@pytest.mark.parametrize("target", ["proof", "pseudonym"])
def test_every_byte_matters_nym(target: str) -> None:
    """Exhaustively: a change at any position of the pseudonym proof or the pseudonym."""
    p = nym_presentation(SUITES[0])
    rnd = random.Random(target)
    size = len(p.proof if target == "proof" else p.pseudonym)
    for pos in range(size):
        nym_change_fails(ARK, p, target, pos, rnd.randrange(1, 256))
