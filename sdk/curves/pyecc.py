"""Portable pure-Python backend on py-ecc.

G1 arithmetic, the hot path of BBS (multi-scalar multiplications, subgroup checks), is
done here on plain Python ints in Jacobian coordinates, which is several times faster
than going through py-ecc's field objects; py-ecc supplies G2 and the SSWU map; the
pairing runs on the int tower of ``sdk.curves.tower`` with prepared G2 lines, one shared
Miller loop and one cyclotomic final exponentiation per check (``sdk.curves.pairing``).

Known trap handled here: py-ecc's decompression does not check subgroup membership, so
every decode runs an explicit check (G1: the endomorphism test of Scott, "A note on
group membership tests for G1, G2 and GT on BLS pairing-friendly curves", ePrint
2021/1130, §6: P is in G1 iff phi(P) == -u^2 * P with phi(x, y) = (beta * x, y);
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

from sdk.curves.base import G1, G2, check_compressed_header
from sdk.curves.hashing import BLS12_381_P, BLS12_381_R
from sdk.curves.pairing import G2Affine, PreparedG2, multi_pairing_is_one, prepare_g2
from sdk.curves.tower import fp2_inv, fp2_mul
from sdk.errors import InvalidPointError

__all__ = ["PyEccBackend"]

_P = BLS12_381_P
_R = BLS12_381_R
_B = 4
# BLS parameter u = -0xd201000000010000; u^2 is positive.
_U_ABS = 0xD201000000010000
_U2 = _U_ABS * _U_ABS
# h_eff for G1 (RFC 9380 §8.8.1): 1 - u
_H_EFF_G1 = 0xD201000000010001
# Primitive cube root of unity in Fp for which phi(G1) == -u^2 * G1.
_BETA = 0x5F19672FDF76CE51BA69C6076A0F77EADDB3A93BE6F89688DE17D813620A00022E01FFFFFFFEFFFE
_HALF_P = (_P - 1) // 2

Jac = tuple[int, int, int]  # (X, Y, Z) with x = X/Z^2, y = Y/Z^3; Z == 0 is the identity
_INF: Jac = (1, 1, 0)
_GEN: Jac = (
    0x17F1D3A73197D7942695638C4FA9AC0FC3688C4F9774B905A14E3A3F171BAC586C55E83FF97A1AEFFB3AF00ADB22C6BB,
    0x08B3F481E3AAA0F1A09E30ED741D8AE4FCF5E095D5D00AF600DB18CB2C04B3EDD03CC744A2888AE40CAA232946C5E7E1,
    1,
)


# --------------------------------------------------------------------------- G1 math


def _dbl(p: Jac) -> Jac:
    # dbl-2009-l (a = 0)
    X, Y, Z = p
    if Z == 0 or Y == 0:
        return _INF
    A = X * X % _P
    B = Y * Y % _P
    C = B * B % _P
    D = 2 * ((X + B) * (X + B) - A - C) % _P
    E = 3 * A % _P
    F = E * E % _P
    X3 = (F - 2 * D) % _P
    Y3 = (E * (D - X3) - 8 * C) % _P
    Z3 = 2 * Y * Z % _P
    return (X3, Y3, Z3)


def _add(p: Jac, q: Jac) -> Jac:
    # add-2007-bl, complete by explicit special cases
    X1, Y1, Z1 = p
    X2, Y2, Z2 = q
    if Z1 == 0:
        return q
    if Z2 == 0:
        return p
    Z1Z1 = Z1 * Z1 % _P
    Z2Z2 = Z2 * Z2 % _P
    U1 = X1 * Z2Z2 % _P
    U2 = X2 * Z1Z1 % _P
    S1 = Y1 * Z2 * Z2Z2 % _P
    S2 = Y2 * Z1 * Z1Z1 % _P
    H = (U2 - U1) % _P
    rr = 2 * (S2 - S1) % _P
    if H == 0:
        if rr == 0:
            return _dbl(p)
        return _INF
    I = 4 * H * H % _P  # noqa: E741
    J = H * I % _P
    V = U1 * I % _P
    X3 = (rr * rr - J - 2 * V) % _P
    Y3 = (rr * (V - X3) - 2 * S1 * J) % _P
    Z3 = ((Z1 + Z2) * (Z1 + Z2) - Z1Z1 - Z2Z2) * H % _P
    return (X3, Y3, Z3)


def _neg(p: Jac) -> Jac:
    return (p[0], (-p[1]) % _P, p[2])


def _eq(p: Jac, q: Jac) -> bool:
    if p[2] == 0 or q[2] == 0:
        return p[2] == 0 and q[2] == 0
    z1z1 = p[2] * p[2] % _P
    z2z2 = q[2] * q[2] % _P
    if p[0] * z2z2 % _P != q[0] * z1z1 % _P:
        return False
    return p[1] * z2z2 * q[2] % _P == q[1] * z1z1 * p[2] % _P


def _affine(p: Jac) -> tuple[int, int]:
    zi = pow(p[2], -1, _P)
    zi2 = zi * zi % _P
    return p[0] * zi2 % _P, p[1] * zi2 * zi % _P


def _mul_small(p: Jac, k: int) -> Jac:
    """Left-to-right double-and-add, for public scalars (subgroup checks, cofactors)."""
    acc = _INF
    for bit in bin(k)[2:]:
        acc = _dbl(acc)
        if bit == "1":
            acc = _add(acc, p)
    return acc


_WINDOW = 4


def _msm(points: Sequence[Jac], scalars: Sequence[int]) -> Jac:
    """Straus' interleaved method with 4-bit windows: shared doublings for all points."""
    pairs = [(p, k % _R) for p, k in zip(points, scalars, strict=True)]
    pairs = [(p, k) for p, k in pairs if k and p[2]]
    if not pairs:
        return _INF
    tables = []
    for p, _ in pairs:
        t = [_INF, p]
        for _i in range(2, 1 << _WINDOW):
            t.append(_add(t[-1], p))
        tables.append(t)
    nbits = max(k.bit_length() for _, k in pairs)
    nwin = -(-nbits // _WINDOW)
    mask = (1 << _WINDOW) - 1
    acc = _INF
    for w in range(nwin - 1, -1, -1):
        if acc[2]:
            for _ in range(_WINDOW):
                acc = _dbl(acc)
        shift = w * _WINDOW
        for (_, k), t in zip(pairs, tables, strict=True):
            d = (k >> shift) & mask
            if d:
                acc = _add(acc, t[d])
    return acc


def _in_g1(p: Jac) -> bool:
    # Scott, ePrint 2021/1130 §6: phi(P) == -u^2 * P
    phi = (p[0] * _BETA % _P, p[1], p[2])
    return _eq(phi, _neg(_mul_small(p, _U2)))



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


def _from_pyecc_g1(pt: Any) -> Jac:
    # py-ecc optimized points are homogeneous projective (x/z, y/z)
    x, y, z = (int(c) for c in pt)
    if z == 0:
        return _INF
    zi = pow(z, _P - 2, _P)
    return (x * zi % _P, y * zi % _P, 1)


# --------------------------------------------------------------------------- backend


class PyEccBackend:
    """CurveBackend implementation in pure Python (py-ecc plus int arithmetic for G1)."""

    name = "pyecc"

    # -- G1 -------------------------------------------------------------------
    def g1_generator(self) -> G1:
        return _GEN

    def g1_identity(self) -> G1:
        return _INF

    def g1_add(self, a: G1, b: G1) -> G1:
        return _add(a, b)

    def g1_neg(self, a: G1) -> G1:
        return _neg(a)

    def g1_mul(self, a: G1, k: int) -> G1:
        return _msm([a], [k])

    def g1_msm(self, points: Sequence[G1], scalars: Sequence[int]) -> G1:
        if len(points) != len(scalars):
            raise ValueError("msm needs as many scalars as points")
        return _msm(points, scalars)

    def g1_eq(self, a: G1, b: G1) -> bool:
        return _eq(a, b)

    def g1_is_identity(self, a: G1) -> bool:
        return bool(a[2] == 0)

    def g1_to_bytes(self, a: G1) -> bytes:
        if a[2] == 0:
            return b"\xc0" + bytes(47)
        x, y = _affine(a)
        flags = 0x80 | (0x20 if y > _HALF_P else 0)
        out = bytearray(x.to_bytes(48, "big"))
        out[0] |= flags
        return bytes(out)

    def g1_from_bytes(self, data: bytes, *, allow_identity: bool = False) -> G1:
        if check_compressed_header(data, 48, "G1"):
            if not allow_identity:
                raise InvalidPointError("G1 point is the identity", reason="identity_point")
            return _INF
        return _g1_decode(bytes(data))

    def map_to_g1(self, u0: int, u1: int) -> G1:
        q = _o.add(map_to_curve_G1(_FQ(u0)), map_to_curve_G1(_FQ(u1)))
        return _mul_small(_from_pyecc_g1(q), _H_EFF_G1)

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
                raise InvalidPointError("G2 point is the identity", reason="identity_point")
            return _o.Z2
        return _g2_decode(bytes(data))

    # -- pairing --------------------------------------------------------------
    def pairing_check(self, pairs: Sequence[tuple[G1, G2]]) -> bool:
        prepared = []
        for p, q in pairs:
            if p[2] == 0 or _o.is_inf(q):
                continue  # h(O, Q) = h(P, O) = 1
            prepared.append((_affine(p), _prepared(_g2_affine(q))))
        return multi_pairing_is_one(prepared)


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
            "G1 point is not in the prime-order subgroup", reason="not_in_subgroup"
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
            "G2 point is not in the prime-order subgroup", reason="not_in_subgroup"
        )
    return q


