"""Sign and verify (draft-irtf-cfrg-bbs-signatures §3.5.1-§3.5.2 interface, §3.6.1-§3.6.2 core).

The interface functions take octet-string messages; the ``core_*`` functions take
messages already mapped to scalars (and any generator list), which is what the blind
and pseudonym drafts and zkaid's integer-valued attributes build on.
"""

from __future__ import annotations

from collections.abc import Sequence

from sdk.bbs.ciphersuite import Ciphersuite, resolve_suite
from sdk.bbs.encoding import octets_to_pubkey, octets_to_signature, signature_to_octets
from sdk.bbs.generators import Generators, create_generators, p1_point
from sdk.bbs.keys import octets_to_secret_key
from sdk.bbs.utils import BackendArg as Backend
from sdk.bbs.utils import R, calculate_domain, hash_to_scalar, messages_to_scalars
from sdk.bbs.utils import SuiteArg as Suite
from sdk.curves import CurveBackend, get_backend
from sdk.curves.base import G1
from sdk.errors import EncodingError, ParameterError

__all__ = ["clear_bases", "compute_B", "core_sign", "core_verify", "domain_and_base", "sign", "verify"]

_BASES: dict[tuple[object, ...], tuple[int, G1]] = {}
_MAX_BASES = 256


def domain_and_base(
    pk: bytes, gens: Generators, header: bytes, api_id: bytes, suite: Ciphersuite,
    backend: CurveBackend,
) -> tuple[int, G1]:
    """(domain, P1 + Q_1 * domain): both depend only on the key, the generators (so L) and
    the header, so an issuer, a wallet or a verifier computes them once per key and schema
    and reuses them for every signature and proof (public values; the cache is bounded)."""
    key = (bytes(pk), gens.q1_octets, gens.h_octets, bytes(header), api_id, suite, backend)
    hit = _BASES.get(key)
    if hit is not None:
        backend.g1_prepare_fixed(hit[1])
        return hit
    domain = calculate_domain(pk, gens, header, api_id, suite)
    base = backend.g1_add(p1_point(suite, backend), backend.g1_mul(gens.q1, domain))
    if len(_BASES) >= _MAX_BASES:
        _BASES.clear()
    _BASES[key] = (domain, base)
    backend.g1_prepare_fixed(base)  # a base of every signature and proof under this key
    return domain, base


def clear_bases() -> None:
    """Forget the cached (domain, P1 + Q_1 * domain) values."""
    _BASES.clear()


def compute_B(
    gens: Generators, domain: int, msg_scalars: Sequence[int], suite: Ciphersuite,
    backend: CurveBackend,
) -> G1:
    """B = P1 + Q_1 * domain + H_1 * msg_1 + ... + H_L * msg_L (§3.6.1 step 4)."""
    if len(msg_scalars) > len(gens.h):
        raise ParameterError("more messages than generators")
    pts = [gens.q1, *gens.h[: len(msg_scalars)]]
    scs = [domain, *msg_scalars]
    return backend.g1_add(p1_point(suite, backend), backend.g1_msm(pts, scs))


def core_sign(
    sk: int, pk: bytes, gens: Generators, header: bytes, msg_scalars: Sequence[int],
    api_id: bytes, suite: Ciphersuite, backend: CurveBackend,
) -> bytes:
    """§3.6.1 CoreSign.

    domain = calculate_domain(PK, Q_1, (H_1, ..., H_L), header, api_id)
    e = hash_to_scalar(serialize((SK, msg_1, ..., msg_L, domain)), api_id || "H2S_")
    B = P1 + Q_1 * domain + H_1 * msg_1 + ... + H_L * msg_L
    A = B * (1 / (SK + e))
    """
    if len(msg_scalars) != len(gens.h):
        raise ParameterError("CoreSign needs exactly one generator per message")
    octets_to_pubkey(pk, backend)  # §6.1: validate PK (raises on a bad key)
    domain, base = domain_and_base(pk, gens, header, api_id, suite, backend)
    e_input = b"".join(x.to_bytes(32, "big") for x in (sk, *msg_scalars, domain))
    e = hash_to_scalar(e_input, api_id + b"H2S_", suite)
    # B = P1 + Q_1 * domain + H_1 * msg_1 + ... + H_L * msg_L;  A = B * (1 / (SK + e)),
    # evaluated as one multi-scalar multiplication with the scalars multiplied out.
    denom = (sk + e) % R
    if denom == 0:
        raise ParameterError("SK + e = 0 mod r: cannot sign (negligible probability)")
    inv = pow(denom, -1, R)
    A = backend.g1_msm([base, *gens.h], [inv, *(m * inv % R for m in msg_scalars)])
    if backend.g1_is_identity(A):
        raise ParameterError("signature point is the identity (B = Identity)")
    return signature_to_octets(A, e, backend)


def finalize_sign(sk: int, B: G1, e: int, backend: CurveBackend) -> bytes:
    """A = B * (1 / (SK + e)); signature_to_octets((A, e)). Shared with blind issuance."""
    denom = (sk + e) % R
    if denom == 0:
        raise ParameterError("SK + e = 0 mod r: cannot sign (negligible probability)")
    A = backend.g1_mul(B, pow(denom, -1, R))
    if backend.g1_is_identity(A):
        raise ParameterError("signature point is the identity (B = Identity)")
    return signature_to_octets(A, e, backend)


def core_verify(
    pk: bytes, signature: bytes, gens: Generators, header: bytes, msg_scalars: Sequence[int],
    api_id: bytes, suite: Ciphersuite, backend: CurveBackend,
) -> bool:
    """§3.6.2 CoreVerify: h(A, W) * h(A * e - B, BP2) == Identity_GT.

    Malformed signatures or keys are INVALID (False); no pairing runs on unchecked points.
    """
    if len(msg_scalars) != len(gens.h):
        return False
    try:
        sig = octets_to_signature(signature, backend)
        W = octets_to_pubkey(pk, backend)
    except EncodingError:
        return False
    _domain, base = domain_and_base(pk, gens, header, api_id, suite, backend)
    # A * e - B, as one multi-scalar multiplication (B = base + sum H_i * msg_i)
    lhs = backend.g1_msm(
        [sig.A, base, *gens.h], [sig.e, R - 1, *((-m) % R for m in msg_scalars)]
    )
    return backend.pairing_check([(sig.A, W), (lhs, backend.g2_generator())])


def sign(
    sk: bytes, pk: bytes, header: bytes, messages: Sequence[bytes], *,
    suite: Suite = "BLS12-381-SHA-256", backend: Backend = None,
) -> bytes:
    """§3.5.1 Sign(SK, PK, header, messages) -> 80-byte signature (deterministic)."""
    cs = resolve_suite(suite)
    be = get_backend(backend)
    api_id = cs.api_id
    x = octets_to_secret_key(sk)
    scalars = messages_to_scalars(messages, api_id, cs)
    gens = create_generators(len(scalars) + 1, api_id, cs, be)
    return core_sign(x, pk, gens, header, scalars, api_id, cs, be)


def verify(
    pk: bytes, signature: bytes, header: bytes, messages: Sequence[bytes], *,
    suite: Suite = "BLS12-381-SHA-256", backend: Backend = None,
) -> bool:
    """§3.5.2 Verify(PK, signature, header, messages) -> VALID (True) or INVALID (False)."""
    cs = resolve_suite(suite)
    be = get_backend(backend)
    api_id = cs.api_id
    scalars = messages_to_scalars(messages, api_id, cs)
    gens = create_generators(len(scalars) + 1, api_id, cs, be)
    return core_verify(pk, signature, gens, header, scalars, api_id, cs, be)
