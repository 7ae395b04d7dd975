"""Final exponentiation for BLS12-381 on the int tower of ``sdk.curves.tower``.

The reduced pairing is f^((p^12 - 1)/r). We compute the cube of it, which is 1 iff the
value is 1 (the value lies in the order-r group mu_r and gcd(3, r) = 1), and which is
itself a non-degenerate bilinear pairing, so pairing *checks* are unaffected:

- the easy part f^((p^6 - 1)(p^2 + 1)) with one inversion, a conjugation and a
  Frobenius map; afterwards f lies in the cyclotomic subgroup (order p^4 - p^2 + 1),
  where inverses are conjugates and squarings are the cheap Granger-Scott ones
  (:func:`sdk.curves.tower.cyclotomic_square`);
- the hard part with the decomposition of Hayashida, Hayasaka and Teruya, "Efficient
  Final Exponentiation via Cyclotomic Structure for Pairings over Families of
  Elliptic Curves" (ePrint 2020/875), for BLS12 with parameter x:
  3 (p^4 - p^2 + 1)/r = l0 + l1 p + l2 p^2 + l3 p^3 with
  l3 = (x - 1)^2, l2 = l3 x, l1 = l2 x - l3, l0 = l1 x + 3.

Exponents by the negative BLS parameter x = -0xd201000000010000 are a square-and-multiply
by |x| (63 cyclotomic squarings, 5 products) followed by one conjugation.
"""

from __future__ import annotations

from sdk.curves.hashing import BLS12_381_P, BLS12_381_R
from sdk.curves.tower import (
    FP12_ONE,
    Fp12,
    conj,
    cyclotomic_square,
    fp12_inv,
    fp12_mul,
    fp12_pow,
    frobenius,
)

__all__ = ["final_exponentiation", "final_exponentiation_is_one", "naive_final_exponentiation"]

_X_ABS = 0xD201000000010000  # x = -_X_ABS
_X_BITS = bin(_X_ABS)[3:]  # bits after the leading one


def _pow_x(f: Fp12) -> Fp12:
    """f^x for f in the cyclotomic subgroup: conj(f^|x|)."""
    acc = f
    for bit in _X_BITS:
        acc = cyclotomic_square(acc)
        if bit == "1":
            acc = fp12_mul(acc, f)
    return conj(acc)


def final_exponentiation(f: Fp12) -> Fp12:
    """f^(3 (p^12 - 1)/r) for a non-zero f (the cube of the reduced pairing value)."""
    # easy part: f^(p^6 - 1) = conj(f) / f, then ^(p^2 + 1)
    f = fp12_mul(conj(f), fp12_inv(f))
    f = fp12_mul(frobenius(f, 2), f)
    # hard part (times 3), HHT20 decomposition
    t = fp12_mul(_pow_x(f), conj(f))  # f^(x - 1)
    l3 = fp12_mul(_pow_x(t), conj(t))  # f^((x - 1)^2)
    l2 = _pow_x(l3)  # f^(l3 x)
    l1 = fp12_mul(_pow_x(l2), conj(l3))  # f^(l2 x - l3)
    f3 = fp12_mul(cyclotomic_square(f), f)
    l0 = fp12_mul(_pow_x(l1), f3)  # f^(l1 x + 3)
    out = fp12_mul(l0, frobenius(l1, 1))
    out = fp12_mul(out, frobenius(l2, 2))
    return fp12_mul(out, frobenius(l3, 3))


def final_exponentiation_is_one(f: Fp12) -> bool:
    """True iff f^((p^12 - 1)/r) == 1, for f a product of Miller loops."""
    if not any(f):
        return False
    return final_exponentiation(f) == FP12_ONE


def naive_final_exponentiation(f: Fp12) -> Fp12:
    """Reference f^((p^12 - 1)/r) by plain square-and-multiply (slow; for tests)."""
    return fp12_pow(f, (BLS12_381_P**12 - 1) // BLS12_381_R)
