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

from sdk.bbs.blind import blind_sign_scalars, core_commit
from sdk.bbs.ciphersuite import Ciphersuite, resolve_suite
from sdk.bbs.encoding import PROOF_FLOOR, SCALAR_LEN
from sdk.bbs.keys import octets_to_secret_key
from sdk.bbs.prover import (
    MAX_NYMS,
    Layout,
    NymInputs,
    nym_generators,
    nym_header,
    op_and_z,
    parse_proof,
    poly,
    proof_commit,
    proof_verify_start,
)
from sdk.bbs.signature import core_verify
from sdk.bbs.utils import RNG, R, messages_to_scalars
from sdk.bbs.utils import BackendArg as Backend
from sdk.bbs.utils import SuiteArg as Suite
from sdk.curves import CurveBackend, get_backend
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
    OP, z = op_and_z(context_id, cs.nym_api_id, cs, be)
    P = be.g1_mul(OP, poly(nym_secrets, z))
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
    gens = nym_generators(len(msg_scalars), len(committed_scalars) + N, suite, backend)
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


def proof_gen_with_nym_scalars(
    pk: bytes, signature: bytes, header: bytes, ph: bytes, nym_secrets: Sequence[int],
    context_id: bytes, msg_scalars: Sequence[int], committed_scalars: Sequence[int],
    disclosed_indexes: Sequence[int], disclosed_commitment_indexes: Sequence[int],
    secret_prover_blind: int, suite: Ciphersuite, backend: CurveBackend, rng: RNG | None = None,
) -> tuple[bytes, bytes]:
    """§6.2 ProofGenWithNym (core): commit (ProofInit + §7.3.1 PseudonymProofInit),
    challenge (§8.1), respond (ProofFinalize); returns (proof, pseudonym)."""
    _check_n(len(nym_secrets))
    nym = NymInputs(
        tuple(nym_secrets), bytes(context_id), secret_prover_blind, tuple(committed_scalars),
        tuple(disclosed_commitment_indexes),
    )
    state = proof_commit(
        pk, signature, header, msg_scalars, disclosed_indexes, nym=nym, suite=suite,
        backend=backend, rng=rng,
    )
    proof = state.respond(ph)
    return proof.to_octets(), proof.pseudonym_octets()


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
    """§6.3 ProofVerifyWithNym (core) -> VALID (True) / INVALID (False).

    M (the committed count) is implied: R + R' + U = L + 1 + M + N.
    """
    if not isinstance(proof, (bytes, bytearray)) or len(proof) < PROOF_FLOOR or (len(proof) - PROOF_FLOOR) % SCALAR_LEN:
        return False
    U = (len(proof) - PROOF_FLOOR) // SCALAR_LEN
    Rd, Rc = len(disclosed_indexes), len(disclosed_commitment_indexes)
    if len(disclosed_scalars) != Rd or len(disclosed_committed_scalars) != Rc:
        return False
    if not isinstance(L, int) or not isinstance(N, int) or L < 0:
        return False
    m_committed = Rd + Rc + U - L - 1 - N
    if m_committed < 0 or U < N:
        return False
    try:
        layout = Layout.for_nym(L, N, disclosed_indexes, m_committed, disclosed_commitment_indexes)
        prf = parse_proof(bytes(proof), layout, pseudonym=pseudonym, backend=backend)
        check = proof_verify_start(
            pk, prf, header, [*disclosed_scalars, *disclosed_committed_scalars],
            context_id=context_id, suite=suite,
        )
    except (EncodingError, ParameterError):
        return False
    return check.verify(ph)


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
    return proof_verify_with_nym_scalars(
        pk, proof, header, ph, pseudonym, context_id, N, L,
        messages_to_scalars(disclosed_messages, api, cs),
        messages_to_scalars(disclosed_committed_messages, api, cs), disclosed_indexes,
        disclosed_commitment_indexes, cs, be,
    )
