"""L2: range predicates on hidden attributes, linked to the BBS pseudonym proof.

The construction is the signature-based range proof of Camenisch, Chaabouni and shelat
(ASIACRYPT 2008), see specs/predicates.md for the statement, the composition with BBS and
the security argument.
"""

from sdk.predicates.params import (
    DEFAULT_ELL,
    DEFAULT_U,
    RangeParams,
    generate_range_params,
    load_range_params,
)
from sdk.predicates.range_proof import (
    OPS,
    PredicateProver,
    PredicateStatement,
    PredicateVerification,
    pedersen_generators,
    proof_length,
    verify_predicate,
    verify_predicate_part,
)

__all__ = [
    "DEFAULT_ELL",
    "DEFAULT_U",
    "OPS",
    "PredicateProver",
    "PredicateStatement",
    "PredicateVerification",
    "RangeParams",
    "generate_range_params",
    "load_range_params",
    "pedersen_generators",
    "proof_length",
    "verify_predicate",
    "verify_predicate_part",
]
