"""Person binding: a re-issue keeps the person only if the wallet holds the same secret
(specs/revocation.md §5).

At issuance the wallet commits to its prover nyms (CommitWithNym,
draft-irtf-cfrg-bbs-per-verifier-linkability-02 §6.1.1):

    C = Q_2 * spb + J_1 * nym_1 + ... + J_N * nym_N

Next to it the wallet sends the *binding value*

    R = H_bind * nym_1,   H_bind = hash_to_curve_g1("zkaid/person-binding/v1" || issuer_kid,
                                                    api_id || "ZKAID_BINDING_")

with a Schnorr proof of equality of discrete logarithms (Chaum and Pedersen, CRYPTO '92;
Fiat-Shamir, CRYPTO '86) that the nym_1 inside C is the logarithm of R. The registrar keeps
R with the card. nym_1 comes from the wallet seed and the issuer key, so a wallet restored
from its recovery code produces the same R; a new wallet (or the old phone's owner handing
the registrar someone else's commitment) cannot. R is not a pseudonym of any scope:
H_bind is hashed with a DST of its own, so under DDH R tells nothing about the
pseudonyms OP_s * (nym_1 + entropy) the card shows at checkpoints.

Proof (bytes: R || c || s^ || nym^_1 || ... || nym^_N):

    (r_s, r_1, ..., r_N) random
    A_1 = Q_2 * r_s + J_1 * r_1 + ... + J_N * r_N
    A_2 = H_bind * r_1
    c   = hash_to_scalar(DST || issuer_kid || I2OSP(len(token), 2) || token || C || R || A_1 || A_2,
                         api_id || "ZKAID_BINDING_H2S_")
    s^ = r_s + c * spb;  nym^_i = r_i + c * nym_i

Verification recomputes A_1 = Q_2 * s^ + sum J_i * nym^_i - C * c and A_2 = H_bind * nym^_1 - R * c.
The offer token is hashed in, so a binding is good for one request only.
"""

from __future__ import annotations

from dataclasses import replace

from sdk.bbs.blind import blind_generators, octets_to_commitment_with_proof
from sdk.bbs.ciphersuite import Ciphersuite
from sdk.bbs.encoding import octets_to_scalar
from sdk.bbs.generators import hash_to_curve_g1
from sdk.bbs.utils import RNG, R, hash_to_scalar, random_scalars
from sdk.credential.holder import PendingIssuance
from sdk.credential.profile import suite_of
from sdk.curves import CurveBackend, get_backend
from sdk.curves.base import G1
from sdk.curves.hashing import i2osp
from sdk.errors import EncodingError, InvalidProofError
from sdk.reasons import CredentialReason
from sdk.wire import IssuanceRequest

__all__ = ["BINDING_VALUE_LEN", "bind_issuance_request", "binding_value"]

BINDING_VALUE_LEN = 48
_DST = b"zkaid/person-binding/v1"


def _h_bind(issuer_kid: bytes, cs: Ciphersuite, be: CurveBackend) -> G1:
    return hash_to_curve_g1(_DST + issuer_kid, cs.api_id + b"ZKAID_BINDING_", cs, be)


def _challenge(issuer_kid: bytes, token: bytes, pts: list[G1], cs: Ciphersuite, be: CurveBackend) -> int:
    octs = _DST + issuer_kid + i2osp(len(token), 2) + token + b"".join(be.g1_to_bytes(p) for p in pts)
    return hash_to_scalar(octs, cs.api_id + b"ZKAID_BINDING_H2S_", cs)


def bind_issuance_request(
    request: IssuanceRequest, pending: PendingIssuance, *, suite: str | Ciphersuite = "BLS12-381-SHA-256",
    backend: str | CurveBackend | None = None, rng: RNG | None = None,
) -> IssuanceRequest:
    """The same request with its person binding (R and the equality proof) attached."""
    cs = suite if isinstance(suite, Ciphersuite) else suite_of(suite)
    be = get_backend(backend)
    nyms = [n % R for n in pending.prover_nyms]
    if not nyms:
        raise EncodingError("a binding needs at least one prover nym", reason=CredentialReason.INVALID_BINDING)
    cwp = octets_to_commitment_with_proof(request.commitment, be)
    bgens = blind_generators(len(nyms) + 1, cs.nym_api_id, cs, be)
    h = _h_bind(request.issuer_kid, cs, be)
    value = be.g1_mul(h, nyms[0])
    rand = random_scalars(len(nyms) + 1, rng)
    a1 = be.g1_msm([bgens.q1, *bgens.h], rand)
    a2 = be.g1_mul(h, rand[1])
    c = _challenge(request.issuer_kid, request.token, [cwp.C, value, a1, a2], cs, be)
    resp = [(rand[0] + c * pending.prover_blind) % R] + [(r + c * n) % R for r, n in zip(rand[1:], nyms, strict=True)]
    proof = be.g1_to_bytes(value) + b"".join(x.to_bytes(32, "big") for x in (c, *resp))
    return replace(request, binding=proof)


def binding_value(request: IssuanceRequest, *, suite: str | Ciphersuite = "BLS12-381-SHA-256",
                  backend: str | CurveBackend | None = None) -> bytes | None:
    """The verified binding value R (48 bytes) of a request, or None when it has none.

    Raises InvalidProofError(reason="invalid_binding") when the binding is malformed, has a
    point off the curve or outside the subgroup, or does not match the commitment."""
    if request.binding is None:
        return None
    cs = suite if isinstance(suite, Ciphersuite) else suite_of(suite)
    be = get_backend(backend)
    data = request.binding
    n = request.nym_count
    if len(data) != BINDING_VALUE_LEN + 32 * (n + 2):
        raise InvalidProofError(f"the person binding must be {BINDING_VALUE_LEN + 32 * (n + 2)} bytes",
                                reason=CredentialReason.INVALID_BINDING)
    try:
        cwp = octets_to_commitment_with_proof(request.commitment, be)
        value = be.g1_from_bytes(data[:BINDING_VALUE_LEN])
        scalars = [octets_to_scalar(data[i:i + 32], "binding scalar")
                   for i in range(BINDING_VALUE_LEN, len(data), 32)]
    except EncodingError as exc:
        raise InvalidProofError(f"the person binding is malformed: {exc}", reason=CredentialReason.INVALID_BINDING) from exc
    c, s_hat, nym_hat = scalars[0], scalars[1], scalars[2:]
    if len(cwp.m_hat) != n:
        raise InvalidProofError("the commitment does not hold the issuer's nym count", reason=CredentialReason.INVALID_BINDING)
    bgens = blind_generators(n + 1, cs.nym_api_id, cs, be)
    h = _h_bind(request.issuer_kid, cs, be)
    neg_c = (-c) % R
    a1 = be.g1_msm([bgens.q1, *bgens.h, cwp.C], [s_hat, *nym_hat, neg_c])
    a2 = be.g1_msm([h, value], [nym_hat[0], neg_c])
    if _challenge(request.issuer_kid, request.token, [cwp.C, value, a1, a2], cs, be) != c:
        raise InvalidProofError("the person binding does not match the wallet's commitment",
                                reason=CredentialReason.INVALID_BINDING)
    return data[:BINDING_VALUE_LEN]
