"""Serialisation (draft-irtf-cfrg-bbs-signatures §4.2.4 "Serialization").

Every decoder checks lengths, point validity (curve, subgroup, not the identity) and
scalar ranges before any group operation, and raises a typed
:class:`~sdk.errors.EncodingError`; the low-level verify functions turn that into INVALID.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sdk.bbs.utils import R
from sdk.curves import CurveBackend
from sdk.curves.base import G1, G2
from sdk.errors import EncodingError, InvalidScalarError
from sdk.reasons import BbsReason

__all__ = [
    "Proof",
    "Signature",
    "octets_to_proof",
    "octets_to_pubkey",
    "octets_to_scalar",
    "octets_to_signature",
    "proof_to_octets",
    "signature_to_octets",
]

POINT_LEN = 48
SCALAR_LEN = 32
SIGNATURE_LEN = POINT_LEN + SCALAR_LEN
PROOF_FLOOR = 3 * POINT_LEN + 4 * SCALAR_LEN  # 272


@dataclass(frozen=True)
class Signature:
    A: G1
    e: int


@dataclass(frozen=True)
class Proof:
    """(Abar, Bbar, D, e^, r1^, r3^, (m^_j1, ..., m^_jU), c) as in §3.7.2 ProofFinalize."""

    Abar: G1
    Bbar: G1
    D: G1
    e_hat: int
    r1_hat: int
    r3_hat: int
    m_hat: tuple[int, ...]
    challenge: int


def octets_to_scalar(data: bytes, what: str = "scalar") -> int:
    """A 32-byte big-endian scalar with 0 < x < r (§4.2.4.3 / §4.2.4.5)."""
    if len(data) != SCALAR_LEN:
        raise InvalidScalarError(f"{what} must be {SCALAR_LEN} bytes, got {len(data)}")
    x = int.from_bytes(data, "big")
    if x == 0 or x >= R:
        raise InvalidScalarError(f"{what} is out of range (must be in 1..r-1)")
    return x


def signature_to_octets(A: G1, e: int, backend: CurveBackend) -> bytes:
    """§4.2.4.2 signature_to_octets: A (48) || I2OSP(e, 32)."""
    return backend.g1_to_bytes(A) + e.to_bytes(SCALAR_LEN, "big")


def octets_to_signature(data: bytes, backend: CurveBackend) -> Signature:
    """§4.2.4.3 octets_to_signature: exact length, A valid and not identity, 0 < e < r."""
    if not isinstance(data, (bytes, bytearray, memoryview)) or len(data) != SIGNATURE_LEN:
        raise EncodingError(
            f"a BBS signature is {SIGNATURE_LEN} bytes", reason=BbsReason.INVALID_LENGTH
        )
    data = bytes(data)
    A = backend.g1_from_bytes(data[:POINT_LEN])
    e = octets_to_scalar(data[POINT_LEN:], "signature scalar e")
    return Signature(A, e)


def proof_to_octets(
    Abar: G1, Bbar: G1, D: G1, scalars: list[int], backend: CurveBackend
) -> bytes:
    """§4.2.4.4 proof_to_octets: the three points, then every scalar as 32 bytes."""
    out = [backend.g1_to_bytes(Abar), backend.g1_to_bytes(Bbar), backend.g1_to_bytes(D)]
    out.extend(s.to_bytes(SCALAR_LEN, "big") for s in scalars)
    return b"".join(out)


def octets_to_proof(data: bytes, backend: CurveBackend) -> Proof:
    """§4.2.4.5 octets_to_proof: >= 272 bytes, (len - 272) % 32 == 0, valid points, 0 < s < r."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise EncodingError("a BBS proof must be bytes")
    n = len(data)
    if n < PROOF_FLOOR or (n - PROOF_FLOOR) % SCALAR_LEN:
        raise EncodingError(
            f"a BBS proof is 272 + 32*U bytes, got {n}", reason=BbsReason.INVALID_LENGTH
        )
    data = bytes(data)
    pts = [
        backend.g1_from_bytes(data[i * POINT_LEN : (i + 1) * POINT_LEN]) for i in range(3)
    ]
    off = 3 * POINT_LEN
    scalars = [
        octets_to_scalar(data[i : i + SCALAR_LEN], "proof scalar")
        for i in range(off, n, SCALAR_LEN)
    ]
    return Proof(
        pts[0], pts[1], pts[2], scalars[0], scalars[1], scalars[2], tuple(scalars[3:-1]),
        scalars[-1],
    )


def octets_to_pubkey(data: bytes, backend: CurveBackend) -> G2:
    """§4.2.4.6 octets_to_pubkey: a valid G2 point in the subgroup, not the identity.

    Cached: issuer keys are few and long-lived, and the G2 subgroup check is the most
    expensive decode (pure Python). Failures are not cached (they raise).
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise EncodingError("a BBS public key must be bytes")
    return _pubkey_cached(bytes(data), backend)


@lru_cache(maxsize=512)
def _pubkey_cached(data: bytes, backend: CurveBackend) -> G2:
    return backend.g2_from_bytes(data)
