"""L1: the BBS drafts, spec-shaped.

- draft-irtf-cfrg-bbs-signatures: keygen, sk_to_pk, sign, verify, proof_gen, proof_verify
- draft-irtf-cfrg-bbs-blind-signatures-02: commit, blind_sign, verify_blind_sign,
  blind_proof_gen, blind_proof_verify
- draft-irtf-cfrg-bbs-per-verifier-linkability-02: commit_with_nym, blind_sign_with_nym,
  verify_finalize_with_nym, proof_gen_with_nym, proof_verify_with_nym, calculate_pseudonym

Octet strings in and out; ``suite`` is "BLS12-381-SHA-256" (default), "BLS12-381-SHAKE-256"
or a Ciphersuite; ``backend`` picks the curve backend; ``rng(count) -> list[int]`` is for
vectors and tests only (the seeded mock is ``sdk.bbs.utils.mocked_rng``, not exported here).

Proof parts that share hidden messages with a BBS proof attach through the
commit -> challenge -> respond prover of :mod:`sdk.bbs.prover`.
"""

from sdk.bbs.blind import blind_proof_gen, blind_proof_verify, blind_sign, commit, verify_blind_sign
from sdk.bbs.ciphersuite import BLS12_381_SHA_256, BLS12_381_SHAKE_256, Ciphersuite, resolve_suite
from sdk.bbs.keys import keygen, sk_to_pk
from sdk.bbs.proof import proof_gen, proof_verify
from sdk.bbs.pseudonym import (
    blind_sign_with_nym,
    calculate_pseudonym,
    commit_with_nym,
    proof_gen_with_nym,
    proof_verify_with_nym,
    verify_finalize_with_nym,
)
from sdk.bbs.signature import sign, verify
from sdk.bbs.utils import RNG, calculate_random_scalars, seeded_random_scalars

__all__ = [
    "BLS12_381_SHAKE_256",
    "BLS12_381_SHA_256",
    "RNG",
    "Ciphersuite",
    "blind_proof_gen",
    "blind_proof_verify",
    "blind_sign",
    "blind_sign_with_nym",
    "calculate_pseudonym",
    "calculate_random_scalars",
    "commit",
    "commit_with_nym",
    "keygen",
    "proof_gen",
    "proof_gen_with_nym",
    "proof_verify",
    "proof_verify_with_nym",
    "resolve_suite",
    "seeded_random_scalars",
    "sign",
    "sk_to_pk",
    "verify",
    "verify_blind_sign",
    "verify_finalize_with_nym",
]
