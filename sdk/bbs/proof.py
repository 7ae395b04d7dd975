"""Proof generation and verification (draft-irtf-cfrg-bbs-signatures §3.5.3-§3.5.4 interface,
§3.6.3-§3.6.4 core).

The §3.7 subroutines (ProofInit, ProofChallengeCalculate, ProofFinalize, ProofVerifyInit)
live in :mod:`sdk.bbs.prover`, shaped as commit -> challenge -> respond so that other proof
parts can attach; these one-shot operations are the draft's interface over it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sdk.bbs.ciphersuite import Ciphersuite, resolve_suite
from sdk.bbs.encoding import PROOF_FLOOR, SCALAR_LEN
from sdk.bbs.generators import MAX_GENERATORS, Generators, create_generators
from sdk.bbs.prover import (
    Layout,
    check_disclosed_indexes,
    parse_proof,
    proof_commit_core,
    proof_verify_start_core,
)
from sdk.bbs.utils import RNG, messages_to_scalars
from sdk.bbs.utils import BackendArg as Backend
from sdk.bbs.utils import SuiteArg as Suite
from sdk.curves import CurveBackend, get_backend
from sdk.errors import EncodingError, ParameterError

__all__ = ["core_proof_gen", "core_proof_verify", "proof_gen", "proof_verify"]


def core_proof_gen(
    pk: bytes, signature: bytes, gens: Generators, header: bytes, ph: bytes,
    msg_scalars: Sequence[int], disclosed_indexes: Sequence[int], api_id: bytes,
    suite: Ciphersuite, backend: CurveBackend, rng: RNG | None = None,
) -> bytes:
    """§3.6.3 CoreProofGen: ProofInit, ProofChallengeCalculate, ProofFinalize."""
    L = len(msg_scalars)
    if L != len(gens.h):
        raise ParameterError("CoreProofGen needs exactly one generator per message")
    layout = Layout(L, tuple(check_disclosed_indexes(disclosed_indexes, L)))
    state = proof_commit_core(
        pk, signature, gens, header, msg_scalars, layout, api_id, suite, backend, rng=rng
    )
    return state.respond(ph).to_octets()


def core_proof_verify(
    pk: bytes, proof: bytes, gens: Generators, header: bytes, ph: bytes,
    disclosed_scalars: Sequence[int], disclosed_indexes: Sequence[int], api_id: bytes,
    suite: Ciphersuite, backend: CurveBackend,
) -> bool:
    """§3.6.4 CoreProofVerify -> VALID (True) or INVALID (False)."""
    try:
        layout = Layout(len(gens.h), tuple(check_disclosed_indexes(disclosed_indexes, len(gens.h))))
        prf = parse_proof(proof, layout, backend=backend)
        check = proof_verify_start_core(pk, prf, gens, header, disclosed_scalars, api_id, suite)
    except (EncodingError, ParameterError):
        return False
    return check.verify(ph)


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
