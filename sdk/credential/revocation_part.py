"""The revocation proof part: T = H_s * rh, proven about the card's hidden handle with the
BBS blinding of that message (specs/revocation.md §3; attached through
:mod:`sdk.bbs.prover`, specs/prover.md).

Prover (commit, before the BBS challenge):

    m~ = state.blinding(i_handle)       # the BBS blinding of the hidden handle message
    T  = H_s * rh;   T~ = H_s * m~
    ph' = SHA-256("zkaid/revocation-part/v1" || ph || T || T~)

where ``ph`` is the presentation header with the predicate parts already folded in
(:func:`sdk.credential.profile.presentation_header`). The BBS challenge c is computed over
``ph'``, so it covers T and T~; the BBS response m^ = m~ + rh * c for the handle doubles as
the part's response: only T (48 bytes) travels.

Verifier: decode T (on the curve, in the subgroup, not the identity), take m^ and c from the
parsed BBS proof, recompute T~ = H_s * m^ - T * c and fold it into ``ph'`` the same way. A T
that is not H_s * rh for the signed rh makes the BBS challenge check fail (special
soundness of the Schnorr-style equality proof); the token SHA-256(.. || T)[:8] is then
looked up in the signed update for the scope.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sdk.bbs.ciphersuite import Ciphersuite
from sdk.bbs.prover import BbsProof, ProverState
from sdk.bbs.utils import R
from sdk.credential.revocation import revocation_base, short_token
from sdk.curves import CurveBackend
from sdk.errors import EncodingError, InvalidPointError
from sdk.reasons import CredentialReason

__all__ = ["RevocationProver", "fold_revocation", "revocation_first_round"]

_DST = b"zkaid/revocation-part/v1"


def fold_revocation(ph: bytes, first_round: bytes) -> bytes:
    """ph' = SHA-256("zkaid/revocation-part/v1" || ph || T || T~)."""
    return hashlib.sha256(_DST + ph + first_round).digest()


@dataclass(frozen=True)
class RevocationProver:
    """The prover's side: the tag T to send and the first round to fold into ph."""

    tag: bytes
    first_round: bytes

    @classmethod
    def attach(cls, state: ProverState, index: int, rh: int, scope: str, suite: Ciphersuite,
               backend: CurveBackend) -> RevocationProver:
        h = revocation_base(scope, suite, backend)
        m_tilde = state.blinding(index)
        tag = backend.g1_to_bytes(backend.g1_mul(h, rh % R))
        return cls(tag, tag + backend.g1_to_bytes(backend.g1_mul(h, m_tilde)))

    @property
    def token(self) -> bytes:
        return short_token(self.tag)


def revocation_first_round(tag: bytes, proof: BbsProof, index: int, scope: str, suite: Ciphersuite,
                           backend: CurveBackend) -> bytes:
    """T || T~ with T~ = H_s * m^ - T * c, from the parsed proof. Raises InvalidPointError
    when T is not a valid G1 point of the subgroup (or is the identity)."""
    if len(tag) != 48:
        raise EncodingError("a revocation tag is 48 bytes", reason=CredentialReason.INVALID_POINT)
    t = backend.g1_from_bytes(tag)  # curve + subgroup check; the identity is refused
    if backend.g1_is_identity(t):
        raise InvalidPointError("the revocation tag is the identity")
    h = revocation_base(scope, suite, backend)
    t_tilde = backend.g1_msm([h, t], [proof.m_hat_of(index), (-proof.challenge) % R])
    return tag + backend.g1_to_bytes(t_tilde)
