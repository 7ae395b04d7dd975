"""Bad input to the BBS, blind and pseudonym APIs (issue 2, "What it must show").

Every malformed or out-of-range input gets either INVALID (``False`` from the low-level
verify functions, as the drafts say) or a typed error from the ``sdk.errors`` tree, and
never another exception: wrong lengths, identity points, points off the curve or outside
the subgroup, broken flags, scalars 0 or >= r, bad disclosed indexes, message count
mismatches, unknown suites, N = 0 or a wrong N, and short key material. The bad point
encodings come from tests/sdk/curves/test_points.py, which builds them independently of
the code under test. Runs on every backend.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sdk import bbs
from sdk.bbs.ciphersuite import BLS12_381_SHA_256
from sdk.bbs.pseudonym import MAX_NYMS
from sdk.bbs.utils import mocked_rng
from sdk.errors import (
    BackendError,
    EncodingError,
    InvalidPointError,
    InvalidProofError,
    InvalidScalarError,
    InvalidSignatureError,
    ParameterError,
    ZkaidError,
)
from tests.sdk.curves.test_points import G1_BAD_48, G1_BAD_LENGTH, G2_BAD_96, G2_BAD_LENGTH

R = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
SUITE = BLS12_381_SHA_256.name
POINT, SCALAR = 48, 32


def _rng(label: bytes) -> bbs.RNG:
    return mocked_rng(b"zkaid bad-input seed " + label, b"zkaid-test-rng", BLS12_381_SHA_256)


@dataclass(frozen=True)
class Core:
    sk: bytes
    pk: bytes
    header: bytes
    ph: bytes
    messages: tuple[bytes, ...]
    signature: bytes
    disclosed: tuple[int, ...]
    proof: bytes

    @property
    def disclosed_messages(self) -> list[bytes]:
        return [self.messages[i] for i in self.disclosed]


@dataclass(frozen=True)
class Blind:
    committed: tuple[bytes, ...]
    commitment: bytes
    blind: int
    signature: bytes
    proof: bytes


@dataclass(frozen=True)
class Nym:
    messages: tuple[bytes, ...]
    committed: tuple[bytes, ...]
    prover_nyms: tuple[int, ...]
    entropy: int
    commitment: bytes
    blind: int
    signature: bytes
    nym_secrets: tuple[int, ...]
    context: bytes
    proof: bytes
    pseudonym: bytes


@cache
def core(backend: str) -> Core:
    sk = bbs.keygen(b"zkaid bad-input key material, 32+ bytes")
    pk = bbs.sk_to_pk(sk, backend=backend)
    msgs = (b"given name", b"family name", b"1990-01-01", b"")
    sig = bbs.sign(sk, pk, b"header", msgs, backend=backend)
    disclosed = (0, 2)
    proof = bbs.proof_gen(pk, sig, b"header", b"ph", msgs, disclosed, backend=backend, rng=_rng(b"p"))
    c = Core(sk, pk, b"header", b"ph", msgs, sig, disclosed, proof)
    assert bbs.proof_verify(pk, proof, c.header, c.ph, c.disclosed_messages, disclosed, backend=backend)
    return c


@cache
def blind(backend: str) -> Blind:
    c = core(backend)
    committed = (b"holder secret",)
    cwp, spb = bbs.commit(committed, backend=backend, rng=_rng(b"c"))
    sig = bbs.blind_sign(c.sk, c.pk, cwp, c.header, c.messages, backend=backend)
    proof = bbs.blind_proof_gen(
        c.pk, sig, c.header, c.ph, c.messages, committed, [1], [0], spb, backend=backend,
        rng=_rng(b"bp"),
    )
    return Blind(committed, cwp, spb, sig, proof)


@cache
def nym(backend: str) -> Nym:
    c = core(backend)
    msgs = c.messages[:2]
    committed = (b"wallet seed tag",)
    prover_nyms = (0x1234, 0x5678)
    entropy = 0x9ABC
    cwp, spb = bbs.commit_with_nym(committed, prover_nyms, backend=backend, rng=_rng(b"n"))
    sig = bbs.blind_sign_with_nym(
        c.sk, c.pk, cwp, len(prover_nyms), entropy, c.header, msgs, backend=backend
    )
    secrets = bbs.verify_finalize_with_nym(
        c.pk, sig, c.header, msgs, committed, prover_nyms, entropy, spb, backend=backend
    )
    ctx = b"cva/2026-12/round-1"
    proof, pseudonym = bbs.proof_gen_with_nym(
        c.pk, sig, c.header, c.ph, secrets, ctx, msgs, committed, [0], [], spb,
        backend=backend, rng=_rng(b"np"),
    )
    n = Nym(msgs, committed, prover_nyms, entropy, cwp, spb, sig, tuple(secrets), ctx, proof, pseudonym)
    assert nym_verify(backend, n)
    return n


def nym_verify(backend: str, n: Nym, **overrides: Any) -> bool:
    """proof_verify_with_nym on the stored presentation, with some arguments replaced."""
    c = core(backend)
    args: dict[str, Any] = {
        "pk": c.pk, "proof": n.proof, "header": c.header, "ph": c.ph,
        "pseudonym": n.pseudonym, "context_id": n.context, "N": len(n.nym_secrets),
        "L": len(n.messages), "disclosed_messages": [n.messages[0]],
        "disclosed_committed_messages": [], "disclosed_indexes": [0],
        "disclosed_commitment_indexes": [],
    }
    args.update(overrides)
    return bbs.proof_verify_with_nym(**args, backend=backend)


def core_proof_verify(backend: str, **overrides: Any) -> bool:
    c = core(backend)
    args: dict[str, Any] = {
        "pk": c.pk, "proof": c.proof, "header": c.header, "ph": c.ph,
        "disclosed_messages": c.disclosed_messages, "disclosed_indexes": list(c.disclosed),
    }
    args.update(overrides)
    return bbs.proof_verify(**args, backend=backend)


def blind_proof_verify(backend: str, **overrides: Any) -> bool:
    c, b = core(backend), blind(backend)
    args: dict[str, Any] = {
        "pk": c.pk, "proof": b.proof, "header": c.header, "ph": c.ph, "L": len(c.messages),
        "disclosed_messages": [c.messages[1]], "disclosed_committed_messages": list(b.committed),
        "disclosed_indexes": [1], "disclosed_commitment_indexes": [0],
    }
    args.update(overrides)
    return bbs.blind_proof_verify(**args, backend=backend)


def _put(data: bytes, offset: int, chunk: bytes) -> bytes:
    return data[:offset] + chunk + data[offset + len(chunk) :]


def _scalar_at(data: bytes, offset: int) -> int:
    return int.from_bytes(data[offset : offset + SCALAR], "big")


# Scalars the decoders must refuse; "value-plus-r" is the valid value + r, which a decoder
# that reduces mod r would silently accept.
SCALAR_CASES = ("zero", "r", "r-plus-1", "value-plus-r", "all-ones")


def bad_scalar(case: str, valid: int) -> bytes:
    value = {"zero": 0, "r": R, "r-plus-1": R + 1, "value-plus-r": valid + R, "all-ones": 2**256 - 1}[case]
    return value.to_bytes(SCALAR, "big")


# ======================================================================== signatures


SIG_RESIZE: dict[str, Callable[[bytes], bytes]] = {
    "empty": lambda d: b"",
    "one-byte": lambda d: d[:1],
    "point-only": lambda d: d[:POINT],
    "truncated": lambda d: d[:-1],
    "extended": lambda d: d + b"\x00",
    "extended-scalar": lambda d: d + d[-SCALAR:],
    "doubled": lambda d: d + d,
}


@pytest.mark.parametrize("case", sorted(SIG_RESIZE))
def test_signature_wrong_length(case: str, backend: str) -> None:
    c = core(backend)
    sig = SIG_RESIZE[case](c.signature)
    assert bbs.verify(c.pk, sig, c.header, c.messages, backend=backend) is False
    with pytest.raises(EncodingError):
        bbs.proof_gen(c.pk, sig, c.header, c.ph, c.messages, c.disclosed, backend=backend)


@pytest.mark.parametrize("case", sorted(G1_BAD_48))
def test_signature_bad_point_A(case: str, backend: str) -> None:
    c = core(backend)
    sig = _put(c.signature, 0, G1_BAD_48[case]())
    assert bbs.verify(c.pk, sig, c.header, c.messages, backend=backend) is False
    with pytest.raises(InvalidPointError):
        bbs.proof_gen(c.pk, sig, c.header, c.ph, c.messages, c.disclosed, backend=backend)


@pytest.mark.parametrize("case", SCALAR_CASES)
def test_signature_bad_scalar_e(case: str, backend: str) -> None:
    c = core(backend)
    sig = _put(c.signature, POINT, bad_scalar(case, _scalar_at(c.signature, POINT)))
    assert bbs.verify(c.pk, sig, c.header, c.messages, backend=backend) is False
    with pytest.raises(InvalidScalarError):
        bbs.proof_gen(c.pk, sig, c.header, c.ph, c.messages, c.disclosed, backend=backend)


def test_signature_not_bytes(backend: str) -> None:
    c = core(backend)
    for sig in (None, c.signature.hex(), list(c.signature)):
        assert bbs.verify(c.pk, sig, c.header, c.messages, backend=backend) is False  # type: ignore[arg-type]
        with pytest.raises(EncodingError):
            bbs.proof_gen(c.pk, sig, c.header, c.ph, c.messages, c.disclosed, backend=backend)  # type: ignore[arg-type]


# ======================================================================== proofs

PROOF_RESIZE: dict[str, Callable[[bytes], bytes]] = {
    "empty": lambda d: b"",
    "one-byte": lambda d: d[:1],
    "below-floor": lambda d: d[:271],
    "truncated": lambda d: d[:-1],
    "extended": lambda d: d + b"\x00",
    "extended-zero-scalar": lambda d: d + bytes(SCALAR),
    "doubled": lambda d: d + d,
    # well-formed lengths, every scalar in range, but U contradicts the disclosed set
    "floor": lambda d: d[: 3 * POINT + 3 * SCALAR] + d[-SCALAR:],
    "dropped-m_hat": lambda d: d[: -2 * SCALAR] + d[-SCALAR:],
    "duplicated-m_hat": lambda d: d[:-SCALAR] + d[-2 * SCALAR : -SCALAR] + d[-SCALAR:],
}


@pytest.mark.parametrize("case", sorted(PROOF_RESIZE))
def test_proof_wrong_length(case: str, backend: str) -> None:
    resize = PROOF_RESIZE[case]
    assert core_proof_verify(backend, proof=resize(core(backend).proof)) is False
    assert blind_proof_verify(backend, proof=resize(blind(backend).proof)) is False
    n = nym(backend)
    assert nym_verify(backend, n, proof=resize(n.proof)) is False


PROOF_POINTS = {"Abar": 0, "Bbar": POINT, "D": 2 * POINT}


@pytest.mark.parametrize("case", sorted(G1_BAD_48))
@pytest.mark.parametrize("slot", sorted(PROOF_POINTS))
def test_proof_bad_point(slot: str, case: str, backend: str) -> None:
    c = core(backend)
    proof = _put(c.proof, PROOF_POINTS[slot], G1_BAD_48[case]())
    assert core_proof_verify(backend, proof=proof) is False


def _proof_scalar_offsets(proof: bytes) -> dict[str, int]:
    base = 3 * POINT
    last = len(proof) - SCALAR
    return {
        "e_hat": base, "r1_hat": base + SCALAR, "r3_hat": base + 2 * SCALAR,
        "m_hat_first": base + 3 * SCALAR, "m_hat_last": last - SCALAR, "challenge": last,
    }


@pytest.mark.parametrize("case", SCALAR_CASES)
@pytest.mark.parametrize("slot", ["e_hat", "r1_hat", "r3_hat", "m_hat_first", "m_hat_last", "challenge"])
def test_proof_bad_scalar(slot: str, case: str, backend: str) -> None:
    c = core(backend)
    off = _proof_scalar_offsets(c.proof)[slot]
    proof = _put(c.proof, off, bad_scalar(case, _scalar_at(c.proof, off)))
    assert core_proof_verify(backend, proof=proof) is False


def test_proof_not_bytes(backend: str) -> None:
    c = core(backend)
    for proof in (None, c.proof.hex(), list(c.proof)):
        assert core_proof_verify(backend, proof=proof) is False
        assert blind_proof_verify(backend, proof=proof) is False
        assert nym_verify(backend, nym(backend), proof=proof) is False


@pytest.mark.parametrize("case", ["identity", "off-subgroup", "infinity-stray-last-bit", "x-plus-p"])
@pytest.mark.parametrize("slot", sorted(PROOF_POINTS))
def test_blind_and_nym_proofs_bad_point(slot: str, case: str, backend: str) -> None:
    bad = G1_BAD_48[case]()
    b, n = blind(backend), nym(backend)
    assert blind_proof_verify(backend, proof=_put(b.proof, PROOF_POINTS[slot], bad)) is False
    assert nym_verify(backend, n, proof=_put(n.proof, PROOF_POINTS[slot], bad)) is False


@pytest.mark.parametrize("case", ["zero", "value-plus-r"])
@pytest.mark.parametrize("slot", ["e_hat", "m_hat_last", "challenge"])
def test_blind_and_nym_proofs_bad_scalar(slot: str, case: str, backend: str) -> None:
    b, n = blind(backend), nym(backend)
    off = _proof_scalar_offsets(b.proof)[slot]
    bp = _put(b.proof, off, bad_scalar(case, _scalar_at(b.proof, off)))
    assert blind_proof_verify(backend, proof=bp) is False
    off = _proof_scalar_offsets(n.proof)[slot]
    np_ = _put(n.proof, off, bad_scalar(case, _scalar_at(n.proof, off)))
    assert nym_verify(backend, n, proof=np_) is False


# ======================================================================== public keys


def _pk_rejected_everywhere(
    backend: str, pk: Any, error: type[EncodingError] = InvalidPointError
) -> None:
    c, b, n = core(backend), blind(backend), nym(backend)
    assert bbs.verify(pk, c.signature, c.header, c.messages, backend=backend) is False
    assert core_proof_verify(backend, pk=pk) is False
    assert blind_proof_verify(backend, pk=pk) is False
    assert nym_verify(backend, n, pk=pk) is False
    assert bbs.verify_blind_sign(
        pk, b.signature, c.header, c.messages, b.committed, b.blind, backend=backend
    ) is False
    with pytest.raises(error):
        bbs.sign(c.sk, pk, c.header, c.messages, backend=backend)
    with pytest.raises(error):
        bbs.proof_gen(pk, c.signature, c.header, c.ph, c.messages, c.disclosed, backend=backend)
    with pytest.raises(error):
        bbs.blind_sign(c.sk, pk, b.commitment, c.header, c.messages, backend=backend)
    with pytest.raises(error):
        bbs.blind_sign_with_nym(c.sk, pk, n.commitment, 2, n.entropy, c.header, n.messages, backend=backend)
    with pytest.raises(error):
        bbs.proof_gen_with_nym(
            pk, n.signature, c.header, c.ph, n.nym_secrets, n.context, n.messages, n.committed,
            [], [], n.blind, backend=backend,
        )
    with pytest.raises(InvalidSignatureError):
        bbs.verify_finalize_with_nym(
            pk, n.signature, c.header, n.messages, n.committed, n.prover_nyms, n.entropy,
            n.blind, backend=backend,
        )


@pytest.mark.parametrize("case", sorted(G2_BAD_96 | G2_BAD_LENGTH))
def test_public_key_bad(case: str, backend: str) -> None:
    _pk_rejected_everywhere(backend, (G2_BAD_96 | G2_BAD_LENGTH)[case]())


def test_public_key_not_bytes(backend: str) -> None:
    c = core(backend)
    for pk in (None, c.pk.hex()):
        _pk_rejected_everywhere(backend, pk, EncodingError)


def test_public_key_of_another_signer(backend: str) -> None:
    c = core(backend)
    other = bbs.sk_to_pk(bbs.keygen(b"another signer's key material, 32+ bytes"), backend=backend)
    assert bbs.verify(other, c.signature, c.header, c.messages, backend=backend) is False
    assert core_proof_verify(backend, pk=other) is False


@pytest.mark.parametrize("kind", [bytearray, memoryview])
def test_public_key_bytes_like(kind: type, backend: str) -> None:
    """Signatures, proofs and secret keys may be bytearrays, and octets_to_pubkey accepts
    bytearray and memoryview keys; such a key must work like the same bytes.

    Regression: octets_to_pubkey (sdk/bbs/encoding.py) was an lru_cache that hashed its
    argument before the type check, so a bytearray key raised TypeError ("unhashable
    type"). SDK BUG (open): a memoryview key passes octets_to_pubkey but then raises
    TypeError in calculate_domain (sdk/bbs/utils.py, ``dom_input = pk + dom_octs``).
    """
    c = core(backend)
    pk = kind(c.pk)
    assert bbs.verify(pk, c.signature, c.header, c.messages, backend=backend) is True
    assert core_proof_verify(backend, pk=pk) is True
    assert bbs.sign(c.sk, pk, c.header, c.messages, backend=backend) == c.signature


# ======================================================================== commitments


COMMITMENT_LENGTH: dict[str, Callable[[bytes], bytes]] = {
    "empty": lambda d: b"",
    "point-only": lambda d: d[:POINT],
    "below-floor": lambda d: d[: POINT + 2 * SCALAR - 1],
    "truncated": lambda d: d[:-1],
    "extended": lambda d: d + b"\x00",
}


@pytest.mark.parametrize("case", sorted(COMMITMENT_LENGTH))
def test_commitment_wrong_length(case: str, backend: str) -> None:
    c, b, n = core(backend), blind(backend), nym(backend)
    resize = COMMITMENT_LENGTH[case]
    with pytest.raises(EncodingError):
        bbs.blind_sign(c.sk, c.pk, resize(b.commitment), c.header, c.messages, backend=backend)
    # ParameterError where the length leaves room for fewer than N committed values
    with pytest.raises((EncodingError, ParameterError)):
        bbs.blind_sign_with_nym(
            c.sk, c.pk, resize(n.commitment), 2, n.entropy, c.header, n.messages, backend=backend
        )


COMMITMENT_RESIZE: dict[str, Callable[[bytes], bytes]] = {
    "dropped-m_hat": lambda d: d[: POINT + SCALAR] + d[POINT + 2 * SCALAR :],
    "duplicated-m_hat": lambda d: d[: POINT + 2 * SCALAR] + d[POINT + SCALAR :],
}


@pytest.mark.parametrize("case", sorted(COMMITMENT_RESIZE))
def test_commitment_well_formed_but_wrong_size(case: str, backend: str) -> None:
    """A commitment that parses but claims another M: its proof of knowledge fails."""
    c, b, n = core(backend), blind(backend), nym(backend)
    resize = COMMITMENT_RESIZE[case]
    with pytest.raises(InvalidProofError):
        bbs.blind_sign(c.sk, c.pk, resize(b.commitment), c.header, c.messages, backend=backend)
    with pytest.raises(InvalidProofError):
        bbs.blind_sign_with_nym(
            c.sk, c.pk, resize(n.commitment), 2, n.entropy, c.header, n.messages, backend=backend
        )


@pytest.mark.parametrize("case", sorted(G1_BAD_48))
def test_commitment_bad_point_C(case: str, backend: str) -> None:
    c, n = core(backend), nym(backend)
    bad = G1_BAD_48[case]()
    with pytest.raises(InvalidPointError):
        bbs.blind_sign(c.sk, c.pk, _put(blind(backend).commitment, 0, bad), c.header, c.messages, backend=backend)
    with pytest.raises(InvalidPointError):
        bbs.blind_sign_with_nym(
            c.sk, c.pk, _put(n.commitment, 0, bad), 2, n.entropy, c.header, n.messages,
            backend=backend,
        )


@pytest.mark.parametrize("case", SCALAR_CASES)
@pytest.mark.parametrize("slot", ["s_hat", "m_hat", "challenge"])
def test_commitment_bad_scalar(slot: str, case: str, backend: str) -> None:
    c, b, n = core(backend), blind(backend), nym(backend)
    for cwp, sign in (
        (b.commitment, lambda x: bbs.blind_sign(c.sk, c.pk, x, c.header, c.messages, backend=backend)),
        (n.commitment, lambda x: bbs.blind_sign_with_nym(
            c.sk, c.pk, x, 2, n.entropy, c.header, n.messages, backend=backend)),
    ):
        off = {"s_hat": POINT, "m_hat": POINT + SCALAR, "challenge": len(cwp) - SCALAR}[slot]
        with pytest.raises(InvalidScalarError):
            sign(_put(cwp, off, bad_scalar(case, _scalar_at(cwp, off))))


def test_commitment_with_another_point(backend: str) -> None:
    c, b = core(backend), blind(backend)
    other = bbs.commit([b"someone else"], backend=backend, rng=_rng(b"other"))[0]
    with pytest.raises(InvalidProofError):
        bbs.blind_sign(c.sk, c.pk, _put(b.commitment, 0, other[:POINT]), c.header, c.messages, backend=backend)


def test_commitment_not_bytes(backend: str) -> None:
    c = core(backend)
    with pytest.raises(EncodingError):
        bbs.blind_sign(c.sk, c.pk, "00" * 144, c.header, c.messages, backend=backend)  # type: ignore[arg-type]


# ======================================================================== pseudonyms


@pytest.mark.parametrize("case", sorted(G1_BAD_48 | G1_BAD_LENGTH))
def test_pseudonym_bad(case: str, backend: str) -> None:
    n = nym(backend)
    assert nym_verify(backend, n, pseudonym=(G1_BAD_48 | G1_BAD_LENGTH)[case]()) is False


def test_pseudonym_of_another_context(backend: str) -> None:
    n = nym(backend)
    other = bbs.calculate_pseudonym(b"another scope", n.nym_secrets, backend=backend)
    assert other != n.pseudonym
    assert nym_verify(backend, n, pseudonym=other) is False
    assert nym_verify(backend, n, context_id=b"another scope") is False


def test_pseudonym_not_bytes(backend: str) -> None:
    n = nym(backend)
    for value in (None, n.pseudonym.hex(), list(n.pseudonym)):
        assert nym_verify(backend, n, pseudonym=value) is False


def test_calculate_pseudonym_refuses_identity(backend: str) -> None:
    with pytest.raises(ParameterError):
        bbs.calculate_pseudonym(b"scope", [0], backend=backend)
    with pytest.raises(ParameterError):
        bbs.calculate_pseudonym(b"scope", [0, 0, 0], backend=backend)


def test_proof_gen_with_nym_refuses_identity_pseudonym(backend: str) -> None:
    """All-zero nym secrets give the identity pseudonym, which calculate_pseudonym refuses
    and every verifier rejects; the presentation must refuse it as well.

    Regression: proof_gen_with_nym_scalars (sdk/bbs/pseudonym.py) returned the identity
    encoding (c0 00..) as the pseudonym instead of raising ParameterError.
    """
    c, n = core(backend), nym(backend)
    with pytest.raises(ParameterError):
        bbs.proof_gen_with_nym(
            c.pk, n.signature, c.header, c.ph, [0, 0], n.context, n.messages, n.committed,
            [], [], n.blind, backend=backend, rng=_rng(b"zero"),
        )


# ======================================================================== secret keys and keygen

SK_CASES = {
    "zero": bytes(32),
    "r": R.to_bytes(32, "big"),
    "r-plus-1": (R + 1).to_bytes(32, "big"),
    "all-ones": b"\xff" * 32,
    "short": b"\x01" * 31,
    "long": b"\x01" * 33,
    "empty": b"",
}


@pytest.mark.parametrize("case", sorted(SK_CASES))
def test_secret_key_out_of_range(case: str, backend: str) -> None:
    c, b, n = core(backend), blind(backend), nym(backend)
    sk = SK_CASES[case]
    with pytest.raises(InvalidScalarError):
        bbs.sk_to_pk(sk, backend=backend)
    with pytest.raises(InvalidScalarError):
        bbs.sign(sk, c.pk, c.header, c.messages, backend=backend)
    with pytest.raises(InvalidScalarError):
        bbs.blind_sign(sk, c.pk, b.commitment, c.header, c.messages, backend=backend)
    with pytest.raises(InvalidScalarError):
        bbs.blind_sign_with_nym(sk, c.pk, n.commitment, 2, n.entropy, c.header, n.messages, backend=backend)


def test_secret_key_plus_r_is_refused(backend: str) -> None:
    c = core(backend)
    sk = (int.from_bytes(c.sk, "big") + R).to_bytes(32, "big")
    with pytest.raises(InvalidScalarError):
        bbs.sign(sk, c.pk, c.header, c.messages, backend=backend)


@pytest.mark.parametrize("length", [0, 1, 16, 31])
def test_keygen_short_key_material(length: int) -> None:
    with pytest.raises(ParameterError):
        bbs.keygen(b"\x07" * length)
    assert len(bbs.keygen(b"\x07" * 32)) == 32


def test_keygen_key_info_too_long() -> None:
    with pytest.raises(ParameterError):
        bbs.keygen(b"\x07" * 32, b"i" * 65536)
    assert len(bbs.keygen(b"\x07" * 32, b"i" * 65535)) == 32


# ======================================================================== disclosed indexes

BAD_INDEXES: dict[str, list[Any]] = {
    "equal-to-L": [4],
    "far-out": [2**64],
    "negative": [-1],
    "unsorted": [2, 0],
    "repeated": [1, 1],
    "bool": [True],
    "float": [1.0],
    "string": ["1"],
}


@pytest.mark.parametrize("case", sorted(BAD_INDEXES))
def test_disclosed_indexes_core(case: str, backend: str) -> None:
    c = core(backend)
    idx = BAD_INDEXES[case]
    with pytest.raises(ParameterError):
        bbs.proof_gen(c.pk, c.signature, c.header, c.ph, c.messages, idx, backend=backend)
    assert core_proof_verify(
        backend, disclosed_indexes=idx, disclosed_messages=[c.messages[0]] * len(idx)
    ) is False


@pytest.mark.parametrize("case", sorted(BAD_INDEXES))
def test_disclosed_indexes_blind(case: str, backend: str) -> None:
    c, b = core(backend), blind(backend)
    idx = BAD_INDEXES[case]
    with pytest.raises(ParameterError):
        bbs.blind_proof_gen(
            c.pk, b.signature, c.header, c.ph, c.messages, b.committed, idx, [], b.blind,
            backend=backend,
        )
    # committed indexes range over M = 1: shift the "equal-to-L" case onto M
    cidx = [1] if case == "equal-to-L" else idx
    with pytest.raises(ParameterError):
        bbs.blind_proof_gen(
            c.pk, b.signature, c.header, c.ph, c.messages, b.committed, [], cidx, b.blind,
            backend=backend,
        )
    assert blind_proof_verify(
        backend, disclosed_indexes=idx, disclosed_messages=[c.messages[1]] * len(idx)
    ) is False
    assert blind_proof_verify(
        backend, disclosed_commitment_indexes=cidx,
        disclosed_committed_messages=[b.committed[0]] * len(cidx),
    ) is False


@pytest.mark.parametrize("case", sorted(BAD_INDEXES))
def test_disclosed_indexes_nym(case: str, backend: str) -> None:
    c, n = core(backend), nym(backend)
    idx = [2] if case == "equal-to-L" else BAD_INDEXES[case]  # L = 2 here
    cidx = [1] if case == "equal-to-L" else BAD_INDEXES[case]  # M' = 1 here
    for d, dc in ((idx, []), ([], cidx)):
        with pytest.raises(ParameterError):
            bbs.proof_gen_with_nym(
                c.pk, n.signature, c.header, c.ph, n.nym_secrets, n.context, n.messages,
                n.committed, d, dc, n.blind, backend=backend,
            )
    assert nym_verify(
        backend, n, disclosed_indexes=idx, disclosed_messages=[n.messages[0]] * len(idx)
    ) is False
    assert nym_verify(
        backend, n, disclosed_commitment_indexes=cidx,
        disclosed_committed_messages=[n.committed[0]] * len(cidx),
    ) is False


def test_disclosed_indexes_other_valid_set(backend: str) -> None:
    """Same count, other positions: well-formed, so it is INVALID rather than an error."""
    c = core(backend)
    assert core_proof_verify(backend, disclosed_indexes=[1, 2]) is False
    assert core_proof_verify(
        backend, disclosed_indexes=[0, 3], disclosed_messages=[c.messages[0], c.messages[3]]
    ) is False


# ======================================================================== message counts


def test_message_count_mismatch_core(backend: str) -> None:
    c = core(backend)
    for msgs in (c.messages[:-1], (*c.messages, b"extra"), ()):
        assert bbs.verify(c.pk, c.signature, c.header, msgs, backend=backend) is False
    dm = c.disclosed_messages
    assert core_proof_verify(backend, disclosed_messages=dm[:-1]) is False
    assert core_proof_verify(backend, disclosed_messages=[*dm, b"extra"]) is False
    assert core_proof_verify(backend, disclosed_messages=[]) is False
    # a proof over more messages than were signed is produced but never verifies
    longer = (*c.messages, b"extra")
    proof = bbs.proof_gen(c.pk, c.signature, c.header, c.ph, longer, c.disclosed, backend=backend)
    assert core_proof_verify(backend, proof=proof) is False


def test_messages_must_be_bytes(backend: str) -> None:
    c = core(backend)
    for msgs in (["text"], [1], [None], c.messages[0]):
        with pytest.raises(ParameterError):
            bbs.sign(c.sk, c.pk, c.header, msgs, backend=backend)  # type: ignore[arg-type]
        with pytest.raises(ParameterError):
            bbs.verify(c.pk, c.signature, c.header, msgs, backend=backend)  # type: ignore[arg-type]


def test_message_count_mismatch_blind(backend: str) -> None:
    c, b = core(backend), blind(backend)
    for committed in ((), (*b.committed, b"extra")):
        assert bbs.verify_blind_sign(
            c.pk, b.signature, c.header, c.messages, committed, b.blind, backend=backend
        ) is False
    assert bbs.verify_blind_sign(
        c.pk, b.signature, c.header, c.messages[:-1], b.committed, b.blind, backend=backend
    ) is False
    for L in (len(c.messages) - 1, len(c.messages) + 1, -1, 10**6):
        assert blind_proof_verify(backend, L=L) is False
    assert blind_proof_verify(backend, disclosed_committed_messages=[]) is False


def test_message_count_mismatch_nym(backend: str) -> None:
    c, n = core(backend), nym(backend)

    def finalize(**kw: Any) -> list[int]:
        args: dict[str, Any] = {
            "messages": n.messages, "committed_messages": n.committed,
            "prover_nyms": n.prover_nyms, "signer_nym_entropy": n.entropy,
            "secret_prover_blind": n.blind,
        }
        args.update(kw)
        return bbs.verify_finalize_with_nym(c.pk, n.signature, c.header, **args, backend=backend)

    for kw in (
        {"messages": n.messages[:-1]},
        {"messages": (*n.messages, b"extra")},
        {"committed_messages": ()},
        {"committed_messages": (*n.committed, b"extra")},
        {"prover_nyms": n.prover_nyms[:-1]},
        {"prover_nyms": (*n.prover_nyms, 1)},
        {"signer_nym_entropy": n.entropy + 1},
        {"secret_prover_blind": n.blind + 1},
    ):
        with pytest.raises(InvalidSignatureError):
            finalize(**kw)
    for L in (len(n.messages) - 1, len(n.messages) + 1, -1, 10**6):
        assert nym_verify(backend, n, L=L) is False
    assert nym_verify(backend, n, disclosed_messages=[]) is False


# ======================================================================== N


def test_nym_count_rules(backend: str) -> None:
    c, n = core(backend), nym(backend)
    M = len(n.committed) + len(n.prover_nyms)
    for N in (0, -1, M + 1, MAX_NYMS + 1, True):
        with pytest.raises(ParameterError):
            bbs.blind_sign_with_nym(c.sk, c.pk, n.commitment, N, n.entropy, c.header, n.messages, backend=backend)
    for entropy in (0, R, R + 1, -1):
        with pytest.raises(ParameterError):
            bbs.blind_sign_with_nym(c.sk, c.pk, n.commitment, 2, entropy, c.header, n.messages, backend=backend)
    for nyms in ((), tuple(range(1, MAX_NYMS + 2))):
        with pytest.raises(ParameterError):
            bbs.commit_with_nym(n.committed, nyms, backend=backend)
        with pytest.raises(ParameterError):
            bbs.calculate_pseudonym(n.context, nyms, backend=backend)
        with pytest.raises(ParameterError):
            bbs.proof_gen_with_nym(
                c.pk, n.signature, c.header, c.ph, nyms, n.context, n.messages, n.committed,
                [], [], n.blind, backend=backend,
            )
    with pytest.raises(ParameterError):
        bbs.verify_finalize_with_nym(
            c.pk, n.signature, c.header, n.messages, n.committed, (), n.entropy, n.blind,
            backend=backend,
        )
    for N in (0, -1, 1, 3, MAX_NYMS + 1, 2**64):
        assert nym_verify(backend, n, N=N) is False


def test_signing_with_a_smaller_n_does_not_verify(backend: str) -> None:
    """N is bound into the signature: sign with N = 1 over a 2-nym commitment and the
    holder's finalisation (N = 2) fails."""
    c, n = core(backend), nym(backend)
    sig = bbs.blind_sign_with_nym(c.sk, c.pk, n.commitment, 1, n.entropy, c.header, n.messages, backend=backend)
    with pytest.raises(InvalidSignatureError):
        bbs.verify_finalize_with_nym(
            c.pk, sig, c.header, n.messages, n.committed, n.prover_nyms, n.entropy, n.blind,
            backend=backend,
        )


# ======================================================================== suites and backends

BAD_SUITES: list[Any] = [
    "BLS12-381-SHA-512", "bls12-381-sha-256", "BLS12-381-SHA-256 ", "", None, 256,
    "BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_", ["BLS12-381-SHA-256"],
]


def _every_call(backend: str) -> dict[str, Callable[[Any], object]]:
    c, b, n = core(backend), blind(backend), nym(backend)
    be = {"backend": backend}
    return {
        "keygen": lambda s: bbs.keygen(b"\x07" * 32, suite=s),
        "sk_to_pk": lambda s: bbs.sk_to_pk(c.sk, suite=s, **be),
        "sign": lambda s: bbs.sign(c.sk, c.pk, c.header, c.messages, suite=s, **be),
        "verify": lambda s: bbs.verify(c.pk, c.signature, c.header, c.messages, suite=s, **be),
        "proof_gen": lambda s: bbs.proof_gen(c.pk, c.signature, c.header, c.ph, c.messages, c.disclosed, suite=s, **be),
        "proof_verify": lambda s: bbs.proof_verify(c.pk, c.proof, c.header, c.ph, c.disclosed_messages, c.disclosed, suite=s, **be),
        "commit": lambda s: bbs.commit(b.committed, suite=s, **be),
        "blind_sign": lambda s: bbs.blind_sign(c.sk, c.pk, b.commitment, c.header, c.messages, suite=s, **be),
        "verify_blind_sign": lambda s: bbs.verify_blind_sign(c.pk, b.signature, c.header, c.messages, b.committed, b.blind, suite=s, **be),
        "blind_proof_gen": lambda s: bbs.blind_proof_gen(c.pk, b.signature, c.header, c.ph, c.messages, b.committed, [], [], b.blind, suite=s, **be),
        "blind_proof_verify": lambda s: bbs.blind_proof_verify(c.pk, b.proof, c.header, c.ph, len(c.messages), [c.messages[1]], list(b.committed), [1], [0], suite=s, **be),
        "commit_with_nym": lambda s: bbs.commit_with_nym(n.committed, n.prover_nyms, suite=s, **be),
        "blind_sign_with_nym": lambda s: bbs.blind_sign_with_nym(c.sk, c.pk, n.commitment, 2, n.entropy, c.header, n.messages, suite=s, **be),
        "verify_finalize_with_nym": lambda s: bbs.verify_finalize_with_nym(c.pk, n.signature, c.header, n.messages, n.committed, n.prover_nyms, n.entropy, n.blind, suite=s, **be),
        "proof_gen_with_nym": lambda s: bbs.proof_gen_with_nym(c.pk, n.signature, c.header, c.ph, n.nym_secrets, n.context, n.messages, n.committed, [], [], n.blind, suite=s, **be),
        "proof_verify_with_nym": lambda s: bbs.proof_verify_with_nym(c.pk, n.proof, c.header, c.ph, n.pseudonym, n.context, 2, 2, [n.messages[0]], [], [0], [], suite=s, **be),
        "calculate_pseudonym": lambda s: bbs.calculate_pseudonym(n.context, n.nym_secrets, suite=s, **be),
    }


CALLS = [
    "keygen", "sk_to_pk", "sign", "verify", "proof_gen", "proof_verify", "commit", "blind_sign",
    "verify_blind_sign", "blind_proof_gen", "blind_proof_verify", "commit_with_nym",
    "blind_sign_with_nym", "verify_finalize_with_nym", "proof_gen_with_nym",
    "proof_verify_with_nym", "calculate_pseudonym",
]


def test_call_table_is_complete(backend: str) -> None:
    assert sorted(_every_call(backend)) == sorted(CALLS)


@pytest.mark.parametrize("name", CALLS)
def test_unknown_suite(name: str, backend: str) -> None:
    call = _every_call(backend)[name]
    call(SUITE)  # the same call with the right suite goes through
    for suite in BAD_SUITES:
        with pytest.raises(ParameterError) as err:
            call(suite)
        assert err.value.reason == "unknown_suite"


def test_unknown_backend(backend: str) -> None:
    c = core(backend)
    for name in ("native", "PYECC ", "blst"):
        with pytest.raises(BackendError):
            bbs.verify(c.pk, c.signature, c.header, c.messages, backend=name)
        with pytest.raises(BackendError):
            bbs.sk_to_pk(c.sk, backend=name)


# ======================================================================== random bytes

_FIELDS = ("pk", "signature", "proof", "pseudonym", "commitment")


@settings(max_examples=40)
@given(field=st.sampled_from(_FIELDS), data=st.binary(max_size=400), exact=st.booleans())
def test_random_bytes_never_escape_the_error_tree(field: str, data: bytes, exact: bool) -> None:
    """Arbitrary bytes (often of a valid length, with a valid first byte) in any slot give
    INVALID or a ZkaidError, never another exception (arkworks; pyecc decodes the same
    way and is covered by the tables above)."""
    backend = "arkworks"
    c, b, n = core(backend), blind(backend), nym(backend)
    if exact:  # the slot's own length and a compressed-point first byte: decoding goes furthest
        size = {"pk": 96, "signature": 80, "proof": len(c.proof), "pseudonym": 48,
                "commitment": len(b.commitment)}[field]
        data = bytes([0x80 | (data[0] & 0x3F)]) + data[1:] if data else b"\x80"
        data = (data * (size // len(data) + 1))[:size]
    try:
        if field == "pk":
            result: object = bbs.verify(data, c.signature, c.header, c.messages, backend=backend)
        elif field == "signature":
            result = bbs.verify(c.pk, data, c.header, c.messages, backend=backend)
        elif field == "proof":
            result = core_proof_verify(backend, proof=data)
        elif field == "pseudonym":
            result = nym_verify(backend, n, pseudonym=data)
        else:
            result = bbs.blind_sign(c.sk, c.pk, data, c.header, c.messages, backend=backend)
    except ZkaidError:
        return
    assert result is False
