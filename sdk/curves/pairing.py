"""Optimal ate pairing for BLS12-381 on plain ints, with prepared G2 lines.

Miller loop f_{|x|,Q}(P) of the optimal ate pairing (Vercauteren, "Optimal pairings",
IEEE Trans. IT 2010; for BLS12 the loop runs over the curve parameter x =
-0xd201000000010000). G2 lives on the M-type sextic twist E': y^2 = x^3 + 4 xi over Fp2
and is mapped into E(Fp12) by psi(x', y') = (x' / w^2, y' / w^3) (w^6 = xi).

The line through psi(T) with slope lambda (computed on the twist) evaluated at P =
(xP, yP) in E(Fp), multiplied by w^3 yP^-1 (factors in proper subfields of Fp12 are
erased by the final exponentiation), is

    l(P) = (lambda xT - yT) / yP  -  lambda (xP / yP) v  +  v w,

so a line is fully described by the Fp2 pair (lambda, lambda xT - yT), which depends on
Q alone. :func:`prepare_g2` runs the loop once on Q in affine coordinates (one Fp2
inversion per step) and keeps those pairs; evaluating at a P then costs four Fp
products per line, and each step of the loop one Fp12 squaring shared by all pairs
plus one sparse product per pair (Costello, Lange and Naehrig, "Faster pairing
computations on curves with high-degree twists", PKC 2010, section 4, for the sparse
line shape; Scott, "Computing the Tate pairing", CT-RSA 2005, and the "fixed argument"
precomputation of Costello and Stebila, "Fixed argument pairings", Latincrypt 2010).

The product of several pairings shares one Miller loop accumulator and one final
exponentiation (a "multi-pairing").
"""

from __future__ import annotations

from collections.abc import Sequence

from sdk.curves.finalexp import final_exponentiation, final_exponentiation_is_one
from sdk.curves.hashing import BLS12_381_P
from sdk.curves.tower import FP12_ONE, Fp2, Fp12, conj, fp2_inv, fp2_mul, fp12_square, mul_by_line

__all__ = ["G2Affine", "PreparedG2", "miller_loop", "multi_pairing_is_one", "pairing", "prepare_g2"]

P = BLS12_381_P
_X_ABS = 0xD201000000010000
_X_BITS = bin(_X_ABS)[3:]

G2Affine = tuple[Fp2, Fp2]  # (x, y) on the twist, never the identity
# One entry per loop bit: the doubling line, and the addition line when the bit is 1.
Line = tuple[int, int, int, int]  # (c0, c1, lambda0, lambda1): c = lambda xT - yT
PreparedG2 = tuple[tuple[Line, ...], ...]


def _line(lam: Fp2, xT: Fp2, yT: Fp2) -> Line:
    c = fp2_mul(lam, xT)
    return ((c[0] - yT[0]) % P, (c[1] - yT[1]) % P, lam[0], lam[1])


def prepare_g2(q: G2Affine) -> PreparedG2:
    """The Miller-loop lines of Q (affine, of order r), independent of the G1 argument."""
    xq, yq = q
    xt, yt = xq, yq
    steps: list[tuple[Line, ...]] = []
    for bit in _X_BITS:
        # doubling: lambda = 3 xT^2 / (2 yT); yT != 0 since T has odd order
        x2 = fp2_mul(xt, xt)
        lam = fp2_mul((3 * x2[0] % P, 3 * x2[1] % P), fp2_inv((2 * yt[0] % P, 2 * yt[1] % P)))
        step = [_line(lam, xt, yt)]
        l2 = fp2_mul(lam, lam)
        x3 = ((l2[0] - 2 * xt[0]) % P, (l2[1] - 2 * xt[1]) % P)
        d = fp2_mul(lam, ((xt[0] - x3[0]) % P, (xt[1] - x3[1]) % P))
        xt, yt = x3, ((d[0] - yt[0]) % P, (d[1] - yt[1]) % P)
        if bit == "1":
            # addition T + Q: T = [k]Q with 1 < k < r - 1, so xT != xQ
            lam = fp2_mul(
                ((yq[0] - yt[0]) % P, (yq[1] - yt[1]) % P),
                fp2_inv(((xq[0] - xt[0]) % P, (xq[1] - xt[1]) % P)),
            )
            step.append(_line(lam, xt, yt))
            l2 = fp2_mul(lam, lam)
            x3 = ((l2[0] - xt[0] - xq[0]) % P, (l2[1] - xt[1] - xq[1]) % P)
            d = fp2_mul(lam, ((xt[0] - x3[0]) % P, (xt[1] - x3[1]) % P))
            xt, yt = x3, ((d[0] - yt[0]) % P, (d[1] - yt[1]) % P)
        steps.append(tuple(step))
    return tuple(steps)


def miller_loop(pairs: Sequence[tuple[tuple[int, int], PreparedG2]]) -> Fp12:
    """prod_i f_{|x|, Q_i}(P_i) for affine P_i = (x, y) != O and prepared Q_i."""
    if not pairs:
        return FP12_ONE
    # per pair: 1/yP and xP/yP, so each line costs four Fp products
    evals = []
    for (xp, yp), _ in pairs:
        yi = pow(yp, -1, P)
        evals.append((yi, (-xp * yi) % P))
    f = FP12_ONE
    first = True
    nsteps = len(_X_BITS)
    for s in range(nsteps):
        if not first:
            f = fp12_square(f)
        first = False
        for (_, prep), (yi, mx) in zip(pairs, evals, strict=True):
            for c0, c1, l0, l1 in prep[s]:
                f = mul_by_line(f, c0 * yi % P, c1 * yi % P, l0 * mx % P, l1 * mx % P)
    return f


def multi_pairing_is_one(pairs: Sequence[tuple[tuple[int, int], PreparedG2]]) -> bool:
    """True iff prod_i e(P_i, Q_i) == 1, with one shared Miller loop and final exponentiation."""
    return final_exponentiation_is_one(miller_loop(pairs))


def pairing(p: tuple[int, int], q: PreparedG2) -> Fp12:
    """e(P, Q)^3 as an Fp12 element (the cube, see ``sdk.curves.finalexp``).

    x < 0, so the optimal ate value is f_{x,Q}(P) = f_{|x|,Q}(P)^-1 up to factors erased by
    the final exponentiation; after the easy part the inverse is the conjugate.
    """
    return conj(final_exponentiation(miller_loop([(p, q)])))
