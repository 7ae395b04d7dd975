"""The CurveBackend protocol: what BBS needs from BLS12-381, nothing more.

Points are opaque objects owned by a backend; they never leave ``sdk``. Scalars cross
the boundary as Python ints, reduced mod r by the caller. ``g1_from_bytes`` and
``g2_from_bytes`` always check length, flags, the curve equation and subgroup
membership, and reject the identity unless asked not to, so no caller can forget.

Encodings follow the ZCash / pairing-friendly-curves compressed format used by the BBS
draft (draft-irtf-cfrg-bbs-signatures Appendix B.2 "Point Encoding"): 48 bytes for G1,
96 bytes for G2 (imaginary part of x first), flags C=0x80, I=0x40, S=0x20 in byte 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from sdk.errors import InvalidPointError
from sdk.reasons import CurveReason

__all__ = ["G1", "G2", "CurveBackend", "check_compressed_header"]

# Opaque handles: each backend uses its own point type.
G1 = Any
G2 = Any


def check_compressed_header(data: bytes, length: int, group: str) -> bool:
    """Validate the framing of a compressed encoding; return True if it encodes the identity.

    Appendix B.2 "Point Encoding" (ZCash format): reject a wrong length, an uncompressed
    encoding (C = 0), the flag bytes 0x20/0x60/0xE0, and an infinity encoding whose other
    bits are not all zero. The curve and subgroup checks come after, in the backend.
    """
    if not isinstance(data, (bytes, bytearray)):
        raise InvalidPointError(f"{group} point must be bytes, not {type(data).__name__}")
    if len(data) != length:
        raise InvalidPointError(
            f"{group} point must be {length} bytes, got {len(data)}", reason=CurveReason.INVALID_LENGTH
        )
    flags = data[0] & 0xE0
    if not flags & 0x80:
        raise InvalidPointError(f"{group} point is not in compressed form", reason=CurveReason.INVALID_POINT)
    if flags & 0x40:
        # infinity: I set, S clear, and every other bit zero
        if flags & 0x20 or data[0] & 0x1F or any(data[1:]):
            raise InvalidPointError(
                f"{group} infinity encoding has stray bits", reason=CurveReason.INVALID_POINT
            )
        return True
    return False


@runtime_checkable
class CurveBackend(Protocol):
    """Group and pairing operations on BLS12-381 for the BBS drafts."""

    name: str

    def __hash__(self) -> int:
        """Backends are hashable (cached singletons) so per-backend caches can key on them."""
        ...

    # -- G1 -------------------------------------------------------------------
    def g1_generator(self) -> G1: ...
    def g1_identity(self) -> G1: ...
    def g1_add(self, a: G1, b: G1) -> G1: ...
    def g1_neg(self, a: G1) -> G1: ...
    def g1_mul(self, a: G1, k: int) -> G1: ...
    def g1_msm(self, points: Sequence[G1], scalars: Sequence[int]) -> G1:
        """Sum of points[i] * scalars[i] (empty sum is the identity)."""
        ...

    def g1_prepare_fixed(self, a: G1, uses: int = 1) -> None:
        """A hint: ``a`` will be a base of many multiplications (a generator, a key's
        ``P1 + Q_1 * domain``), and the caller keeps this very object for them. A backend
        may precompute tables for it once it has been a base ``uses`` times. Results never
        depend on the hint; only the time does."""
        ...

    def g1_eq(self, a: G1, b: G1) -> bool: ...
    def g1_is_identity(self, a: G1) -> bool: ...
    def g1_to_bytes(self, a: G1) -> bytes: ...
    def g1_from_bytes(self, data: bytes, *, allow_identity: bool = False) -> G1: ...

    def map_to_g1(self, u0: int, u1: int) -> G1:
        """RFC 9380 §3 steps 2-6 for BLS12-381 G1: map_to_curve(u0) + map_to_curve(u1),
        then clear_cofactor (SSWU with the 11-isogeny, h_eff = 0xd201000000010001)."""
        ...

    # -- G2 -------------------------------------------------------------------
    def g2_generator(self) -> G2: ...
    def g2_add(self, a: G2, b: G2) -> G2: ...
    def g2_neg(self, a: G2) -> G2: ...
    def g2_mul(self, a: G2, k: int) -> G2: ...
    def g2_is_identity(self, a: G2) -> bool: ...
    def g2_to_bytes(self, a: G2) -> bytes: ...
    def g2_from_bytes(self, data: bytes, *, allow_identity: bool = False) -> G2: ...

    # -- pairing --------------------------------------------------------------
    def pairing_check(self, pairs: Sequence[tuple[G1, G2]]) -> bool:
        """True iff prod h(P_i, Q_i) == 1 in GT, with one shared final exponentiation."""
        ...
