"""Per-verifier linkable pseudonyms (draft-irtf-cfrg-bbs-per-verifier-linkability-02).

The nym secret is a vector of N scalars bound into a blind signature: the prover
commits to its ``prover_nyms``, the signer adds ``signer_nym_entropy`` to the last one
(§6.1.2), and a presentation proves knowledge of the signature together with

    pseudonym = OP * (nym_secrets[0] + nym_secrets[1] * z + ... + nym_secrets[N-1] * z^(N-1))

with OP = hash_to_curve_g1(context_id, api_id) and
z = hash_to_scalar(context_id, api_id || "VECT_NYM_SECRETS") (§4, §7.3.1). The same
credential gives the same pseudonym for one context_id and unlinkable ones across
context_ids. api_id = ciphersuite_id || "H2G_HM2S_PSEUDONYM_" throughout (the vectors use
it where the text's parameter blocks name others).
"""

from __future__ import annotations

from collections.abc import Sequence

from sdk.bbs.blind import (
    blind_generators,
    blind_sign_scalars,
    combined_disclosed,
    core_commit,
)
from sdk.bbs.ciphersuite import Ciphersuite, resolve_suite
from sdk.bbs.encoding import (
    PROOF_FLOOR,
    SCALAR_LEN,
    octets_to_proof,
    octets_to_pubkey,
    octets_to_signature,
)
from sdk.bbs.generators import MAX_GENERATORS, Generators, create_generators, hash_to_curve_g1
from sdk.bbs.keys import octets_to_secret_key
from sdk.bbs.proof import (
    InitResult,
    challenge_prefix,
    proof_finalize,
    proof_init,
    proof_verify_init,
)
from sdk.bbs.signature import core_verify
from sdk.bbs.utils import RNG, R, hash_to_scalar, messages_to_scalars, random_scalars
from sdk.bbs.utils import BackendArg as Backend
from sdk.bbs.utils import SuiteArg as Suite
from sdk.curves import CurveBackend, get_backend
from sdk.curves.base import G1
from sdk.curves.hashing import i2osp
from sdk.errors import EncodingError, InvalidSignatureError, ParameterError

__all__ = [
    "MAX_NYMS",
    "blind_sign_with_nym",
    "blind_sign_with_nym_scalars",
    "calculate_pseudonym",
    "commit_with_nym",
    "nym_header",
    "proof_gen_with_nym",
    "proof_gen_with_nym_scalars",
    "proof_verify_with_nym",
    "proof_verify_with_nym_scalars",
    "verify_finalize_with_nym",
    "verify_finalize_with_nym_scalars",
]


MAX_NYMS = 1024


def nym_header(header: bytes, N: int) -> bytes:
    """The combined header header || I2OSP(N, 8) that binds N into the signature."""
    return header + i2osp(N, 8)


def _op_and_z(context_id: bytes, api_id: bytes, suite: Ciphersuite, backend: CurveBackend) -> tuple[G1, int]:
    # OP = hash_to_curve_g1(context_id, api_id); z = hash_to_scalar(context_id, api_id || "VECT_NYM_SECRETS")
    OP = hash_to_curve_g1(context_id, api_id, suite, backend)
    z = hash_to_scalar(context_id, api_id + b"VECT_NYM_SECRETS", suite)
    return OP, z


def _poly(coeffs: Sequence[int], z: int) -> int:
    """sum_i coeffs[i] * z^i mod r (Horner)."""
    acc = 0
    for c in reversed(coeffs):
        acc = (acc * z + c) % R
    return acc


def _check_n(N: int) -> None:
    if not isinstance(N, int) or isinstance(N, bool) or N < 1 or N > MAX_NYMS:
        raise ParameterError(f"the number of nym secrets N must be in 1..{MAX_NYMS}")


def calculate_pseudonym(
    context_id: bytes, nym_secrets: Sequence[int], *, suite: Suite = "BLS12-381-SHA-256",
    backend: Backend = None,
) -> bytes:
    """§4 "Pseudonym Calculation Procedure": OP * sum nym_secrets[i] * z^i, 48 bytes."""
    cs = resolve_suite(suite)
    be = get_backend(backend)
    _check_n(len(nym_secrets))
    OP, z = _op_and_z(context_id, cs.nym_api_id, cs, be)
    P = be.g1_mul(OP, _poly(nym_secrets, z))
    if be.g1_is_identity(P):
        raise ParameterError("nym secrets give the identity pseudonym")
    return be.g1_to_bytes(P)


# ------------------------------------------------------------------- issuance


def commit_with_nym(
    committed_messages: Sequence[bytes], prover_nyms: Sequence[int], *,
    suite: Suite = "BLS12-381-SHA-256", backend: Backend = None, rng: RNG | None = None,
) -> tuple[bytes, int]:
    """§6.1.1 CommitWithNym -> (commitment_with_proof, secret_prover_blind).

    scalars = messages_to_scalars(committed_messages) || prover_nyms, then Blind.CoreCommit.
    """
    cs = resolve_suite(suite)
    be = get_backend(backend)
    _check_n(len(prover_nyms))
    api = cs.nym_api_id
    scalars = messages_to_scalars(committed_messages, api, cs) + [n % R for n in prover_nyms]
    return core_commit(scalars, api, cs, be, rng)


def blind_sign_with_nym_scalars(
    sk: int, pk: bytes, commitment_with_proof: bytes, N: int, signer_nym_entropy: int,
    header: bytes, msg_scalars: Sequence[int], suite: Ciphersuite, backend: CurveBackend,
) -> bytes:
    """§6.1.2 BlindSignWithNym over messages already mapped to scalars."""
    _check_n(N)
    M = (len(commitment_with_proof) - 48 - 2 * 32) // 32
    if N > M:
        raise ParameterError(f"the commitment holds {M} values, fewer than N = {N}")
    if not 0 < signer_nym_entropy < R:
        raise ParameterError("signer_nym_entropy must be a scalar in 1..r-1")
    return blind_sign_scalars(
        sk, pk, commitment_with_proof, nym_header(header, N), msg_scalars, suite.nym_api_id,
        suite, backend, signer_extra=signer_nym_entropy,
    )


def blind_sign_with_nym(
    sk: bytes, pk: bytes, commitment_with_proof: bytes, N: int, signer_nym_entropy: int,
    header: bytes, messages: Sequence[bytes], *, suite: Suite = "BLS12-381-SHA-256",
    backend: Backend = None,
) -> bytes:
    """§6.1.2 BlindSignWithNym(SK, PK, commitment_with_proof, N, signer_nym_entropy, header, messages)."""
    cs = resolve_suite(suite)
    be = get_backend(backend)
    scalars = messages_to_scalars(messages, cs.nym_api_id, cs)
    return blind_sign_with_nym_scalars(
        octets_to_secret_key(sk), pk, commitment_with_proof, N, signer_nym_entropy, header,
        scalars, cs, be,
    )


def _nym_generators(L: int, M_total: int, suite: Ciphersuite, backend: CurveBackend) -> Generators:
    api = suite.nym_api_id
    return create_generators(L + 1, api, suite, backend).extend(
        blind_generators(M_total + 1, api, suite, backend)
    )


def verify_finalize_with_nym_scalars(
    pk: bytes, signature: bytes, header: bytes, msg_scalars: Sequence[int],
    committed_scalars: Sequence[int], prover_nyms: Sequence[int], signer_nym_entropy: int,
    secret_prover_blind: int, suite: Ciphersuite, backend: CurveBackend,
) -> list[int]:
    """§6.1.3 VerifyFinalizeWithNym -> nym_secrets, or InvalidSignatureError."""
    N = len(prover_nyms)
    _check_n(N)
    # nym_secrets = prover_nyms with nym_secrets[N-1] += signer_nym_entropy (mod r)
    nym_secrets = [n % R for n in prover_nyms]
    nym_secrets[-1] = (nym_secrets[-1] + signer_nym_entropy) % R
    gens = _nym_generators(len(msg_scalars), len(committed_scalars) + N, suite, backend)
    scalars = [*msg_scalars, secret_prover_blind % R, *committed_scalars, *nym_secrets]
    if not core_verify(pk, signature, gens, nym_header(header, N), scalars, suite.nym_api_id, suite, backend):
        raise InvalidSignatureError("the issued signature does not verify")
    return nym_secrets


def verify_finalize_with_nym(
    pk: bytes, signature: bytes, header: bytes, messages: Sequence[bytes],
    committed_messages: Sequence[bytes], prover_nyms: Sequence[int], signer_nym_entropy: int,
    secret_prover_blind: int, *, suite: Suite = "BLS12-381-SHA-256", backend: Backend = None,
) -> list[int]:
    """§6.1.3 VerifyFinalizeWithNym(PK, signature, header, messages, committed_messages,
    prover_nyms, signer_nym_entropy, secret_prover_blind) -> nym_secrets."""
    cs = resolve_suite(suite)
    be = get_backend(backend)
    api = cs.nym_api_id
    return verify_finalize_with_nym_scalars(
        pk, signature, header, messages_to_scalars(messages, api, cs),
        messages_to_scalars(committed_messages, api, cs), prover_nyms, signer_nym_entropy,
        secret_prover_blind, cs, be,
    )


# ------------------------------------------------------------------ presentation


def _nym_challenge(
    init: InitResult, disclosed_indexes: Sequence[int], disclosed_scalars: Sequence[int],
    pseudonym: G1, Ut: G1, ph: bytes, context_id: bytes, api_id: bytes, suite: Ciphersuite,
    backend: CurveBackend,
) -> int:
    """§8.1 ProofWithPseudonymChallengeCalculate.

    c_arr = (R, i1, msg_i1, ..., Abar, Bbar, D, T1, T2, pseudonym, Ut, domain)
    c_octs = serialize(c_arr) || I2OSP(len(ph), 8) || ph || I2OSP(len(context_id), 8) || context_id
    """
    c_octs = (
        challenge_prefix(disclosed_indexes, disclosed_scalars, init, backend)
        + backend.g1_to_bytes(pseudonym)
        + backend.g1_to_bytes(Ut)
        + init.domain.to_bytes(32, "big")
        + i2osp(len(ph), 8)
        + ph
        + i2osp(len(context_id), 8)
        + context_id
    )
    return hash_to_scalar(c_octs, api_id + b"H2S_", suite)


def proof_gen_with_nym_scalars(
    pk: bytes, signature: bytes, header: bytes, ph: bytes, nym_secrets: Sequence[int],
    context_id: bytes, msg_scalars: Sequence[int], committed_scalars: Sequence[int],
    disclosed_indexes: Sequence[int], disclosed_commitment_indexes: Sequence[int],
    secret_prover_blind: int, suite: Ciphersuite, backend: CurveBackend, rng: RNG | None = None,
) -> tuple[bytes, bytes]:
    """§6.2 ProofGenWithNym (core): returns (proof, pseudonym)."""
    N = len(nym_secrets)
    _check_n(N)
    api = suite.nym_api_id
    L, Mc = len(msg_scalars), len(committed_scalars)
    disclosed = combined_disclosed(L, disclosed_indexes, disclosed_commitment_indexes, Mc)
    gens = _nym_generators(L, Mc + N, suite, backend)
    # messages || secret_prover_blind || committed_messages || nym_secrets
    scalars = [*msg_scalars, secret_prover_blind % R, *committed_scalars, *(n % R for n in nym_secrets)]
    sig = octets_to_signature(signature, backend)
    octets_to_pubkey(pk, backend)
    dset = set(disclosed)
    undisclosed = [j for j in range(len(scalars)) if j not in dset]
    rand = random_scalars(5 + len(undisclosed), rng)
    init = proof_init(pk, sig, gens, rand, nym_header(header, N), scalars, undisclosed, api, suite, backend)
    # §7.3.1 PseudonymProofInit: the nym secrets are the last N undisclosed values, so their
    # blinding scalars m~ are the last N random scalars.
    OP, z = _op_and_z(context_id, api, suite, backend)
    pseudonym = backend.g1_mul(OP, _poly(nym_secrets, z))
    if backend.g1_is_identity(pseudonym):
        raise ParameterError("nym secrets give the identity pseudonym")
    Ut = backend.g1_mul(OP, _poly(rand[-N:], z))
    c = _nym_challenge(
        init, disclosed, [scalars[i] for i in disclosed], pseudonym, Ut, ph, context_id, api,
        suite, backend,
    )
    proof = proof_finalize(init, c, sig.e, rand, [scalars[j] for j in undisclosed], backend)
    return proof, backend.g1_to_bytes(pseudonym)


def proof_gen_with_nym(
    pk: bytes, signature: bytes, header: bytes, ph: bytes, nym_secrets: Sequence[int],
    context_id: bytes, messages: Sequence[bytes], committed_messages: Sequence[bytes],
    disclosed_indexes: Sequence[int], disclosed_commitment_indexes: Sequence[int],
    secret_prover_blind: int, *, suite: Suite = "BLS12-381-SHA-256", backend: Backend = None,
    rng: RNG | None = None,
) -> tuple[bytes, bytes]:
    """§6.2 ProofGenWithNym(PK, signature, header, ph, nym_secrets, context_id, messages,
    committed_messages, disclosed_indexes, disclosed_commitment_indexes,
    secret_prover_blind) -> (proof, pseudonym)."""
    cs = resolve_suite(suite)
    be = get_backend(backend)
    api = cs.nym_api_id
    return proof_gen_with_nym_scalars(
        pk, signature, header, ph, nym_secrets, context_id, messages_to_scalars(messages, api, cs),
        messages_to_scalars(committed_messages, api, cs), disclosed_indexes,
        disclosed_commitment_indexes, secret_prover_blind, cs, be, rng,
    )


def proof_verify_with_nym_scalars(
    pk: bytes, proof: bytes, header: bytes, ph: bytes, pseudonym: bytes, context_id: bytes,
    N: int, L: int, disclosed_scalars: Sequence[int], disclosed_committed_scalars: Sequence[int],
    disclosed_indexes: Sequence[int], disclosed_commitment_indexes: Sequence[int],
    suite: Ciphersuite, backend: CurveBackend,
) -> bool:
    """§6.3 ProofVerifyWithNym (core) -> VALID (True) / INVALID (False)."""
    api = suite.nym_api_id
    try:
        _check_n(N)
        prf = octets_to_proof(proof, backend)
        W = octets_to_pubkey(pk, backend)
        nym = backend.g1_from_bytes(pseudonym)
    except (EncodingError, ParameterError):
        return False
    if not isinstance(L, int) or L < 0:
        return False
    U = len(prf.m_hat)
    Rd, Rc = len(disclosed_indexes), len(disclosed_commitment_indexes)
    if len(disclosed_scalars) != Rd or len(disclosed_committed_scalars) != Rc:
        return False
    # R + R' + U = L + 1 + M' + N
    m_committed = Rd + Rc + U - L - 1 - N
    if m_committed < 0 or U < N or L + 1 > MAX_GENERATORS or m_committed + N + 1 > MAX_GENERATORS:
        return False
    try:
        disclosed = combined_disclosed(L, disclosed_indexes, disclosed_commitment_indexes, m_committed)
    except ParameterError:
        return False
    gens = _nym_generators(L, m_committed + N, suite, backend)
    dscalars = [*disclosed_scalars, *disclosed_committed_scalars]
    init = proof_verify_init(pk, prf, gens, nym_header(header, N), dscalars, disclosed, api, suite, backend)
    # §7.3.2 PseudonymProofVerifyInit: Uv = OP * sum m^_nym[i] * z^i - pseudonym * c
    OP, z = _op_and_z(context_id, api, suite, backend)
    Uv = backend.g1_msm([OP, nym], [_poly(prf.m_hat[-N:], z), (-prf.challenge) % R])
    c = _nym_challenge(init, disclosed, dscalars, nym, Uv, ph, context_id, api, suite, backend)
    if c != prf.challenge:
        return False
    return backend.pairing_check([(prf.Abar, W), (prf.Bbar, backend.g2_neg(backend.g2_generator()))])


def proof_verify_with_nym(
    pk: bytes, proof: bytes, header: bytes, ph: bytes, pseudonym: bytes, context_id: bytes,
    N: int, L: int, disclosed_messages: Sequence[bytes],
    disclosed_committed_messages: Sequence[bytes], disclosed_indexes: Sequence[int],
    disclosed_commitment_indexes: Sequence[int], *, suite: Suite = "BLS12-381-SHA-256",
    backend: Backend = None,
) -> bool:
    """§6.3 ProofVerifyWithNym(PK, proof, header, ph, pseudonym, context_id, N, L,
    disclosed_messages, disclosed_committed_messages, disclosed_indexes,
    disclosed_commitment_indexes)."""
    cs = resolve_suite(suite)
    be = get_backend(backend)
    api = cs.nym_api_id
    if not isinstance(proof, (bytes, bytearray)) or len(proof) < PROOF_FLOOR or (len(proof) - PROOF_FLOOR) % SCALAR_LEN:
        return False
    return proof_verify_with_nym_scalars(
        pk, bytes(proof), header, ph, pseudonym, context_id, N, L,
        messages_to_scalars(disclosed_messages, api, cs),
        messages_to_scalars(disclosed_committed_messages, api, cs), disclosed_indexes,
        disclosed_commitment_indexes, cs, be,
    )
