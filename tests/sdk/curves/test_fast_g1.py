"""The portable backend's G1 arithmetic against py-ecc's reference, on random inputs.

``sdk.curves.g1`` (GLV, wNAF, Straus, fixed-base buckets) is checked against py-ecc's G1
group law and against plain double-and-add, with hypothesis choosing the inputs.
"""

from __future__ import annotations

from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st
from py_ecc.optimized_bls12_381 import G1 as PY_G1
from py_ecc.optimized_bls12_381 import add as py_add
from py_ecc.optimized_bls12_381 import multiply as py_mul
from py_ecc.optimized_bls12_381 import normalize as py_normalize

from sdk.curves import g1

P = 0x1A0111EA397FE69A4B1BA7B6434BACD764774B84F38512BF6730D2A0F6B0F6241EABFFFEB153FFFFB9FEFFFFFFFFAAAB
R = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001

scalar = st.integers(min_value=1, max_value=R - 1)
small = st.integers(min_value=1, max_value=2**40)
FAST = settings(max_examples=25, deadline=None)
SLOW = settings(max_examples=4, deadline=None)


def g1_aff(pt: object) -> tuple[int, int]:
    x, y = py_normalize(pt)  # type: ignore[arg-type]
    return int(x), int(y)


def jac(aff: tuple[int, int]) -> g1.Jac:
    return aff[0], aff[1], 1


@cache
def ref_g1(k: int) -> tuple[int, int]:
    return g1_aff(py_mul(PY_G1, k))


# --------------------------------------------------------------------------- G1


@FAST
@given(scalar)
def test_glv_split_recombines_into_two_short_halves(k: int) -> None:
    k0, k1 = g1.glv_split(k)
    assert k0 + k1 * g1.U2 == k
    assert 0 <= k0 < 2**128 and 0 <= k1 < 2**128


@FAST
@given(st.integers(min_value=0, max_value=2**300), st.integers(min_value=2, max_value=8))
def test_wnaf_digits_recombine_and_are_sparse(k: int, w: int) -> None:
    digits = g1.wnaf(k, w)
    assert sum(d << i for i, d in digits) == k
    for n, (i, d) in enumerate(digits):
        assert d % 2 == 1 and abs(d) < 2 ** (w - 1)
        if n:
            assert i >= digits[n - 1][0] + w
    if k:
        assert digits[-1][0] <= k.bit_length()


@SLOW
@given(scalar, scalar)
def test_glv_mul_equals_plain_double_and_add(a: int, k: int) -> None:
    p = jac(ref_g1(a))
    assert g1.eq(g1.mul(p, k), g1.mul_naive(p, k))
    assert g1.affine(g1.mul(p, k)) == ref_g1(a * k % R)


@SLOW
@given(st.lists(st.tuples(scalar, st.integers(min_value=-(2**300), max_value=2**300)), min_size=0, max_size=6))
def test_msm_equals_sum_of_muls(pairs: list[tuple[int, int]]) -> None:
    points = [jac(ref_g1(a)) for a, _ in pairs]
    scalars = [k for _, k in pairs]
    expected = g1.INF
    for a, k in pairs:
        expected = g1.add(expected, jac(ref_g1(a * k % R)) if a * k % R else g1.INF)
    assert g1.eq(g1.msm(points, scalars), expected)


@SLOW
@given(st.lists(st.tuples(small, scalar), min_size=1, max_size=5), scalar)
def test_cached_fixed_base_tables_agree_with_variable_bases(pairs: list[tuple[int, int]], extra: int) -> None:
    fixed = [jac(ref_g1(a)) for a, _ in pairs]
    for p in fixed:
        g1.register_fixed(p)
    scalars = [k for _, k in pairs]
    # the same points in Jacobian form with Z != 1 are not looked up as fixed bases
    moved = [(p[0] * 4 % P, p[1] * 8 % P, 2) for p in fixed]
    var = jac(ref_g1(extra))
    ours = g1.msm([*fixed, var], [*scalars, extra])
    ref = g1.msm([*moved, var], [*scalars, extra])
    assert g1.eq(ours, ref)


def test_repeated_affine_bases_are_promoted_to_fixed_and_stay_correct() -> None:
    p = jac(ref_g1(0xC0FFEE))
    results = [g1.affine(g1.mul(p, k)) for k in range(3, 3 + 2 * g1._PROMOTE)]
    assert (p[0], p[1]) in g1._fixed
    assert results == [ref_g1(0xC0FFEE * k % R) for k in range(3, 3 + 2 * g1._PROMOTE)]


def test_identity_and_zero_scalars_give_the_identity() -> None:
    p = jac(ref_g1(5))
    assert g1.msm([], []) == g1.INF
    assert g1.msm([p, g1.INF], [R, 7])[2] == 0
    assert g1.eq(g1.msm([p, p], [1, R - 1]), g1.INF)


def test_addition_special_cases() -> None:
    p = jac(ref_g1(9))
    assert g1.eq(g1.add(p, p), g1.dbl(p))
    assert g1.add(p, g1.neg(p))[2] == 0
    assert g1.eq(g1.madd(g1.INF, p[0], p[1]), p)
    assert g1.eq(g1.madd(p, p[0], p[1]), g1.dbl(p))
    assert g1.madd(p, p[0], P - p[1])[2] == 0
    assert g1.affine(g1.add(p, jac(ref_g1(2)))) == g1_aff(py_add(py_mul(PY_G1, 9), py_mul(PY_G1, 2)))


def test_map_to_g1_is_cached_and_its_outputs_are_fixed_bases() -> None:
    from sdk.curves.pyecc import PyEccBackend

    be = PyEccBackend()
    u0, u1 = 0x1234, 0x5678
    first = be.map_to_g1(u0, u1)
    assert be.map_to_g1(u0, u1) is first
    assert first[2] == 1 and (first[0], first[1]) in g1._fixed
    assert g1.in_g1(first)
    # the same field elements written as unreduced ints map to the same point
    assert be.map_to_g1(u0 + P, u1) == first


@SLOW
@given(st.integers(min_value=0, max_value=P - 1))
def test_subgroup_check_agrees_with_order_r(x0: int) -> None:
    # the first x >= x0 on the curve: a point of E(Fp), in G1 only by chance (1 in h)
    x = x0
    while True:
        y2 = (x**3 + 4) % P
        y = pow(y2, (P + 1) // 4, P)
        if y * y % P == y2:
            break
        x = (x + 1) % P
    pt = (x, y, 1)
    assert g1.in_g1(pt) == (g1.mul_naive(pt, R)[2] == 0)
    cleared = g1.mul_naive(pt, 0x396C8C005555E1568C00AAAB0000AAAB)  # times the cofactor
    assert g1.in_g1(cleared)


@SLOW
@given(st.lists(st.tuples(small, st.integers(min_value=-(2**256), max_value=2**256)), min_size=1, max_size=5))
def test_msm_encodes_like_every_other_backend(pairs: list[tuple[int, int]]) -> None:
    from sdk.curves import available_backends, get_backend

    ours = get_backend("pyecc")
    expected = ours.g1_to_bytes(
        ours.g1_msm([ours.g1_mul(ours.g1_generator(), a) for a, _ in pairs], [k for _, k in pairs])
    )
    for name in available_backends():
        be = get_backend(name)
        pts = [be.g1_mul(be.g1_generator(), a) for a, _ in pairs]
        assert be.g1_to_bytes(be.g1_msm(pts, [k % R for _, k in pairs])) == expected, name
