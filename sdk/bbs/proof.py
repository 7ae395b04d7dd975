"""Proof generation and verification (draft-irtf-cfrg-bbs-signatures §3.5.3-§3.5.4 interface,
§3.6.3-§3.6.4 core, §3.7 "Proof Protocol Subroutines").

The subroutines ProofInit, ProofFinalize, ProofVerifyInit and ProofChallengeCalculate are
separate functions, because the pseudonym draft reuses them with its own challenge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sdk.bbs.ciphersuite import Ciphersuite, resolve_suite
from sdk.bbs.encoding import (
    PROOF_FLOOR,
    SCALAR_LEN,
    Proof,
    Signature,
    octets_to_proof,
    octets_to_pubkey,
    octets_to_signature,
    proof_to_octets,
)
from sdk.bbs.generators import MAX_GENERATORS, Generators, create_generators, p1_point
from sdk.bbs.signature import compute_B
from sdk.bbs.utils import (
    RNG,
    R,
    calculate_domain,
    hash_to_scalar,
    messages_to_scalars,
    random_scalars,
)
from sdk.bbs.utils import BackendArg as Backend
from sdk.bbs.utils import SuiteArg as Suite
from sdk.curves import CurveBackend, get_backend
from sdk.curves.base import G1
from sdk.curves.hashing import i2osp
from sdk.errors import EncodingError, ParameterError

__all__ = [
    "InitResult",
    "check_disclosed_indexes",
    "core_proof_gen",
    "core_proof_verify",
    "proof_challenge_calculate",
    "proof_finalize",
    "proof_gen",
    "proof_init",
    "proof_verify",
    "proof_verify_init",
]


@dataclass(frozen=True)
class InitResult:
    """(Abar, Bbar, D, T1, T2, domain) as returned by ProofInit / ProofVerifyInit."""

    Abar: G1
    Bbar: G1
    D: G1
    T1: G1
    T2: G1
    domain: int


def check_disclosed_indexes(indexes: Sequence[int], L: int) -> list[int]:
    """Indexes are 0-based, strictly ascending (so unique) and within [0, L-1]."""
    out = []
    prev = -1
    for i in indexes:
        if not isinstance(i, int) or isinstance(i, bool):
            raise ParameterError("disclosed indexes must be integers")
        if i < 0 or i >= L:
            raise ParameterError(f"disclosed index {i} is out of range for {L} messages")
        if i <= prev:
            raise ParameterError("disclosed indexes must be strictly ascending (sorted, unique)")
        prev = i
        out.append(i)
    return out


def proof_init(
    pk: bytes, sig: Signature, gens: Generators, rand: Sequence[int], header: bytes,
    msg_scalars: Sequence[int], undisclosed: Sequence[int], api_id: bytes,
    suite: Ciphersuite, backend: CurveBackend,
) -> InitResult:
    """§3.7.1 ProofInit."""
    # (r1, r2, e~, r1~, r3~, m~_j1, ..., m~_jU) = random_scalars
    r1, r2, e_t, r1_t, r3_t = rand[:5]
    m_t = rand[5:]
    domain = calculate_domain(pk, gens, header, api_id, suite)
    # B = P1 + Q_1 * domain + H_1 * msg_1 + ... + H_L * msg_L
    B = compute_B(gens, domain, msg_scalars, suite, backend)
    # D = B * r2
    D = backend.g1_mul(B, r2)
    # Abar = A * (r1 * r2)
    Abar = backend.g1_mul(sig.A, r1 * r2 % R)
    # Bbar = D * r1 - Abar * e
    Bbar = backend.g1_msm([D, Abar], [r1, (-sig.e) % R])
    # T1 = Abar * e~ + D * r1~
    T1 = backend.g1_msm([Abar, D], [e_t, r1_t])
    # T2 = D * r3~ + H_j1 * m~_j1 + ... + H_jU * m~_jU
    T2 = backend.g1_msm([D, *(gens.h[j] for j in undisclosed)], [r3_t, *m_t])
    return InitResult(Abar, Bbar, D, T1, T2, domain)


def challenge_prefix(
    disclosed_indexes: Sequence[int], disclosed_scalars: Sequence[int], init: InitResult,
    backend: CurveBackend,
) -> bytes:
    """serialize((R, i1, msg_i1, ..., iR, msg_iR, Abar, Bbar, D, T1, T2)), shared by §3.7.4
    and the pseudonym draft's challenge (which appends pseudonym and Ut before domain)."""
    parts = [i2osp(len(disclosed_indexes), 8)]
    for i, m in zip(disclosed_indexes, disclosed_scalars, strict=True):
        parts.append(i2osp(i, 8))
        parts.append(m.to_bytes(32, "big"))
    for P in (init.Abar, init.Bbar, init.D, init.T1, init.T2):
        parts.append(backend.g1_to_bytes(P))
    return b"".join(parts)


def proof_challenge_calculate(
    init: InitResult, disclosed_indexes: Sequence[int], disclosed_scalars: Sequence[int],
    ph: bytes, api_id: bytes, suite: Ciphersuite, backend: CurveBackend,
) -> int:
    """§3.7.4 ProofChallengeCalculate.

    c_arr = (R, i1, msg_i1, ..., iR, msg_iR, Abar, Bbar, D, T1, T2, domain)
    c_octs = serialize(c_arr) || I2OSP(length(ph), 8) || ph
    challenge = hash_to_scalar(c_octs, api_id || "H2S_")
    """
    c_octs = (
        challenge_prefix(disclosed_indexes, disclosed_scalars, init, backend)
        + init.domain.to_bytes(32, "big")
        + i2osp(len(ph), 8)
        + ph
    )
    return hash_to_scalar(c_octs, api_id + b"H2S_", suite)


def proof_finalize(
    init: InitResult, challenge: int, e: int, rand: Sequence[int],
    undisclosed_scalars: Sequence[int], backend: CurveBackend,
) -> bytes:
    """§3.7.2 ProofFinalize."""
    r1, r2, e_t, r1_t, r3_t = rand[:5]
    m_t = rand[5:]
    # r3 = r2^-1 (mod r)
    r3 = pow(r2, -1, R)
    # e^ = e~ + e_value * challenge;  r1^ = r1~ - r1 * challenge;  r3^ = r3~ - r3 * challenge
    e_h = (e_t + e * challenge) % R
    r1_h = (r1_t - r1 * challenge) % R
    r3_h = (r3_t - r3 * challenge) % R
    # m^_j = m~_j + undisclosed_j * challenge
    m_h = [(mt + m * challenge) % R for mt, m in zip(m_t, undisclosed_scalars, strict=True)]
    return proof_to_octets(
        init.Abar, init.Bbar, init.D, [e_h, r1_h, r3_h, *m_h, challenge], backend
    )


def proof_verify_init(
    pk: bytes, proof: Proof, gens: Generators, header: bytes,
    disclosed_scalars: Sequence[int], disclosed_indexes: Sequence[int], api_id: bytes,
    suite: Ciphersuite, backend: CurveBackend,
) -> InitResult:
    """§3.7.3 ProofVerifyInit.

    T1 = Bbar * c + Abar * e^ + D * r1^
    Bv = P1 + Q_1 * domain + H_i1 * msg_i1 + ... + H_iR * msg_iR
    T2 = Bv * c + D * r3^ + H_j1 * m^_j1 + ... + H_jU * m^_jU
    (T2 is evaluated as one multi-scalar multiplication over P1, Q_1, H_i, D, H_j with the
    scalars multiplied out; the value is identical.)
    """
    c = proof.challenge
    L = len(gens.h)
    disclosed = set(disclosed_indexes)
    undisclosed = [j for j in range(L) if j not in disclosed]
    domain = calculate_domain(pk, gens, header, api_id, suite)
    T1 = backend.g1_msm([proof.Bbar, proof.Abar, proof.D], [c, proof.e_hat, proof.r1_hat])
    pts = [p1_point(suite, backend), gens.q1]
    scs = [c, domain * c % R]
    for i, m in zip(disclosed_indexes, disclosed_scalars, strict=True):
        pts.append(gens.h[i])
        scs.append(m * c % R)
    pts.append(proof.D)
    scs.append(proof.r3_hat)
    for j, mh in zip(undisclosed, proof.m_hat, strict=True):
        pts.append(gens.h[j])
        scs.append(mh)
    T2 = backend.g1_msm(pts, scs)
    return InitResult(proof.Abar, proof.Bbar, proof.D, T1, T2, domain)


def core_proof_gen(
    pk: bytes, signature: bytes, gens: Generators, header: bytes, ph: bytes,
    msg_scalars: Sequence[int], disclosed_indexes: Sequence[int], api_id: bytes,
    suite: Ciphersuite, backend: CurveBackend, rng: RNG | None = None,
) -> bytes:
    """§3.6.3 CoreProofGen."""
    L = len(msg_scalars)
    if L != len(gens.h):
        raise ParameterError("CoreProofGen needs exactly one generator per message")
    disclosed = check_disclosed_indexes(disclosed_indexes, L)
    sig = octets_to_signature(signature, backend)
    octets_to_pubkey(pk, backend)  # §6.1: validate PK
    dset = set(disclosed)
    undisclosed = [j for j in range(L) if j not in dset]
    # random_scalars = calculate_random_scalars(5 + U)
    rand = random_scalars(5 + len(undisclosed), rng)
    init = proof_init(pk, sig, gens, rand, header, msg_scalars, undisclosed, api_id, suite, backend)
    c = proof_challenge_calculate(
        init, disclosed, [msg_scalars[i] for i in disclosed], ph, api_id, suite, backend
    )
    return proof_finalize(init, c, sig.e, rand, [msg_scalars[j] for j in undisclosed], backend)


def core_proof_verify(
    pk: bytes, proof: bytes, gens: Generators, header: bytes, ph: bytes,
    disclosed_scalars: Sequence[int], disclosed_indexes: Sequence[int], api_id: bytes,
    suite: Ciphersuite, backend: CurveBackend,
) -> bool:
    """§3.6.4 CoreProofVerify -> VALID (True) or INVALID (False)."""
    try:
        prf = octets_to_proof(proof, backend)
        W = octets_to_pubkey(pk, backend)
        disclosed = check_disclosed_indexes(disclosed_indexes, len(gens.h))
    except (EncodingError, ParameterError):
        return False
    if len(disclosed) != len(disclosed_scalars) or len(disclosed) + len(prf.m_hat) != len(gens.h):
        return False
    init = proof_verify_init(
        pk, prf, gens, header, disclosed_scalars, disclosed, api_id, suite, backend
    )
    c = proof_challenge_calculate(init, disclosed, disclosed_scalars, ph, api_id, suite, backend)
    if c != prf.challenge:
        return False
    # h(Abar, W) * h(Bbar, -BP2) == Identity_GT
    return backend.pairing_check(
        [(prf.Abar, W), (prf.Bbar, backend.g2_neg(backend.g2_generator()))]
    )


def proof_gen(
    pk: bytes, signature: bytes, header: bytes, ph: bytes, messages: Sequence[bytes],
    disclosed_indexes: Sequence[int], *, suite: Suite = "BLS12-381-SHA-256",
    backend: Backend = None, rng: RNG | None = None,
) -> bytes:
    """§3.5.3 ProofGen(PK, signature, header, ph, messages, disclosed_indexes)."""
    cs = resolve_suite(suite)
    be = get_backend(backend)
    scalars = messages_to_scalars(messages, cs.api_id, cs)
    gens = create_generators(len(scalars) + 1, cs.api_id, cs, be)
    return core_proof_gen(
        pk, signature, gens, header, ph, scalars, disclosed_indexes, cs.api_id, cs, be, rng
    )


def proof_verify(
    pk: bytes, proof: bytes, header: bytes, ph: bytes, disclosed_messages: Sequence[bytes],
    disclosed_indexes: Sequence[int], *, suite: Suite = "BLS12-381-SHA-256",
    backend: Backend = None,
) -> bool:
    """§3.5.4 ProofVerify: L is implied by the proof length (U) and the disclosed count (R)."""
    cs = resolve_suite(suite)
    be = get_backend(backend)
    if not isinstance(proof, (bytes, bytearray, memoryview)) or len(proof) < PROOF_FLOOR:
        return False
    if (len(proof) - PROOF_FLOOR) % SCALAR_LEN or len(disclosed_messages) != len(
        disclosed_indexes
    ):
        return False
    U = (len(proof) - PROOF_FLOOR) // SCALAR_LEN
    R_ = len(disclosed_indexes)
    if U + R_ + 1 > MAX_GENERATORS:
        return False
    scalars = messages_to_scalars(disclosed_messages, cs.api_id, cs)
    gens = create_generators(U + R_ + 1, cs.api_id, cs, be)
    return core_proof_verify(
        pk, bytes(proof), gens, header, ph, scalars, disclosed_indexes, cs.api_id, cs, be
    )
