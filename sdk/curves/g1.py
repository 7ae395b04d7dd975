"""BLS12-381 G1 arithmetic on plain Python ints, for the portable backend.

Points are Jacobian triples (X, Y, Z) with x = X/Z^2, y = Y/Z^3; Z == 0 is the identity.
Formulas from the Explicit-Formulas Database for short Weierstrass a = 0 curves
(dbl-2009-l, add-2007-bl, madd-2007-bl).

Scalar multiplication, from the most to the least general:

- GLV (Gallant, Lambert and Vanstone, "Faster point multiplication on elliptic curves
  with efficient endomorphisms", CRYPTO 2001): phi(x, y) = (beta x, y) acts on G1 as
  multiplication by lambda = -u^2 mod r, and r = u^4 - u^2 + 1, so writing
  k = q u^2 + k0 (0 <= k0 < u^2) gives k P = k0 P + q (-phi(P)) with both halves below
  2^128: half the doublings.
- width-w NAF digits (Solinas, "Efficient arithmetic on Koblitz curves", 2000; odd
  digits in (-2^(w-1), 2^(w-1)), on average one non-zero digit per w + 1 bits) with
  Straus' interleaving (Straus 1964, "Addition chains of vectors"; often called
  Shamir's trick): all points of a multi-scalar multiplication share one chain of
  doublings. The tables of odd multiples are brought to affine form with one shared
  inversion (Montgomery's trick) so that every addition in the loop is a cheaper mixed
  one.
- fixed bases (the generators P1, Q_1, H_i that a BBS signer or verifier uses again and
  again, registered by the backend or promoted after a few uses): their tables of odd
  multiples (width 7) of P, phi(P), [2^64]P and phi([2^64]P) are built once and cached,
  so each costs about 32 mixed additions per full-size scalar inside the shared doubling
  chain, and a sum over fixed bases alone needs 64 doublings instead of 128. (A Pippenger
  bucket sum over cached 2^(5j) P tables was measured too: at the 1 to 12 bases of BBS it
  needed more additions than this, about 52 per base plus 32 to combine the buckets.)

Scalars can be secret (a signer's 1/(SK + e), a prover's blindings) and every method
here branches on them: this backend makes no constant-time claim (docs/security.md); it
is the portable fallback.
"""

from __future__ import annotations

from collections.abc import Sequence

from sdk.curves.hashing import BLS12_381_P, BLS12_381_R

__all__ = [
    "GEN",
    "INF",
    "Jac",
    "add",
    "affine",
    "dbl",
    "eq",
    "glv_split",
    "in_g1",
    "msm",
    "mul",
    "mul_naive",
    "neg",
    "register_fixed",
]

P = BLS12_381_P
R = BLS12_381_R
# BLS parameter u = -0xd201000000010000; u^2 is positive.
U_ABS = 0xD201000000010000
U2 = U_ABS * U_ABS
# Primitive cube root of unity in Fp for which phi(P) == -u^2 * P on G1.
BETA = 0x5F19672FDF76CE51BA69C6076A0F77EADDB3A93BE6F89688DE17D813620A00022E01FFFFFFFEFFFE

Jac = tuple[int, int, int]
Aff = tuple[int, int]
INF: Jac = (1, 1, 0)
GEN: Jac = (
    0x17F1D3A73197D7942695638C4FA9AC0FC3688C4F9774B905A14E3A3F171BAC586C55E83FF97A1AEFFB3AF00ADB22C6BB,
    0x08B3F481E3AAA0F1A09E30ED741D8AE4FCF5E095D5D00AF600DB18CB2C04B3EDD03CC744A2888AE40CAA232946C5E7E1,
    1,
)


# --------------------------------------------------------------------------- group law


def dbl(p: Jac) -> Jac:
    """dbl-2009-l (a = 0)."""
    X, Y, Z = p
    if Z == 0 or Y == 0:
        return INF
    A = X * X % P
    B = Y * Y % P
    C = B * B % P
    t = X + B
    D = 2 * (t * t - A - C) % P
    E = 3 * A
    X3 = (E * E - 2 * D) % P
    return X3, (E * (D - X3) - 8 * C) % P, 2 * Y * Z % P


def add(p: Jac, q: Jac) -> Jac:
    """add-2007-bl, complete by explicit special cases."""
    X1, Y1, Z1 = p
    X2, Y2, Z2 = q
    if Z1 == 0:
        return q
    if Z2 == 0:
        return p
    Z1Z1 = Z1 * Z1 % P
    Z2Z2 = Z2 * Z2 % P
    U1 = X1 * Z2Z2 % P
    S1 = Y1 * Z2 * Z2Z2 % P
    H = (X2 * Z1Z1 - U1) % P
    rr = 2 * (Y2 * Z1 * Z1Z1 - S1) % P
    if H == 0:
        if rr == 0:
            return dbl(p)
        return INF
    I = 4 * H * H % P  # noqa: E741
    J = H * I % P
    V = U1 * I % P
    X3 = (rr * rr - J - 2 * V) % P
    t = Z1 + Z2
    return X3, (rr * (V - X3) - 2 * S1 * J) % P, (t * t - Z1Z1 - Z2Z2) * H % P


def madd(p: Jac, x2: int, y2: int) -> Jac:
    """madd-2007-bl: p + (x2, y2) with the second point affine (Z2 = 1)."""
    X1, Y1, Z1 = p
    if Z1 == 0:
        return x2, y2, 1
    Z1Z1 = Z1 * Z1 % P
    H = (x2 * Z1Z1 - X1) % P
    rr = 2 * (y2 * Z1 * Z1Z1 - Y1) % P
    if H == 0:
        if rr == 0:
            return dbl(p)
        return INF
    HH = H * H % P
    I = 4 * HH  # noqa: E741
    J = H * I % P
    V = X1 * I % P
    X3 = (rr * rr - J - 2 * V) % P
    t = Z1 + H
    return X3, (rr * (V - X3) - 2 * Y1 * J) % P, (t * t - Z1Z1 - HH) % P


def neg(p: Jac) -> Jac:
    return p[0], (-p[1]) % P, p[2]


def eq(p: Jac, q: Jac) -> bool:
    if p[2] == 0 or q[2] == 0:
        return p[2] == 0 and q[2] == 0
    z1z1 = p[2] * p[2] % P
    z2z2 = q[2] * q[2] % P
    if p[0] * z2z2 % P != q[0] * z1z1 % P:
        return False
    return p[1] * z2z2 * q[2] % P == q[1] * z1z1 * p[2] % P


def affine(p: Jac) -> Aff:
    """(x, y) of a point other than the identity."""
    if p[2] == 1:
        return p[0], p[1]
    zi = pow(p[2], -1, P)
    zi2 = zi * zi % P
    return p[0] * zi2 % P, p[1] * zi2 * zi % P


def batch_affine(points: Sequence[Jac]) -> list[Aff]:
    """Affine forms of non-identity points with one inversion (Montgomery's trick)."""
    prefix = []
    acc = 1
    for p in points:
        prefix.append(acc)
        acc = acc * p[2] % P
    inv = pow(acc, -1, P)
    out: list[Aff] = [(0, 0)] * len(points)
    for i in range(len(points) - 1, -1, -1):
        X, Y, Z = points[i]
        zi = inv * prefix[i] % P
        inv = inv * Z % P
        zi2 = zi * zi % P
        out[i] = (X * zi2 % P, Y * zi2 * zi % P)
    return out


def mul_naive(p: Jac, k: int) -> Jac:
    """Left-to-right double-and-add for k >= 0 (public scalars, any point on the curve)."""
    acc = INF
    for bit in bin(k)[2:]:
        acc = dbl(acc)
        if bit == "1":
            acc = add(acc, p)
    return acc


def _mul_u_affine(x: int, y: int) -> Jac:
    """|u| (x, y) for an affine point: 63 doublings (inlined) and 5 mixed additions.

    The inlined doubling maps Z = 0 (the identity) to Z = 0, and ``madd`` handles the
    identity and equal points, so this is complete on the whole curve.
    """
    X, Y, Z = x, y, 1
    for bit in _U_BITS:
        # dbl-2009-l
        A = X * X % P
        B = Y * Y % P
        C = B * B % P
        t = X + B
        D = 2 * (t * t - A - C) % P
        E = 3 * A
        Z = 2 * Y * Z % P
        X = (E * E - 2 * D) % P
        Y = (E * (D - X) - 8 * C) % P
        if bit == "1":
            X, Y, Z = madd((X, Y, Z), x, y)
    return X, Y, Z


_U_BITS = bin(U_ABS)[3:]


def in_g1(p: Jac) -> bool:
    """Scott, ePrint 2021/1130 section 6: P is in G1 iff phi(P) == -u^2 P.

    u^2 P is computed as |u| (|u| P), two 64-bit multiplications of low weight.
    """
    if p[2] == 0:
        return True
    x, y = affine(p)
    q = _mul_u_affine(x, y)
    if q[2] == 0:
        return False  # |u| P = O: P has order dividing |u|, never r (P != O here)
    qx, qy = affine(q)
    return eq((x * BETA % P, y, 1), neg(_mul_u_affine(qx, qy)))


# --------------------------------------------------------------------------- scalars


def glv_split(k: int) -> tuple[int, int]:
    """(k0, k1) with k = k0 + k1 u^2 and k0, k1 < 2^128, for 0 <= k < r.

    Then k P = k0 P + k1 (-phi(P)) on G1, since phi = [-u^2].
    """
    k1, k0 = divmod(k, U2)
    return k0, k1


def wnaf(k: int, w: int) -> list[tuple[int, int]]:
    """The non-zero width-w NAF digits of k >= 0 as (position, digit), lowest first.

    Runs of zero bits are skipped in one step (their length is the number of trailing
    zeros), so the loop turns once per non-zero digit, about (bits)/(w + 1) times.
    After a digit d = k mod 2^w (signed), k - d is divisible by 2^w: the next non-zero
    digit is at least w positions higher.
    """
    out = []
    half = 1 << (w - 1)
    full = 1 << w
    mask = full - 1
    pos = 0
    while k:
        tz = (k & -k).bit_length() - 1
        k >>= tz
        pos += tz
        d = k & mask
        if d >= half:
            d -= full
        out.append((pos, d))
        k = (k - d) >> w
        pos += w
    return out


_W = 5  # wNAF width for variable bases: odd multiples 1P .. 15P (8 entries)
_W_FIXED = 7  # wider for cached fixed bases: 1P .. 63P (32 entries), fewer additions


def _odd_multiples(points: Sequence[Jac], w: int) -> list[list[Aff]]:
    """[P, 3P, ..., (2^(w-1) - 1)P] for each point, all affine with one inversion."""
    flat: list[Jac] = []
    n = 1 << (w - 2)
    for p in points:
        two = dbl(p)
        cur = p
        flat.append(cur)
        for _ in range(n - 1):
            cur = add(cur, two)
            flat.append(cur)
    aff = batch_affine(flat)
    return [aff[i * n:(i + 1) * n] for i in range(len(points))]


def _phi_table(table: list[Aff]) -> list[Aff]:
    """The same odd multiples of phi(P) = (beta x, y): one product per entry."""
    return [(x * BETA % P, y) for x, y in table]


Column = tuple[int, list[Aff], bool, int]  # (scalar part, odd multiples, negate, width)


def _straus(columns: Sequence[Column]) -> Jac:
    """sum of (-1)^negate * k * Q over columns (k, odd multiples of Q, negate, w).

    Every scalar part is written in width-w NAF and every non-zero digit becomes one mixed
    addition at its bit position; all columns share one chain of doublings, as long as the
    longest part (128 bits after a GLV split, 64 for cached fixed bases when no other
    point takes part).
    """
    events: list[list[Aff]] = [[] for _ in range(130)]
    top = 0
    for k, tab, negate, w in columns:
        if not k:
            continue
        digits = wnaf(k, w)
        top = max(top, digits[-1][0] + 1)
        for i, d in digits:
            if (d < 0) != negate:
                x, y = tab[-d >> 1] if d < 0 else tab[d >> 1]
                events[i].append((x, P - y))
            else:
                events[i].append(tab[-d >> 1] if d < 0 else tab[d >> 1])
    acc = INF
    for i in range(top - 1, -1, -1):
        if acc[2]:
            acc = dbl(acc)
        for x, y in events[i]:
            acc = madd(acc, x, y)
    return acc


# --------------------------------------------------------------------------- fixed bases

_MAX_FIXED = 2048  # registry bound: 128 affine points (about 20 kB) per entry
_PROMOTE = 4  # an affine point met in this many multiplications becomes a fixed base

# per fixed base P: odd multiples of P, phi(P), [2^64]P and phi([2^64]P)
FixedTables = tuple[list[Aff], list[Aff], list[Aff], list[Aff]]
_fixed: dict[Aff, FixedTables | None] = {}
_seen: dict[Aff, int] = {}


def register_fixed(p: Jac) -> None:
    """Mark an affine (Z = 1) point of G1 as a fixed base; its tables are built on first use."""
    if p[2] == 1 and len(_fixed) < _MAX_FIXED:
        _fixed.setdefault((p[0], p[1]), None)


def _count_use(key: Aff) -> bool:
    """Count a use of a variable affine base; True once it has become a fixed base.

    Points decoded once and then reused (the suite constant P1, an issuer's points) are
    promoted after a few uses; one-off points (a proof's Abar, Bbar, D) never are.
    """
    n = _seen.get(key, 0) + 1
    if n >= _PROMOTE and len(_fixed) < _MAX_FIXED:
        _seen.pop(key, None)
        _fixed[key] = None
        return True
    if len(_seen) >= 4 * _MAX_FIXED:
        _seen.clear()
    _seen[key] = n
    return False


def _fixed_tables(key: Aff) -> FixedTables:
    tables = _fixed.get(key)
    if tables is None:
        base: Jac = (key[0], key[1], 1)
        shifted = base
        for _ in range(64):
            shifted = dbl(shifted)
        t0, t2 = _odd_multiples([base, shifted], _W_FIXED)
        tables = (t0, _phi_table(t0), t2, _phi_table(t2))
        _fixed[key] = tables
    return tables


# --------------------------------------------------------------------------- entry points


def msm(points: Sequence[Jac], scalars: Sequence[int]) -> Jac:
    """sum scalars[i] * points[i] for points of G1 (any int scalars, reduced mod r).

    GLV: k P = k0 P - k1 phi(P) with k0, k1 < 2^128. A cached fixed base also splits each
    half at 2^64 (k0 = a0 + a1 2^64, with a table of [2^64]P), so that a sum over fixed
    bases alone needs only 64 doublings.
    """
    columns: list[Column] = []
    var_p: list[Jac] = []
    var_k: list[int] = []
    mask = (1 << 64) - 1
    for p, k in zip(points, scalars, strict=True):
        k %= R
        if not k or p[2] == 0:
            continue
        if p[2] == 1 and ((p[0], p[1]) in _fixed or _count_use((p[0], p[1]))):
            t0, t1, t2, t3 = _fixed_tables((p[0], p[1]))
            k0, k1 = glv_split(k)
            columns += [
                (k0 & mask, t0, False, _W_FIXED),
                (k0 >> 64, t2, False, _W_FIXED),
                (k1 & mask, t1, True, _W_FIXED),
                (k1 >> 64, t3, True, _W_FIXED),
            ]
        else:
            var_p.append(p)
            var_k.append(k)
    if var_p:
        for k, table in zip(var_k, _odd_multiples(var_p, _W), strict=True):
            k0, k1 = glv_split(k)
            columns += [(k0, table, False, _W), (k1, _phi_table(table), True, _W)]
    if not columns:
        return INF
    return _straus(columns)


def mul(p: Jac, k: int) -> Jac:
    """k P for a point of G1."""
    return msm([p], [k])
