"""Portable pure-Python backend.

G1 arithmetic (``sdk.curves.g1``: Jacobian coordinates, GLV, wNAF, Straus, cached
tables for fixed bases) and the pairing (``sdk.curves.pairing`` on the int tower of
``sdk.curves.tower``: prepared G2 lines, one shared Miller loop and one cyclotomic final
exponentiation per check) run on plain Python ints; ``specs/portable-curves.md`` cites
the methods. py-ecc supplies the G2 group law, G2 point compression and the SSWU map to
G1 (off the hot path: decoded G2 points and map outputs are cached).

Known trap handled here: py-ecc's decompression does not check subgroup membership, so
every decode runs an explicit check (G1: the endomorphism test of Scott, "A note on
group membership tests for G1, G2 and GT on BLS pairing-friendly curves", ePrint
2021/1130, section 6: P is in G1 iff phi(P) == -u^2 * P with phi(x, y) = (beta * x, y);
G2: [r]Q == O).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from py_ecc.bls.hash_to_curve import map_to_curve_G1
from py_ecc.bls.point_compression import compress_G2, decompress_G2
from py_ecc.fields import optimized_bls12_381_FQ as _FQ
from py_ecc.optimized_bls12_381 import optimized_curve as _o

from sdk.curves import g1 as _g1
from sdk.curves.base import G1, G2, check_compressed_header
from sdk.curves.g1 import in_g1 as _in_g1
from sdk.curves.hashing import BLS12_381_P, BLS12_381_R
from sdk.curves.pairing import G2Affine, PreparedG2, multi_pairing_is_one, prepare_g2
from sdk.curves.tower import fp2_inv, fp2_mul
from sdk.errors import InvalidPointError
from sdk.reasons import CurveReason

__all__ = ["PyEccBackend"]

_P = BLS12_381_P
_R = BLS12_381_R
_B = 4
# h_eff for G1 (RFC 9380 section 8.8.1): 1 - u
_H_EFF_G1 = 0xD201000000010001
_HALF_P = (_P - 1) // 2

Jac = _g1.Jac
_INF = _g1.INF
_GEN = _g1.GEN
_g1.register_fixed(_GEN)


def _from_pyecc_g1(pt: Any) -> Jac:
    # py-ecc optimized points are homogeneous projective (x/z, y/z)
    x, y, z = (int(c) for c in pt)
    if z == 0:
        return _INF
    zi = pow(z, -1, _P)
    return (x * zi % _P, y * zi % _P, 1)


def _g2_affine(q: Any) -> G2Affine:
    """Affine int coordinates of a py-ecc G2 point other than the identity."""
    x, y, z = q
    zi = fp2_inv((int(z.coeffs[0]), int(z.coeffs[1])))
    return (
        fp2_mul((int(x.coeffs[0]), int(x.coeffs[1])), zi),
        fp2_mul((int(y.coeffs[0]), int(y.coeffs[1])), zi),
    )


@lru_cache(maxsize=64)
def _prepared(q: G2Affine) -> PreparedG2:
    # A verifier sees few G2 points (BP2 and the issuers' keys): their lines are cached.
    return prepare_g2(q)


# --------------------------------------------------------------------------- backend


class PyEccBackend:
    """CurveBackend implementation in pure Python (int arithmetic, py-ecc for G2 and SSWU)."""

    name = "pyecc"

    # -- G1 -------------------------------------------------------------------
    def g1_generator(self) -> G1:
        return _GEN

    def g1_identity(self) -> G1:
        return _INF

    def g1_add(self, a: G1, b: G1) -> G1:
        return _g1.add(a, b)

    def g1_neg(self, a: G1) -> G1:
        return _g1.neg(a)

    def g1_mul(self, a: G1, k: int) -> G1:
        return _g1.mul(a, k)

    def g1_msm(self, points: Sequence[G1], scalars: Sequence[int]) -> G1:
        if len(points) != len(scalars):
            raise ValueError("msm needs as many scalars as points")
        return _g1.msm(points, scalars)

    def g1_prepare_fixed(self, a: G1, uses: int = 1) -> None:
        # sdk.curves.g1 registers the map's outputs (the generators) itself and promotes
        # affine points after a few uses: nothing to add here
        return None

    def g1_eq(self, a: G1, b: G1) -> bool:
        return _g1.eq(a, b)

    def g1_is_identity(self, a: G1) -> bool:
        return bool(a[2] == 0)

    def g1_to_bytes(self, a: G1) -> bytes:
        if a[2] == 0:
            return b"\xc0" + bytes(47)
        x, y = _g1.affine(a)
        flags = 0x80 | (0x20 if y > _HALF_P else 0)
        out = bytearray(x.to_bytes(48, "big"))
        out[0] |= flags
        return bytes(out)

    def g1_from_bytes(self, data: bytes, *, allow_identity: bool = False) -> G1:
        if check_compressed_header(data, 48, "G1"):
            if not allow_identity:
                raise InvalidPointError("G1 point is the identity", reason=CurveReason.IDENTITY_POINT)
            return _INF
        return _g1_decode(bytes(data))

    def map_to_g1(self, u0: int, u1: int) -> G1:
        return _map_to_g1(u0 % _P, u1 % _P)

    # -- G2 -------------------------------------------------------------------
    def g2_generator(self) -> G2:
        return _o.G2

    def g2_add(self, a: G2, b: G2) -> G2:
        return _o.add(a, b)

    def g2_neg(self, a: G2) -> G2:
        return _o.neg(a)

    def g2_mul(self, a: G2, k: int) -> G2:
        return _o.multiply(a, k % _R)

    def g2_is_identity(self, a: G2) -> bool:
        return bool(_o.is_inf(a))

    def g2_to_bytes(self, a: G2) -> bytes:
        z1, z2 = compress_G2(a)
        return z1.to_bytes(48, "big") + z2.to_bytes(48, "big")

    def g2_from_bytes(self, data: bytes, *, allow_identity: bool = False) -> G2:
        if check_compressed_header(data, 96, "G2"):
            if not allow_identity:
                raise InvalidPointError("G2 point is the identity", reason=CurveReason.IDENTITY_POINT)
            return _o.Z2
        return _g2_decode(bytes(data))

    # -- pairing --------------------------------------------------------------
    def pairing_check(self, pairs: Sequence[tuple[G1, G2]]) -> bool:
        prepared = []
        for p, q in pairs:
            if p[2] == 0 or _o.is_inf(q):
                continue  # h(O, Q) = h(P, O) = 1
            prepared.append((_g1.affine(p), _prepared(_g2_affine(q))))
        return multi_pairing_is_one(prepared)


@lru_cache(maxsize=1024)
def _map_to_g1(u0: int, u1: int) -> Jac:
    """RFC 9380 section 3 steps 2-6; cached, since what BBS hashes to the curve (generator
    seeds, a verifier's pseudonym context) recurs, and py-ecc's SSWU costs milliseconds."""
    q = _o.add(map_to_curve_G1(_FQ(u0)), map_to_curve_G1(_FQ(u1)))
    h = _g1.mul_naive(_from_pyecc_g1(q), _H_EFF_G1)
    if h[2] == 0:
        return _INF
    x, y = _g1.affine(h)
    # outputs of the map are generators (BBS H_i, Q_1, pseudonym bases): fixed bases
    pt = (x, y, 1)
    _g1.register_fixed(pt)
    return pt


def _g1_decode(data: bytes) -> Jac:
    s_flag = bool(data[0] & 0x20)
    x = int.from_bytes(data, "big") & ((1 << 381) - 1)
    if x >= _P:
        raise InvalidPointError("G1 point x-coordinate is not a field element")
    y2 = (x * x * x + _B) % _P
    y = pow(y2, (_P + 1) // 4, _P)
    if y * y % _P != y2:
        raise InvalidPointError("G1 point is not on the curve (x has no square root)")
    if (y > _HALF_P) != s_flag:
        y = _P - y
    p = (x, y, 1)
    if not _in_g1(p):
        raise InvalidPointError(
            "G1 point is not in the prime-order subgroup", reason=CurveReason.NOT_IN_SUBGROUP
        )
    return p


@lru_cache(maxsize=256)
def _g2_decode(data: bytes) -> Any:
    # decompress_G2 checks flags, x < p, and that a square root exists; not the subgroup.
    z1 = int.from_bytes(data[:48], "big")
    z2 = int.from_bytes(data[48:], "big")
    try:
        q = decompress_G2((z1, z2))  # type: ignore[arg-type]
    except ValueError as exc:
        raise InvalidPointError(f"G2 point is not on the curve: {exc}") from exc
    if not _o.is_on_curve(q, _o.b2):
        raise InvalidPointError("G2 point is not on the curve")
    if not _o.is_inf(_o.multiply(q, _R)):
        raise InvalidPointError(
            "G2 point is not in the prime-order subgroup", reason=CurveReason.NOT_IN_SUBGROUP
        )
    return q


