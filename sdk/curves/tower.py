"""The BLS12-381 extension tower Fp2 / Fp6 / Fp12 on plain Python ints.

py-ecc's ``FQ12`` is a generic polynomial class: every product allocates objects and
reduces by the modulus polynomial coefficient by coefficient. Here the usual pairing
tower is written out as straight-line integer code instead:

    Fp2  = Fp[i]  / (i^2 + 1)
    Fp6  = Fp2[v] / (v^3 - xi),  xi = 1 + i
    Fp12 = Fp6[w] / (w^2 - v)    (so w^6 = xi)

An Fp12 element is a flat tuple of 12 ints ``(a0, a0', a1, a1', a2, a2', b0, b0', b1,
b1', b2, b2')`` standing for ``(A0 + A1 v + A2 v^2) + (B0 + B1 v + B2 v^2) w`` with
``Ak = ak + ak' i``. Products are formed on unreduced ints (Python ints do not
overflow) and reduced mod p once per output coefficient ("lazy reduction").

Since w^6 = xi in this tower and ``w^12 = 2 w^6 - 2`` in py-ecc's FQ12 basis, both
describe the same w; :func:`to_pyecc_coeffs` converts (used by the tests to compare
pairings with py-ecc's reference).

Formulas: Karatsuba multiplication in the tower and the "complex" squaring of a
quadratic extension (Devegili, O hEigeartaigh, Scott and Dahab, "Multiplication and
squaring on pairing-friendly fields", ePrint 2006/471); squaring in the cyclotomic
subgroup after Granger and Scott, "Faster squaring in the cyclotomic subgroup of sixth
degree extensions", PKC 2010 (Fp12 seen as a cubic extension of Fp4 = Fp2[t], t = w^3).
"""

from __future__ import annotations

from sdk.curves.hashing import BLS12_381_P

__all__ = [
    "FP12_ONE",
    "Fp2",
    "Fp12",
    "conj",
    "cyclotomic_square",
    "fp2_inv",
    "fp2_mul",
    "fp12_inv",
    "fp12_mul",
    "fp12_pow",
    "fp12_square",
    "frobenius",
    "mul_by_line",
    "to_pyecc_coeffs",
]

P = BLS12_381_P

Fp2 = tuple[int, int]
Fp12 = tuple[int, ...]  # always 12 ints, see the module docstring

FP12_ONE: Fp12 = (1,) + (0,) * 11


# --------------------------------------------------------------------------- Fp2


def fp2_mul(a: Fp2, b: Fp2) -> Fp2:
    a0, a1 = a
    b0, b1 = b
    m = a0 * b0
    n = a1 * b1
    return (m - n) % P, ((a0 + a1) * (b0 + b1) - m - n) % P


def fp2_inv(a: Fp2) -> Fp2:
    """1 / (a0 + a1 i) = (a0 - a1 i) / (a0^2 + a1^2); ``pow(x, -1, p)`` raises on 0."""
    a0, a1 = a
    t = pow((a0 * a0 + a1 * a1) % P, -1, P)
    return a0 * t % P, -a1 * t % P


def fp2_pow(a: Fp2, e: int) -> Fp2:
    acc: Fp2 = (1, 0)
    for bit in bin(e)[2:]:
        acc = fp2_mul(acc, acc)
        if bit == "1":
            acc = fp2_mul(acc, a)
    return acc


# --------------------------------------------------------------------------- Fp6


def _f6mul(
    a0: int, a1: int, a2: int, a3: int, a4: int, a5: int,
    b0: int, b1: int, b2: int, b3: int, b4: int, b5: int,
) -> tuple[int, int, int, int, int, int]:
    """Unreduced Karatsuba product of two Fp6 elements (6 Fp2 products, 18 int products)."""
    m = a0 * b0
    n = a1 * b1
    v0r = m - n
    v0i = (a0 + a1) * (b0 + b1) - m - n
    m = a2 * b2
    n = a3 * b3
    v1r = m - n
    v1i = (a2 + a3) * (b2 + b3) - m - n
    m = a4 * b4
    n = a5 * b5
    v2r = m - n
    v2i = (a4 + a5) * (b4 + b5) - m - n
    # c0 = v0 + xi * ((A1 + A2)(B1 + B2) - v1 - v2)
    x0 = a2 + a4
    x1 = a3 + a5
    y0 = b2 + b4
    y1 = b3 + b5
    m = x0 * y0
    n = x1 * y1
    tr = m - n - v1r - v2r
    ti = (x0 + x1) * (y0 + y1) - m - n - v1i - v2i
    c0r = v0r + tr - ti
    c0i = v0i + tr + ti
    # c1 = (A0 + A1)(B0 + B1) - v0 - v1 + xi * v2
    x0 = a0 + a2
    x1 = a1 + a3
    y0 = b0 + b2
    y1 = b1 + b3
    m = x0 * y0
    n = x1 * y1
    c1r = m - n - v0r - v1r + v2r - v2i
    c1i = (x0 + x1) * (y0 + y1) - m - n - v0i - v1i + v2r + v2i
    # c2 = (A0 + A2)(B0 + B2) - v0 - v2 + v1
    x0 = a0 + a4
    x1 = a1 + a5
    y0 = b0 + b4
    y1 = b1 + b5
    m = x0 * y0
    n = x1 * y1
    c2r = m - n - v0r - v2r + v1r
    c2i = (x0 + x1) * (y0 + y1) - m - n - v0i - v2i + v1i
    return c0r, c0i, c1r, c1i, c2r, c2i


def _f6inv(
    a0: int, a1: int, a2: int, a3: int, a4: int, a5: int
) -> tuple[int, int, int, int, int, int]:
    """Inverse in Fp6 by the adjugate: (t0, t1, t2) / (a0 t0 + xi (a2 t1 + a1 t2))."""
    A0: Fp2 = (a0, a1)
    A1: Fp2 = (a2, a3)
    A2: Fp2 = (a4, a5)
    s0 = fp2_mul(A0, A0)
    s1 = fp2_mul(A1, A1)
    s2 = fp2_mul(A2, A2)
    p01 = fp2_mul(A0, A1)
    p02 = fp2_mul(A0, A2)
    p12 = fp2_mul(A1, A2)
    # t0 = A0^2 - xi A1 A2; t1 = xi A2^2 - A0 A1; t2 = A1^2 - A0 A2
    t0 = ((s0[0] - p12[0] + p12[1]) % P, (s0[1] - p12[0] - p12[1]) % P)
    t1 = ((s2[0] - s2[1] - p01[0]) % P, (s2[0] + s2[1] - p01[1]) % P)
    t2 = ((s1[0] - p02[0]) % P, (s1[1] - p02[1]) % P)
    u = fp2_mul(A2, t1)
    z = fp2_mul(A1, t2)
    s = (u[0] + z[0], u[1] + z[1])
    a = fp2_mul(A0, t0)
    norm = ((a[0] + s[0] - s[1]) % P, (a[1] + s[0] + s[1]) % P)
    ni = fp2_inv(norm)
    r0 = fp2_mul(t0, ni)
    r1 = fp2_mul(t1, ni)
    r2 = fp2_mul(t2, ni)
    return r0[0], r0[1], r1[0], r1[1], r2[0], r2[1]


# --------------------------------------------------------------------------- Fp12


def fp12_mul(f: Fp12, g: Fp12) -> Fp12:
    """(A + B w)(C + D w) = (AC + v BD) + ((A + B)(C + D) - AC - BD) w: 3 Fp6 products."""
    a0, a1, a2, a3, a4, a5, b0, b1, b2, b3, b4, b5 = f
    c0, c1, c2, c3, c4, c5, d0, d1, d2, d3, d4, d5 = g
    t0 = _f6mul(a0, a1, a2, a3, a4, a5, c0, c1, c2, c3, c4, c5)
    t1 = _f6mul(b0, b1, b2, b3, b4, b5, d0, d1, d2, d3, d4, d5)
    t2 = _f6mul(
        a0 + b0, a1 + b1, a2 + b2, a3 + b3, a4 + b4, a5 + b5,
        c0 + d0, c1 + d1, c2 + d2, c3 + d3, c4 + d4, c5 + d5,
    )
    # v * (x0, x1, x2) = (xi x2, x0, x1)
    return (
        (t0[0] + t1[4] - t1[5]) % P,
        (t0[1] + t1[4] + t1[5]) % P,
        (t0[2] + t1[0]) % P,
        (t0[3] + t1[1]) % P,
        (t0[4] + t1[2]) % P,
        (t0[5] + t1[3]) % P,
        (t2[0] - t0[0] - t1[0]) % P,
        (t2[1] - t0[1] - t1[1]) % P,
        (t2[2] - t0[2] - t1[2]) % P,
        (t2[3] - t0[3] - t1[3]) % P,
        (t2[4] - t0[4] - t1[4]) % P,
        (t2[5] - t0[5] - t1[5]) % P,
    )


def fp12_square(f: Fp12) -> Fp12:
    """(A + B w)^2 = ((A + B)(A + v B) - t - v t) + 2 t w with t = A B: 2 Fp6 products."""
    a0, a1, a2, a3, a4, a5, b0, b1, b2, b3, b4, b5 = f
    t = _f6mul(a0, a1, a2, a3, a4, a5, b0, b1, b2, b3, b4, b5)
    # v B = (xi b2, b0, b1)
    s = _f6mul(
        a0 + b0, a1 + b1, a2 + b2, a3 + b3, a4 + b4, a5 + b5,
        a0 + b4 - b5, a1 + b4 + b5, a2 + b0, a3 + b1, a4 + b2, a5 + b3,
    )
    # result A' = s - t - v t, with v t = (xi t2, t0, t1)
    return (
        (s[0] - t[0] - t[4] + t[5]) % P,
        (s[1] - t[1] - t[4] - t[5]) % P,
        (s[2] - t[2] - t[0]) % P,
        (s[3] - t[3] - t[1]) % P,
        (s[4] - t[4] - t[2]) % P,
        (s[5] - t[5] - t[3]) % P,
        2 * t[0] % P,
        2 * t[1] % P,
        2 * t[2] % P,
        2 * t[3] % P,
        2 * t[4] % P,
        2 * t[5] % P,
    )


def conj(f: Fp12) -> Fp12:
    """f^(p^6): (A + B w) -> (A - B w); the inverse of f in the cyclotomic subgroup."""
    return f[:6] + tuple(-x % P for x in f[6:])


def fp12_inv(f: Fp12) -> Fp12:
    """(A + B w)^-1 = (A - B w) / (A^2 - v B^2)."""
    a0, a1, a2, a3, a4, a5, b0, b1, b2, b3, b4, b5 = f
    aa = _f6mul(a0, a1, a2, a3, a4, a5, a0, a1, a2, a3, a4, a5)
    bb = _f6mul(b0, b1, b2, b3, b4, b5, b0, b1, b2, b3, b4, b5)
    # A^2 - v B^2, v B^2 = (xi bb2, bb0, bb1)
    d = _f6inv(
        (aa[0] - bb[4] + bb[5]) % P,
        (aa[1] - bb[4] - bb[5]) % P,
        (aa[2] - bb[0]) % P,
        (aa[3] - bb[1]) % P,
        (aa[4] - bb[2]) % P,
        (aa[5] - bb[3]) % P,
    )
    lo = _f6mul(a0, a1, a2, a3, a4, a5, *d)
    hi = _f6mul(-b0, -b1, -b2, -b3, -b4, -b5, *d)
    return tuple(x % P for x in lo) + tuple(x % P for x in hi)


def fp12_pow(f: Fp12, e: int) -> Fp12:
    """Plain square-and-multiply (reference path for tests; e >= 0)."""
    acc = FP12_ONE
    for bit in bin(e)[2:]:
        acc = fp12_square(acc)
        if bit == "1":
            acc = fp12_mul(acc, f)
    return acc


def mul_by_line(f: Fp12, c0: int, c1: int, l0: int, l1: int) -> Fp12:
    """f * (C + v w) with C = c + l v (c = c0 + c1 i, l = l0 + l1 i): a sparse product.

    Every Miller-loop line is brought to this shape (see ``sdk.curves.pairing``):
    (A + B w)(C + v w) = (A C + v^2 B) + (v A + B C) w.
    """
    a0, a1, a2, a3, a4, a5, b0, b1, b2, b3, b4, b5 = f
    # A * (c + l v) = (a0 c + xi a2 l, a0 l + a1 c, a1 l + a2 c)
    m = a0 * c0
    n = a1 * c1
    a0c_r = m - n
    a0c_i = (a0 + a1) * (c0 + c1) - m - n
    m = a2 * c0
    n = a3 * c1
    a1c_r = m - n
    a1c_i = (a2 + a3) * (c0 + c1) - m - n
    m = a4 * c0
    n = a5 * c1
    a2c_r = m - n
    a2c_i = (a4 + a5) * (c0 + c1) - m - n
    m = a0 * l0
    n = a1 * l1
    a0l_r = m - n
    a0l_i = (a0 + a1) * (l0 + l1) - m - n
    m = a2 * l0
    n = a3 * l1
    a1l_r = m - n
    a1l_i = (a2 + a3) * (l0 + l1) - m - n
    m = a4 * l0
    n = a5 * l1
    a2l_r = m - n
    a2l_i = (a4 + a5) * (l0 + l1) - m - n
    # same for B
    m = b0 * c0
    n = b1 * c1
    b0c_r = m - n
    b0c_i = (b0 + b1) * (c0 + c1) - m - n
    m = b2 * c0
    n = b3 * c1
    b1c_r = m - n
    b1c_i = (b2 + b3) * (c0 + c1) - m - n
    m = b4 * c0
    n = b5 * c1
    b2c_r = m - n
    b2c_i = (b4 + b5) * (c0 + c1) - m - n
    m = b0 * l0
    n = b1 * l1
    b0l_r = m - n
    b0l_i = (b0 + b1) * (l0 + l1) - m - n
    m = b2 * l0
    n = b3 * l1
    b1l_r = m - n
    b1l_i = (b2 + b3) * (l0 + l1) - m - n
    m = b4 * l0
    n = b5 * l1
    b2l_r = m - n
    b2l_i = (b4 + b5) * (l0 + l1) - m - n
    # A C and B C (xi z = (z_r - z_i) + (z_r + z_i) i)
    ac0r = a0c_r + a2l_r - a2l_i
    ac0i = a0c_i + a2l_r + a2l_i
    ac1r = a0l_r + a1c_r
    ac1i = a0l_i + a1c_i
    ac2r = a1l_r + a2c_r
    ac2i = a1l_i + a2c_i
    bc0r = b0c_r + b2l_r - b2l_i
    bc0i = b0c_i + b2l_r + b2l_i
    bc1r = b0l_r + b1c_r
    bc1i = b0l_i + b1c_i
    bc2r = b1l_r + b2c_r
    bc2i = b1l_i + b2c_i
    # v^2 B = (xi b1, xi b2, b0); v A = (xi a2, a0, a1)
    return (
        (ac0r + b2 - b3) % P,
        (ac0i + b2 + b3) % P,
        (ac1r + b4 - b5) % P,
        (ac1i + b4 + b5) % P,
        (ac2r + b0) % P,
        (ac2i + b1) % P,
        (bc0r + a4 - a5) % P,
        (bc0i + a4 + a5) % P,
        (bc1r + a0) % P,
        (bc1i + a1) % P,
        (bc2r + a2) % P,
        (bc2i + a3) % P,
    )


def cyclotomic_square(f: Fp12) -> Fp12:
    """Square of f in the cyclotomic subgroup (f^(p^4 - p^2 + 1) = 1 after the easy part).

    Granger-Scott, PKC 2010, section 3.1: with Fp4 = Fp2[t], t = w^3, t^2 = xi and
    f = g0 + g1 w + g2 w^2 (gk in Fp4), f^2 = (3 g0^2 - 2 conj(g0))
    + (3 t g2^2 + 2 conj(g1)) w + (3 g1^2 - 2 conj(g2)) w^2, where conj negates the t part.
    Here g0 = A0 + B1 t, g1 = B0 + A2 t, g2 = A1 + B2 t (coefficients of w^0..w^5).
    Three Fp4 squarings: 18 int products instead of 36 for a general square.
    """
    a0, a1, a2, a3, a4, a5, b0, b1, b2, b3, b4, b5 = f
    # Fp4 square of (x + y t): (x^2 + xi y^2) + ((x + y)^2 - x^2 - y^2) t
    # g0 = (a0,a1) + (b2,b3) t
    x2r = (a0 + a1) * (a0 - a1)
    x2i = 2 * a0 * a1
    y2r = (b2 + b3) * (b2 - b3)
    y2i = 2 * b2 * b3
    s0 = a0 + b2
    s1 = a1 + b3
    g0x_r = x2r + y2r - y2i
    g0x_i = x2i + y2r + y2i
    g0y_r = (s0 + s1) * (s0 - s1) - x2r - y2r
    g0y_i = 2 * s0 * s1 - x2i - y2i
    # g1 = (b0,b1) + (a4,a5) t
    x2r = (b0 + b1) * (b0 - b1)
    x2i = 2 * b0 * b1
    y2r = (a4 + a5) * (a4 - a5)
    y2i = 2 * a4 * a5
    s0 = b0 + a4
    s1 = b1 + a5
    g1x_r = x2r + y2r - y2i
    g1x_i = x2i + y2r + y2i
    g1y_r = (s0 + s1) * (s0 - s1) - x2r - y2r
    g1y_i = 2 * s0 * s1 - x2i - y2i
    # g2 = (a2,a3) + (b4,b5) t
    x2r = (a2 + a3) * (a2 - a3)
    x2i = 2 * a2 * a3
    y2r = (b4 + b5) * (b4 - b5)
    y2i = 2 * b4 * b5
    s0 = a2 + b4
    s1 = a3 + b5
    g2x_r = x2r + y2r - y2i
    g2x_i = x2i + y2r + y2i
    g2y_r = (s0 + s1) * (s0 - s1) - x2r - y2r
    g2y_i = 2 * s0 * s1 - x2i - y2i
    # h0 = 3 g0^2 - 2 conj(g0):   x part 3 g0x - 2 a,  t part 3 g0y + 2 b
    # h1 = 3 t g2^2 + 2 conj(g1): t (x + y t) = xi y + x t
    # h2 = 3 g1^2 - 2 conj(g2)
    return (
        (3 * g0x_r - 2 * a0) % P,                       # A0 = h0.x
        (3 * g0x_i - 2 * a1) % P,
        (3 * g1x_r - 2 * a2) % P,                       # A1 = h2.x
        (3 * g1x_i - 2 * a3) % P,
        (3 * g2x_r - 2 * a4) % P,                       # A2 = h1.y
        (3 * g2x_i - 2 * a5) % P,
        (3 * (g2y_r - g2y_i) + 2 * b0) % P,             # B0 = h1.x = xi g2y
        (3 * (g2y_r + g2y_i) + 2 * b1) % P,
        (3 * g0y_r + 2 * b2) % P,                       # B1 = h0.y
        (3 * g0y_i + 2 * b3) % P,
        (3 * g1y_r + 2 * b4) % P,                       # B2 = h2.y
        (3 * g1y_i + 2 * b5) % P,
    )


# --------------------------------------------------------------------------- Frobenius

# Coefficient of w^j in the flat layout: A0 w^0, A1 w^2, A2 w^4, B0 w^1, B1 w^3, B2 w^5.
_W_POWER = (0, 2, 4, 1, 3, 5)
_XI: Fp2 = (1, 1)


def _frobenius_constants(k: int) -> tuple[Fp2, ...]:
    # (c w^j)^(p^k) = c^(p^k) w^j * w^(j (p^k - 1)) and w^(j (p^k - 1)) = xi^(j (p^k - 1)/6)
    return tuple(fp2_pow(_XI, j * (P**k - 1) // 6) for j in _W_POWER)


_FROB = {k: _frobenius_constants(k) for k in (1, 2, 3)}


def frobenius(f: Fp12, k: int) -> Fp12:
    """f^(p^k) for k in 1, 2, 3: conjugate each Fp2 coefficient k times, times a constant."""
    consts = _FROB[k]
    out: list[int] = []
    for idx in range(6):
        x, y = f[2 * idx], f[2 * idx + 1]
        if k & 1:
            y = -y
        g0, g1 = consts[idx]
        m = x * g0
        n = y * g1
        out.append((m - n) % P)
        out.append(((x + y) * (g0 + g1) - m - n) % P)
    return tuple(out)


def to_pyecc_coeffs(f: Fp12) -> tuple[int, ...]:
    """Coefficients of f in py-ecc's FQ12 basis 1, w, ..., w^11 (w^12 = 2 w^6 - 2).

    i = w^6 - 1 there, so (x + y i) w^j = (x - y) w^j + y w^(j + 6).
    """
    out = [0] * 12
    for idx, j in enumerate(_W_POWER):
        x, y = f[2 * idx], f[2 * idx + 1]
        out[j] = (x - y) % P
        out[j + 6] = y % P
    return tuple(out)
