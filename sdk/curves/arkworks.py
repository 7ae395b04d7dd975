"""Native backend on py-arkworks-bls12381 (Rust arkworks via PyO3).

Known traps of the binding, handled here:
- ``from_compressed_bytes`` accepts any encoding with the infinity flag set, even with
  non-zero x bits, and returns the identity: the header is checked by
  :func:`check_compressed_header` first.
- ``Scalar(int)`` silently reduces mod r; ``Scalar.from_be_bytes`` rejects values >= r and
  is ~10x faster, so scalars go through 32 big-endian bytes after an explicit ``% r``.
- Binding errors are plain ``ValueError``: they become :class:`InvalidPointError`.
"""

from __future__ import annotations

from collections.abc import Sequence

import py_arkworks_bls12381 as ark

from sdk.curves.base import G1, G2, check_compressed_header
from sdk.curves.hashing import BLS12_381_R
from sdk.errors import InvalidPointError
from sdk.reasons import CurveReason

__all__ = ["ArkworksBackend"]

_R = BLS12_381_R


def _scalar(k: int) -> ark.Scalar:
    return ark.Scalar.from_be_bytes((k % _R).to_bytes(32, "big"))


class ArkworksBackend:
    """CurveBackend implementation backed by arkworks (constant-time-ish native code)."""

    name = "arkworks"

    def __init__(self) -> None:
        self._g1 = ark.G1Point()
        self._g2 = ark.G2Point()
        self._g1_inf = ark.G1Point.identity()
        self._g2_inf = ark.G2Point.identity()

    # -- G1 -------------------------------------------------------------------
    def g1_generator(self) -> G1:
        return self._g1

    def g1_identity(self) -> G1:
        return self._g1_inf

    def g1_add(self, a: G1, b: G1) -> G1:
        return a + b

    def g1_neg(self, a: G1) -> G1:
        return -a

    def g1_mul(self, a: G1, k: int) -> G1:
        return a * _scalar(k)

    def g1_msm(self, points: Sequence[G1], scalars: Sequence[int]) -> G1:
        if len(points) != len(scalars):
            raise ValueError("msm needs as many scalars as points")
        if not points:
            return self._g1_inf
        return ark.G1Point.multiexp_unchecked(list(points), [_scalar(k) for k in scalars])

    def g1_eq(self, a: G1, b: G1) -> bool:
        return bool(a == b)

    def g1_is_identity(self, a: G1) -> bool:
        return bool(a == self._g1_inf)

    def g1_to_bytes(self, a: G1) -> bytes:
        return bytes(a.to_compressed_bytes())

    def g1_from_bytes(self, data: bytes, *, allow_identity: bool = False) -> G1:
        if check_compressed_header(data, 48, "G1"):
            if not allow_identity:
                raise InvalidPointError("G1 point is the identity", reason=CurveReason.IDENTITY_POINT)
            return self._g1_inf
        try:
            # checked decode: x < p, on the curve, in the prime-order subgroup
            return ark.G1Point.from_compressed_bytes(bytes(data))
        except ValueError as exc:
            raise InvalidPointError(
                "G1 point is not on the curve or not in the prime-order subgroup"
            ) from exc

    def map_to_g1(self, u0: int, u1: int) -> G1:
        # map_from_fp applies SSWU + 11-isogeny + cofactor clearing; clearing is linear,
        # so clear(map(u0)) + clear(map(u1)) == clear(map(u0) + map(u1)) as RFC 9380 §3.
        q0 = ark.G1Point.map_from_fp_be(u0.to_bytes(48, "big"))
        q1 = ark.G1Point.map_from_fp_be(u1.to_bytes(48, "big"))
        return q0 + q1

    # -- G2 -------------------------------------------------------------------
    def g2_generator(self) -> G2:
        return self._g2

    def g2_add(self, a: G2, b: G2) -> G2:
        return a + b

    def g2_neg(self, a: G2) -> G2:
        return -a

    def g2_mul(self, a: G2, k: int) -> G2:
        return a * _scalar(k)

    def g2_is_identity(self, a: G2) -> bool:
        return bool(a == self._g2_inf)

    def g2_to_bytes(self, a: G2) -> bytes:
        return bytes(a.to_compressed_bytes())

    def g2_from_bytes(self, data: bytes, *, allow_identity: bool = False) -> G2:
        if check_compressed_header(data, 96, "G2"):
            if not allow_identity:
                raise InvalidPointError("G2 point is the identity", reason=CurveReason.IDENTITY_POINT)
            return self._g2_inf
        try:
            return ark.G2Point.from_compressed_bytes(bytes(data))
        except ValueError as exc:
            raise InvalidPointError(
                "G2 point is not on the curve or not in the prime-order subgroup"
            ) from exc

    # -- pairing --------------------------------------------------------------
    def pairing_check(self, pairs: Sequence[tuple[G1, G2]]) -> bool:
        # multi Miller loop with a single final exponentiation, compared with 1 in GT
        return bool(ark.GT.pairing_check([p for p, _ in pairs], [q for _, q in pairs]))
