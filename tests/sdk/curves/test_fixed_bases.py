"""Fixed-base hints (``g1_prepare_fixed``) never change a result, on every backend.

The native backend sums registered bases with a Lim-Lee comb built from point additions
(sdk/curves/arkworks.py); these tests compare every such sum with the same sum over fresh,
unregistered copies of the points (the backend's plain path) and with the pure-Python
backend, byte for byte, for random and edge-case scalars: 0, 1, r - 1, r, values above r
and negative values, the identity as a base, a base twice in one sum, a base that becomes
fixed only after some uses, more fixed bases than the comb takes, and a registry that
overflows and starts again.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sdk.curves import CurveBackend, available_backends, get_backend

R = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
EDGE = [0, 1, 2, R - 1, R, R + 1, 2**255 - 1, 2**256 - 1, -1, -(R - 2), 2**32, 2**224 + 2**31]

scalar = st.one_of(st.sampled_from(EDGE), st.integers(min_value=-(2**256), max_value=2**256))


def points(be: CurveBackend, n: int, seed: int) -> list[object]:
    rnd = random.Random(seed)
    g = be.g1_generator()
    return [be.g1_mul(g, rnd.randrange(1, R)) for _ in range(n)]


def fresh(be: CurveBackend, p: object) -> object:
    """The same point as a new object, which the backend has never been told about."""
    return be.g1_from_bytes(be.g1_to_bytes(p), allow_identity=True)


def reference(be: CurveBackend, pts: list[object], ks: list[int]) -> bytes:
    """The sum through the pure-Python backend, from the encodings only."""
    ref = get_backend("pyecc")
    enc = [ref.g1_from_bytes(be.g1_to_bytes(p), allow_identity=True) for p in pts]
    return ref.g1_to_bytes(ref.g1_msm(enc, ks))


BACKENDS = available_backends()


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=12, deadline=None)
@given(ks=st.lists(scalar, min_size=1, max_size=6), seed=st.integers(0, 2**32))
def test_registered_bases_sum_like_fresh_ones(backend: str, ks: list[int], seed: int) -> None:
    be = get_backend(backend)
    pts = points(be, len(ks), seed)
    for p in pts:
        be.g1_prepare_fixed(p)
    got = be.g1_to_bytes(be.g1_msm(pts, ks))
    plain = be.g1_to_bytes(be.g1_msm([fresh(be, p) for p in pts], ks))
    assert got == plain == reference(be, pts, ks)
    # mixed: half of the bases registered, the other half fresh objects
    mixed = [p if i % 2 else fresh(be, p) for i, p in enumerate(pts)]
    assert be.g1_to_bytes(be.g1_msm(mixed, ks)) == got
    assert be.g1_to_bytes(be.g1_mul(pts[0], ks[0])) == reference(be, pts[:1], ks[:1])


@pytest.mark.parametrize("backend", BACKENDS)
def test_edge_bases_and_repeats(backend: str) -> None:
    be = get_backend(backend)
    p, q = points(be, 2, 7)
    inf = be.g1_identity()
    for x in (p, q, inf):
        be.g1_prepare_fixed(x)
    cases: list[tuple[list[object], list[int]]] = [
        ([inf], [5]),
        ([p, p, q], [3, R - 3, 11]),  # a base twice; the p terms cancel
        ([p, q], [0, 0]),
        ([p, inf, q], [R - 1, 9, 1]),
        ([], []),
    ]
    for pts, ks in cases:
        assert be.g1_to_bytes(be.g1_msm(pts, ks)) == reference(be, pts, ks)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_base_fixed_after_some_uses_stays_correct(backend: str) -> None:
    be = get_backend(backend)
    (p,) = points(be, 1, 11)
    be.g1_prepare_fixed(p, uses=3)
    rnd = random.Random(3)
    for _ in range(5):  # uses 1-2 take the plain path, then the table is built and used
        k = rnd.randrange(R)
        assert be.g1_to_bytes(be.g1_msm([p], [k])) == reference(be, [p], [k])


@pytest.mark.parametrize("backend", BACKENDS)
def test_many_fixed_bases_and_registry_overflow(backend: str) -> None:
    be = get_backend(backend)
    pts = points(be, 80, 13)  # more bases in one sum than the comb takes
    for p in pts:
        be.g1_prepare_fixed(p)
    rnd = random.Random(5)
    ks = [rnd.randrange(R) for _ in pts]
    assert be.g1_to_bytes(be.g1_msm(pts, ks)) == reference(be, pts, ks)
    # register far more points than the registry holds: it starts again, results do not move
    extra = [be.g1_add(pts[i % len(pts)], pts[(i + 1) % len(pts)]) for i in range(600)]
    for x in extra:
        be.g1_prepare_fixed(x)
    sel, sk = extra[-3:] + pts[:3], ks[:6]
    assert be.g1_to_bytes(be.g1_msm(sel, sk)) == reference(be, sel, sk)


@pytest.mark.parametrize("backend", BACKENDS)
def test_unregistered_sums_with_identity_short_and_many_terms(backend: str) -> None:
    """The plain path: 2 to 4 fresh bases (the native backend splits them by GLV), short
    scalars with nothing to split, the identity among them, and many terms."""
    be = get_backend(backend)
    pts = points(be, 8, 17)
    rnd = random.Random(9)
    cases: list[tuple[list[object], list[int]]] = [
        ([pts[0], be.g1_identity()], [rnd.randrange(R), 7]),
        ([pts[0], pts[1]], [2**40, 3]),
        ([pts[0], pts[1], pts[2]], [rnd.randrange(R) for _ in range(3)]),
        ([pts[0], pts[0], pts[1], pts[2]], [5, R - 5, 2**127, 2**200]),
        (pts, [rnd.randrange(2**64) for _ in pts]),
    ]
    for ps, ks in cases:
        fresh_ps = [fresh(be, p) for p in ps]
        assert be.g1_to_bytes(be.g1_msm(fresh_ps, ks)) == reference(be, ps, ks)
