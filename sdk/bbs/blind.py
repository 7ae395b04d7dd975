"""Blind BBS signatures (draft-irtf-cfrg-bbs-blind-signatures-02, with the errata that the
published vectors settle; see tests/vectors/README.md).

api_id = ciphersuite_id || "BLIND_H2G_HM2S_"; blind generators (Q_2, J_1, ..., J_M) =
create_generators(M + 1, "BLIND_" || api_id). The prover commits to messages it keeps
from the signer; the signature is a plain BBS signature over
``messages || secret_prover_blind || committed_messages``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sdk.bbs.ciphersuite import Ciphersuite, resolve_suite
from sdk.bbs.encoding import (
    POINT_LEN,
    PROOF_FLOOR,
    SCALAR_LEN,
    octets_to_pubkey,
    octets_to_scalar,
)
from sdk.bbs.generators import MAX_GENERATORS, Generators, blind_generators, create_generators
from sdk.bbs.keys import octets_to_secret_key
from sdk.bbs.proof import core_proof_gen, core_proof_verify
from sdk.bbs.prover import combined_disclosed
from sdk.bbs.signature import compute_B, core_verify, finalize_sign
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
from sdk.errors import EncodingError, InvalidProofError, ParameterError
from sdk.reasons import BbsReason

__all__ = [
    "CommitmentWithProof",
    "blind_generators",
    "blind_proof_gen",
    "blind_proof_verify",
    "blind_sign",
    "blind_sign_scalars",
    "calculate_blind_challenge",
    "combined_disclosed",
    "commit",
    "core_commit",
    "core_commit_verify",
    "octets_to_commitment_with_proof",
    "verify_blind_sign",
]


@dataclass(frozen=True)
class CommitmentWithProof:
    """C and its proof of knowledge (s^, m^_1..m^_M, cc), §5.4.2."""

    C: G1
    s_hat: int
    m_hat: tuple[int, ...]
    challenge: int


def calculate_blind_challenge(
    C: G1, Cbar: G1, bgens: Generators, api_id: bytes, suite: Ciphersuite, backend: CurveBackend
) -> int:
    """§5.3 calculate_blind_challenge:
    hash_to_scalar(serialize((M, Q_2, J_1, ..., J_M, C, Cbar)), api_id || "H2S_")."""
    octs = (
        i2osp(len(bgens.h), 8)
        + bgens.q1_octets
        + b"".join(bgens.h_octets)
        + backend.g1_to_bytes(C)
        + backend.g1_to_bytes(Cbar)
    )
    return hash_to_scalar(octs, api_id + b"H2S_", suite)


def core_commit(
    committed_scalars: Sequence[int], api_id: bytes, suite: Ciphersuite, backend: CurveBackend,
    rng: RNG | None = None,
) -> tuple[bytes, int]:
    """§4.3.1 CoreCommit -> (commitment_with_proof, secret_prover_blind)."""
    M = len(committed_scalars)
    bgens = blind_generators(M + 1, api_id, suite, backend)
    # (secret_prover_blind, s~, m~_1, ..., m~_M) = random_scalars(M + 2)
    rand = random_scalars(M + 2, rng)
    spb, s_t = rand[0], rand[1]
    m_t = rand[2:]
    # C = Q_2 * secret_prover_blind + J_1 * msg_1 + ... + J_M * msg_M
    C = backend.g1_msm([bgens.q1, *bgens.h], [spb, *committed_scalars])
    # Cbar = Q_2 * s~ + J_1 * m~_1 + ... + J_M * m~_M
    Cbar = backend.g1_msm([bgens.q1, *bgens.h], [s_t, *m_t])
    cc = calculate_blind_challenge(C, Cbar, bgens, api_id, suite, backend)
    # s^ = s~ + secret_prover_blind * challenge;  m^_i = m~_i + msg_i * challenge
    s_h = (s_t + spb * cc) % R
    m_h = [(mt + m * cc) % R for mt, m in zip(m_t, committed_scalars, strict=True)]
    out = backend.g1_to_bytes(C) + b"".join(x.to_bytes(32, "big") for x in (s_h, *m_h, cc))
    return out, spb


def octets_to_commitment_with_proof(data: bytes, backend: CurveBackend) -> CommitmentWithProof:
    """§5.4.2 deserialize: C valid and not the identity, >= 2 scalars, each in [1, r-1]."""
    if not isinstance(data, (bytes, bytearray)):
        raise EncodingError("a commitment must be bytes")
    n = len(data)
    if n < POINT_LEN + 2 * SCALAR_LEN or (n - POINT_LEN) % SCALAR_LEN:
        raise EncodingError(
            f"a commitment with proof is 48 + 32*(M+2) bytes, got {n}", reason=BbsReason.INVALID_LENGTH
        )
    data = bytes(data)
    C = backend.g1_from_bytes(data[:POINT_LEN])
    sc = [octets_to_scalar(data[i : i + SCALAR_LEN], "commitment scalar") for i in range(POINT_LEN, n, SCALAR_LEN)]
    return CommitmentWithProof(C, sc[0], tuple(sc[1:-1]), sc[-1])


def core_commit_verify(
    cwp: CommitmentWithProof, bgens: Generators, api_id: bytes, suite: Ciphersuite,
    backend: CurveBackend,
) -> bool:
    """§4.3.2 CoreCommitVerify: Cbar = Q_2 * s^ + J_1 * m^_1 + ... + J_M * m^_M + C * (-cc)."""
    if len(cwp.m_hat) != len(bgens.h):
        return False
    Cbar = backend.g1_msm(
        [bgens.q1, *bgens.h, cwp.C], [cwp.s_hat, *cwp.m_hat, (-cwp.challenge) % R]
    )
    return calculate_blind_challenge(cwp.C, Cbar, bgens, api_id, suite, backend) == cwp.challenge


def blind_sign_scalars(
    sk: int, pk: bytes, commitment_with_proof: bytes | None, header: bytes,
    msg_scalars: Sequence[int], api_id: bytes, suite: Ciphersuite, backend: CurveBackend,
    *, signer_extra: int | None = None,
) -> bytes:
    """§4.2.1 BlindSign core with §4.3.3 FinalizeBlindSign and §5.2 B_calculate.

    ``signer_extra`` is the pseudonym draft's signer_nym_entropy, added as J_M * entropy
    (draft-irtf-cfrg-bbs-per-verifier-linkability §6.1.2); ``header`` is then already the
    combined header. Errata applied (vectors): M = (len - 48 - 2*32) / 32; the domain is
    over (H_1..H_L, Q_2, J_1..J_M) even without a commitment; e = H(SK, B).
    """
    octets_to_pubkey(pk, backend)
    if commitment_with_proof is None:
        M = 0
        C = backend.g1_identity()
    else:
        cwp = octets_to_commitment_with_proof(commitment_with_proof, backend)
        M = len(cwp.m_hat)
    bgens = blind_generators(M + 1, api_id, suite, backend)
    if commitment_with_proof is not None:
        if not core_commit_verify(cwp, bgens, api_id, suite, backend):
            raise InvalidProofError(
                "the commitment's proof of knowledge does not verify", reason=BbsReason.INVALID_COMMITMENT
            )
        C = cwp.C
    if signer_extra is not None and M < 1:
        raise ParameterError("a signer contribution needs at least one committed value")
    gens = create_generators(len(msg_scalars) + 1, api_id, suite, backend)
    all_gens = gens.extend(bgens)
    domain = calculate_domain(pk, all_gens, header, api_id, suite)
    # B = P1 + Q_1 * domain + H_1 * msg_1 + ... + H_L * msg_L + commit (+ J_M * entropy)
    B = backend.g1_add(compute_B(gens, domain, msg_scalars, suite, backend), C)
    if signer_extra is not None:
        B = backend.g1_add(B, backend.g1_mul(bgens.h[-1], signer_extra))
    # e = hash_to_scalar(serialize((SK, B)), api_id || "H2S_")   [vectors; text adds domain]
    e = hash_to_scalar(sk.to_bytes(32, "big") + backend.g1_to_bytes(B), api_id + b"H2S_", suite)
    return finalize_sign(sk, B, e, backend)


# ---------------------------------------------------------------- interface (octets)


def commit(
    committed_messages: Sequence[bytes], *, suite: Suite = "BLS12-381-SHA-256",
    backend: Backend = None, rng: RNG | None = None,
) -> tuple[bytes, int]:
    """§4.1.1 Commit(committed_messages) -> (commitment_with_proof, secret_prover_blind)."""
    cs = resolve_suite(suite)
    be = get_backend(backend)
    scalars = messages_to_scalars(committed_messages, cs.blind_api_id, cs)
    return core_commit(scalars, cs.blind_api_id, cs, be, rng)


def blind_sign(
    sk: bytes, pk: bytes, commitment_with_proof: bytes | None, header: bytes,
    messages: Sequence[bytes], *, suite: Suite = "BLS12-381-SHA-256", backend: Backend = None,
) -> bytes:
    """§4.2.1 BlindSign(SK, PK, commitment_with_proof, header, messages)."""
    cs = resolve_suite(suite)
    be = get_backend(backend)
    scalars = messages_to_scalars(messages, cs.blind_api_id, cs)
    return blind_sign_scalars(
        octets_to_secret_key(sk), pk, commitment_with_proof, header, scalars, cs.blind_api_id,
        cs, be,
    )


def verify_blind_sign(
    pk: bytes, signature: bytes, header: bytes, messages: Sequence[bytes],
    committed_messages: Sequence[bytes], secret_prover_blind: int = 0, *,
    suite: Suite = "BLS12-381-SHA-256", backend: Backend = None,
) -> bool:
    """§4.2.2 VerifyBlindSign: CoreVerify over msgs || secret_prover_blind || committed."""
    cs = resolve_suite(suite)
    be = get_backend(backend)
    api = cs.blind_api_id
    msgs = messages_to_scalars(messages, api, cs)
    cmsgs = messages_to_scalars(committed_messages, api, cs)
    gens = create_generators(len(msgs) + 1, api, cs, be).extend(
        blind_generators(len(cmsgs) + 1, api, cs, be)
    )
    return core_verify(pk, signature, gens, header, [*msgs, secret_prover_blind % R, *cmsgs], api, cs, be)


def blind_proof_gen(
    pk: bytes, signature: bytes, header: bytes, ph: bytes, messages: Sequence[bytes],
    committed_messages: Sequence[bytes], disclosed_indexes: Sequence[int],
    disclosed_commitment_indexes: Sequence[int], secret_prover_blind: int = 0, *,
    suite: Suite = "BLS12-381-SHA-256", backend: Backend = None, rng: RNG | None = None,
) -> bytes:
    """§4.2.3 BlindProofGen: CoreProofGen over the combined vector and generators."""
    cs = resolve_suite(suite)
    be = get_backend(backend)
    api = cs.blind_api_id
    msgs = messages_to_scalars(messages, api, cs)
    cmsgs = messages_to_scalars(committed_messages, api, cs)
    L, M = len(msgs), len(cmsgs)
    disclosed = combined_disclosed(L, disclosed_indexes, disclosed_commitment_indexes, M)
    gens = create_generators(L + 1, api, cs, be).extend(blind_generators(M + 1, api, cs, be))
    scalars = [*msgs, secret_prover_blind % R, *cmsgs]
    return core_proof_gen(pk, signature, gens, header, ph, scalars, disclosed, api, cs, be, rng)


def blind_proof_verify(
    pk: bytes, proof: bytes, header: bytes, ph: bytes, L: int,
    disclosed_messages: Sequence[bytes], disclosed_committed_messages: Sequence[bytes],
    disclosed_indexes: Sequence[int], disclosed_commitment_indexes: Sequence[int], *,
    suite: Suite = "BLS12-381-SHA-256", backend: Backend = None,
) -> bool:
    """§4.2.4 BlindProofVerify (proof_len_floor = 3*48 + 4*32 per the vectors)."""
    cs = resolve_suite(suite)
    be = get_backend(backend)
    api = cs.blind_api_id
    if not isinstance(proof, (bytes, bytearray)) or len(proof) < PROOF_FLOOR:
        return False
    if (len(proof) - PROOF_FLOOR) % SCALAR_LEN or L < 0:
        return False
    U = (len(proof) - PROOF_FLOOR) // SCALAR_LEN
    Rd, Rc = len(disclosed_indexes), len(disclosed_commitment_indexes)
    if len(disclosed_messages) != Rd or len(disclosed_committed_messages) != Rc:
        return False
    m_blind = Rd + Rc + U - L  # blind generators including Q_2
    if m_blind < 1 or L + 1 > MAX_GENERATORS or m_blind > MAX_GENERATORS:
        return False
    try:
        disclosed = combined_disclosed(L, disclosed_indexes, disclosed_commitment_indexes, m_blind - 1)
    except ParameterError:
        return False
    gens = create_generators(L + 1, api, cs, be).extend(blind_generators(m_blind, api, cs, be))
    scalars = messages_to_scalars(disclosed_messages, api, cs) + messages_to_scalars(
        disclosed_committed_messages, api, cs
    )
    return core_proof_verify(pk, bytes(proof), gens, header, ph, scalars, disclosed, api, cs, be)
