"""Native backend on py-arkworks-bls12381 (Rust arkworks via PyO3).

Known traps of the binding, handled here:
- ``from_compressed_bytes`` accepts any encoding with the infinity flag set, even with
  non-zero x bits, and returns the identity: the header is checked by
  :func:`check_compressed_header` first.
- ``Scalar(int)`` silently reduces mod r; ``Scalar.from_be_bytes`` rejects values >= r and
  is ~10x faster, so scalars go through 32 big-endian bytes after an explicit ``% r``.
- Binding errors are plain ``ValueError``: they become :class:`InvalidPointError`.

Speed: one native scalar multiplication costs about 250 native point additions, and a
point addition through the binding about 1 microsecond, so for bases used again and
again (the BBS generators, P1, a key's ``P1 + Q_1 * domain``, a scope's pseudonym base)
a precomputed table pays: :meth:`ArkworksBackend.g1_prepare_fixed` marks such a point and
``g1_msm`` then sums it with the fixed-base comb of Lim and Lee ("More flexible
exponentiation with precomputation", CRYPTO 1994): the scalar is cut into 10 rows of 26
bits, the table holds the 1024 sums of ``2^(26 i) P`` over subsets of rows, and a sum over
n fixed bases costs 25 shared doublings and at most 26 n additions (about 25 us per base
against about 200 us for a native multiplication). Other points go through the native ``*`` or
``multiexp_unchecked``. The comb's table index is a digit of the scalar, so timing depends
on secret scalars here as in the native code: no constant-time claim (docs/security.md).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import Any

import py_arkworks_bls12381 as ark

from sdk.curves.base import G1, G2, check_compressed_header
from sdk.curves.g1 import BETA, glv_split
from sdk.curves.hashing import BLS12_381_P, BLS12_381_R
from sdk.errors import InvalidPointError
from sdk.reasons import CurveReason

__all__ = ["ArkworksBackend"]

_R = BLS12_381_R


def _scalar(k: int) -> ark.Scalar:
    return ark.Scalar.from_be_bytes((k % _R).to_bytes(32, "big"))


# -- fixed-base comb (Lim-Lee), 10 rows x 26 columns ---------------------------------
_ROWS, _COLS = 10, 26  # 10 * 26 = 260 bits >= the 255 bits of r
_ROW_MASK = (1 << _COLS) - 1
_MAX_FIXED = 128  # registered bases (a table is 1024 points, about 180 kB, built on use)
_MAX_COMB = 64  # above this many fixed bases in one sum, native Pippenger is as good
_MAX_GLV = 4  # variable bases split by GLV up to this many (about 20% faster at 2 and 3)
_DIGITS = struct.Struct(f"<{_COLS}H")

# _SPREAD[b] puts bit t of the byte b at bit 16 t: a row transposed, 16 bits per column
_SPREAD = [sum(((b >> t) & 1) << (16 * t) for t in range(8)) for b in range(256)]


def _comb_digits(k: int) -> tuple[int, ...]:
    """Digit j = column j of the comb: bit i of it is bit 26 i + j of k (0 <= k < 2^260)."""
    sp = _SPREAD
    z = 0
    for i in range(_ROWS):
        row = (k >> (_COLS * i)) & _ROW_MASK
        z |= (
            sp[row & 0xFF]
            | sp[(row >> 8) & 0xFF] << 128
            | sp[(row >> 16) & 0xFF] << 256
            | sp[row >> 24] << 384
        ) << i
    digits: tuple[int, ...] = _DIGITS.unpack(z.to_bytes(2 * _COLS, "little"))
    return digits


def _comb_table(p: Any) -> list[Any]:
    """T[v] = sum of 2^(32 i) P over the bits i of v (T[0] unused)."""
    table: list[Any] = [None] * (1 << _ROWS)
    cur = p
    for i in range(_ROWS):
        table[1 << i] = cur
        if i + 1 < _ROWS:
            for _ in range(_COLS):
                cur = cur + cur
    for v in range(3, 1 << _ROWS):
        low = v & -v
        if low != v:
            table[v] = table[v ^ low] + table[low]
    return table


def _comb(tables: Sequence[list[Any]], scalars: Sequence[int]) -> Any:
    """sum_i scalars[i] * P_i from the P_i's comb tables (scalars in [0, r)); None for zero."""
    digits = [_comb_digits(k) for k in scalars]
    pairs = list(zip(tables, digits, strict=True))
    acc = None
    for j in range(_COLS - 1, -1, -1):
        if acc is not None:
            acc = acc + acc
        for table, d in pairs:
            v = d[j]
            if v:
                acc = table[v] if acc is None else acc + table[v]
    return acc


class ArkworksBackend:
    """CurveBackend implementation backed by arkworks (constant-time-ish native code)."""

    name = "arkworks"

    def __init__(self) -> None:
        self._g1 = ark.G1Point()
        self._g2 = ark.G2Point()
        self._g1_inf = ark.G1Point.identity()
        self._g2_inf = ark.G2Point.identity()
        # id(point) -> [point, comb table or None, uses before the table is built, uses
        # asked for]; the entry holds the point, so its id cannot be reused meanwhile
        self._fixed: dict[int, list[Any]] = {}

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
        if id(a) in self._fixed:
            return self.g1_msm([a], [k])
        return a * _scalar(k)

    def g1_msm(self, points: Sequence[G1], scalars: Sequence[int]) -> G1:
        if len(points) != len(scalars):
            raise ValueError("msm needs as many scalars as points")
        fixed = self._fixed
        tables: list[list[Any]] = []
        fixed_k: list[int] = []
        var_p: list[G1] = []
        var_k: list[int] = []
        for p, k in zip(points, scalars, strict=True):
            k %= _R
            if not k:
                continue
            entry = fixed.get(id(p))
            if entry is not None and entry[0] is p and len(tables) < _MAX_COMB:
                table = entry[1]
                if table is None:
                    entry[2] -= 1
                    if entry[2] > 0:
                        var_p.append(p)
                        var_k.append(k)
                        continue
                    table = entry[1] = _comb_table(p)
                tables.append(table)
                fixed_k.append(k)
            else:
                var_p.append(p)
                var_k.append(k)
        acc = _comb(tables, fixed_k) if tables else None
        if var_p:
            if len(var_p) == 1:
                v = var_p[0] * ark.Scalar.from_be_bytes(var_k[0].to_bytes(32, "big"))
            elif len(var_p) <= _MAX_GLV:
                v = self._glv_msm(var_p, var_k)
            else:  # many points (a batch's weighted sums, 64-bit weights): Pippenger as is
                v = ark.G1Point.multiexp_unchecked(
                    var_p, [ark.Scalar.from_be_bytes(k.to_bytes(32, "big")) for k in var_k]
                )
            acc = v if acc is None else acc + v
        return self._g1_inf if acc is None else acc

    def _glv_msm(self, points: list[G1], scalars: list[int]) -> G1:
        """sum k_i P_i natively, each k_i P_i split as k0 P + k1 (-phi(P)) with k0, k1 < 2^128
        (GLV; phi(x, y) = (beta x, y) is [-u^2] on G1, see sdk.curves.g1): the binding's
        multi-scalar multiplication walks only the bits of its largest scalar, so twice the
        points at half the length cost about 20% less for 2 or 3 points. Every G1 point in
        sdk is in the prime-order subgroup (checked decoding, hashing with cofactor
        clearing, or arithmetic on such points), where this identity holds."""
        pts: list[G1] = []
        scs: list[ark.Scalar] = []
        inf = self._g1_inf
        for p, k in zip(points, scalars, strict=True):
            if p == inf:
                continue
            k0, k1 = glv_split(k)
            if not k1:  # a short scalar: nothing to split
                pts.append(p)
                scs.append(ark.Scalar.from_be_bytes(k0.to_bytes(32, "big")))
                continue
            xy = p.to_xy_bytes_be()
            x = int.from_bytes(xy[:48], "big") * BETA % BLS12_381_P
            pts.append(p)
            pts.append(-ark.G1Point.from_xy_bytes_unchecked_be(x.to_bytes(48, "big") + xy[48:]))
            scs.append(ark.Scalar.from_be_bytes(k0.to_bytes(32, "big")))
            scs.append(ark.Scalar.from_be_bytes(k1.to_bytes(32, "big")))
        if not pts:
            return inf
        return ark.G1Point.multiexp_unchecked(pts, scs)

    def g1_prepare_fixed(self, a: G1, uses: int = 1) -> None:
        entry = self._fixed.get(id(a))
        if entry is not None and entry[0] is a:
            return
        if len(self._fixed) >= _MAX_FIXED:
            # drop the per-value bases first (uses > 1: disclosed-value bases, scope bases);
            # generators and key bases (uses == 1) stay unless they alone fill the registry
            kept = {i: e for i, e in self._fixed.items() if e[3] == 1}
            self._fixed = kept if len(kept) < _MAX_FIXED // 2 else {}
        self._fixed[id(a)] = [a, None, max(1, uses), uses]

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
