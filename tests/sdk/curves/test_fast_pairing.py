"""The portable backend's pairing arithmetic against py-ecc's reference, on random inputs.

``sdk.curves.tower`` (Fp12 on ints), ``sdk.curves.finalexp`` (cyclotomic final
exponentiation) and ``sdk.curves.pairing`` (prepared lines, shared Miller loop) are
checked against py-ecc's generic FQ12 and pairing, and against the naive definitions
(the plain exponent (p^12 - 1)/r, bilinearity), with hypothesis choosing the inputs.
"""

from __future__ import annotations

from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st
from py_ecc.fields import optimized_bls12_381_FQ12 as FQ12
from py_ecc.optimized_bls12_381 import G1 as PY_G1
from py_ecc.optimized_bls12_381 import G2 as PY_G2
from py_ecc.optimized_bls12_381 import multiply as py_mul
from py_ecc.optimized_bls12_381 import neg as py_neg
from py_ecc.optimized_bls12_381 import normalize as py_normalize
from py_ecc.optimized_bls12_381 import pairing as py_pairing

from sdk.curves import tower
from sdk.curves.finalexp import final_exponentiation, naive_final_exponentiation
from sdk.curves.pairing import multi_pairing_is_one, pairing, prepare_g2
from sdk.curves.pyecc import PyEccBackend

P = 0x1A0111EA397FE69A4B1BA7B6434BACD764774B84F38512BF6730D2A0F6B0F6241EABFFFEB153FFFFB9FEFFFFFFFFAAAB
R = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001

fp = st.integers(min_value=0, max_value=P - 1)
fp12 = st.tuples(*([fp] * 12))
fp12_nonzero = fp12.filter(any)
scalar = st.integers(min_value=1, max_value=R - 1)
small = st.integers(min_value=1, max_value=2**40)
FAST = settings(max_examples=25, deadline=None)
SLOW = settings(max_examples=4, deadline=None)


def py12(f: tower.Fp12) -> FQ12:
    return FQ12(list(tower.to_pyecc_coeffs(f)))


def g1_aff(pt: object) -> tuple[int, int]:
    x, y = py_normalize(pt)  # type: ignore[arg-type]
    return int(x), int(y)


def g2_aff(pt: object) -> tuple[tuple[int, int], tuple[int, int]]:
    x, y = py_normalize(pt)  # type: ignore[arg-type]
    return (int(x.coeffs[0]), int(x.coeffs[1])), (int(y.coeffs[0]), int(y.coeffs[1]))


@cache
def ref_g1(k: int) -> tuple[int, int]:
    return g1_aff(py_mul(PY_G1, k))


def cyclotomic(f: tower.Fp12) -> tower.Fp12:
    """f^((p^6 - 1)(p^2 + 1)), computed with py-ecc so the code under test is not trusted."""
    g = py12(f)
    h = g ** (P**6 - 1)
    h = h ** (P**2 + 1)
    return from_py12(h)


def from_py12(g: FQ12) -> tower.Fp12:
    # inverse of to_pyecc_coeffs: coefficient of w^j (j < 6) is (c_j + c_{j+6}) + c_{j+6} i
    c = [int(x) for x in g.coeffs]
    out: list[int] = []
    for j in (0, 2, 4, 1, 3, 5):
        out += [(c[j] + c[j + 6]) % P, c[j + 6]]
    return tuple(out)


# --------------------------------------------------------------------------- tower


@FAST
@given(fp12, fp12)
def test_fp12_product_square_inverse_match_pyecc(f: tower.Fp12, g: tower.Fp12) -> None:
    assert from_py12(py12(f)) == f
    assert py12(tower.fp12_mul(f, g)) == py12(f) * py12(g)
    assert py12(tower.fp12_square(f)) == py12(f) * py12(f)
    if any(f):
        assert py12(tower.fp12_inv(f)) == py12(f).inv()


@SLOW
@given(fp12)
def test_frobenius_and_conjugate_are_powers_of_p(f: tower.Fp12) -> None:
    for k in (1, 2, 3):
        assert py12(tower.frobenius(f, k)) == py12(f) ** (P**k)
    assert py12(tower.conj(f)) == py12(f) ** (P**6)


@FAST
@given(fp12, fp, fp, fp, fp)
def test_sparse_line_product_matches_dense(f: tower.Fp12, c0: int, c1: int, l0: int, l1: int) -> None:
    dense = (c0, c1, l0, l1, 0, 0, 0, 0, 1, 0, 0, 0)  # (c + l v) + v w
    assert tower.mul_by_line(f, c0, c1, l0, l1) == tower.fp12_mul(f, dense)


@SLOW
@given(fp12_nonzero)
def test_cyclotomic_square_matches_square_in_the_cyclotomic_subgroup(f: tower.Fp12) -> None:
    h = cyclotomic(f)
    assert tower.cyclotomic_square(h) == tower.fp12_square(h)


@settings(max_examples=2, deadline=None)
@given(fp12_nonzero)
def test_final_exponentiation_is_the_cube_of_the_naive_one(f: tower.Fp12) -> None:
    naive = naive_final_exponentiation(f)
    assert final_exponentiation(f) == tower.fp12_mul(tower.fp12_square(naive), naive)


# --------------------------------------------------------------------------- pairing


def test_pairing_of_the_generators_is_pyecc_pairing_cubed_and_inverted() -> None:
    # py-ecc's miller_loop returns f_{|x|,Q}(P) without the inversion that x < 0 calls for,
    # so its pairing is the inverse of the optimal ate pairing computed here; ours is cubed.
    ours = pairing(g1_aff(PY_G1), prepare_g2(g2_aff(PY_G2)))
    ref = py_pairing(PY_G2, PY_G1)
    assert py12(ours) == (ref**3).inv()
    assert ours != tower.FP12_ONE


@SLOW
@given(small, small)
def test_pairing_is_bilinear(a: int, b: int) -> None:
    base = pairing(g1_aff(PY_G1), prepare_g2(g2_aff(PY_G2)))
    e = pairing(ref_g1(a), prepare_g2(g2_aff(py_mul(PY_G2, b))))
    assert e == tower.fp12_pow(base, a * b % R)


@SLOW
@given(scalar, small)
def test_multi_pairing_detects_one_and_not_one(a: int, b: int) -> None:
    q = prepare_g2(g2_aff(PY_G2))
    qb = prepare_g2(g2_aff(py_mul(PY_G2, b)))
    pa = ref_g1(a)
    neg_pab = g1_aff(py_neg(py_mul(PY_G1, a * b % R)))
    # e(aP, bQ) * e(-abP, Q) == 1, and not with a wrong factor
    assert multi_pairing_is_one([(pa, qb), (neg_pab, q)])
    off_by_one = g1_aff(py_neg(py_mul(PY_G1, (a * b + 1) % R)))
    assert not multi_pairing_is_one([(pa, qb), (off_by_one, q)])


def test_backend_pairing_check_skips_identities_and_uses_cached_lines() -> None:
    be = PyEccBackend()
    gen, g2gen = be.g1_generator(), be.g2_generator()
    assert be.pairing_check([])
    assert be.pairing_check([(be.g1_identity(), g2gen)])
    assert not be.pairing_check([(gen, g2gen)])
    k = 0x1234567
    lhs = be.g1_mul(gen, k)
    assert be.pairing_check([(lhs, be.g2_neg(g2gen)), (gen, be.g2_mul(g2gen, k))])
    assert not be.pairing_check([(lhs, be.g2_neg(g2gen)), (gen, be.g2_mul(g2gen, k + 1))])
