"""Point decoding on every backend (issue 2, "bad input").

``g1_from_bytes`` / ``g2_from_bytes`` must turn every malformed encoding into an
:class:`~sdk.errors.InvalidPointError`: wrong lengths, the uncompressed flag, infinity
encodings with stray bits (py-arkworks returns the identity for those), x >= p, an x with
no square root, points on the curve outside the prime-order subgroup, and the identity
unless it is explicitly allowed.

The bad points are built here with plain modular arithmetic (G1) and py-ecc's FQ2 (the G2
twist), independently of the code under test, and the subgroup membership of each one is
established with the naive check [r]P == O. The bad-encoding tables are also used by
tests/sdk/bbs/test_bad_input.py to place bad points inside signatures, proofs, keys,
commitments and pseudonyms.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from functools import cache

import pytest
from py_ecc.bls.point_compression import modular_squareroot_in_FQ2
from py_ecc.optimized_bls12_381 import FQ2, b2, is_inf, multiply

from sdk.curves import get_backend
from sdk.curves.hashing import BLS12_381_P, BLS12_381_R
from sdk.curves.pyecc import _in_g1
from sdk.errors import InvalidPointError

# BLS12-381 restated, so that the checks below do not trust the code under test.
P = 0x1A0111EA397FE69A4B1BA7B6434BACD764774B84F38512BF6730D2A0F6B0F6241EABFFFEB153FFFFB9FEFFFFFFFFAAAB
R = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
H1 = 0x396C8C005555E1568C00AAAB0000AAAB  # G1 cofactor: #E(Fp) = H1 * R
G1_X = 0x17F1D3A73197D7942695638C4FA9AC0FC3688C4F9774B905A14E3A3F171BAC586C55E83FF97A1AEFFB3AF00ADB22C6BB
G1_Y = 0x08B3F481E3AAA0F1A09E30ED741D8AE4FCF5E095D5D00AF600DB18CB2C04B3EDD03CC744A2888AE40CAA232946C5E7E1
G2_X = (  # (c0, c1)
    0x024AA2B2F08F0A91260805272DC51051C6E47AD4FA403B02B4510B647AE3D1770BAC0326A805BBEFD48056C8C121BDB8,
    0x13E02B6052719F607DACD3A088274F65596BD0D09920B61AB5DA61BBDC7F5049334CF11213945D57E5AC7D055D042B7E,
)
HALF_P = (P - 1) // 2
TOP = 1 << 381  # x must fit below the three flag bits

Affine = tuple[int, int] | None  # None is the point at infinity
G1_GEN: Affine = (G1_X, G1_Y)


# ----------------------------------------------------------------- G1 by plain arithmetic


def g1_add(a: Affine, b: Affine) -> Affine:
    """Affine addition on y^2 = x^3 + 4 over Fp (complete by case analysis)."""
    if a is None:
        return b
    if b is None:
        return a
    (x1, y1), (x2, y2) = a, b
    if x1 == x2:
        if (y1 + y2) % P == 0:
            return None
        lam = 3 * x1 * x1 * pow(2 * y1, -1, P) % P
    else:
        lam = (y2 - y1) * pow(x2 - x1, -1, P) % P
    x3 = (lam * lam - x1 - x2) % P
    return x3, (lam * (x1 - x3) - y1) % P


def g1_mul(a: Affine, k: int) -> Affine:
    """Double-and-add; k >= 0."""
    acc: Affine = None
    for bit in bin(k)[2:]:
        acc = g1_add(acc, acc)
        if bit == "1":
            acc = g1_add(acc, a)
    return acc


def g1_on_curve(a: Affine) -> bool:
    return a is None or (a[1] * a[1] - a[0] ** 3 - 4) % P == 0


def g1_in_subgroup(a: Affine) -> bool:
    """The naive membership test: [r]P == O."""
    return g1_mul(a, R) is None


def fp_sqrt(v: int) -> int | None:
    """Square root in Fp (p = 3 mod 4), or None when v is not a square."""
    y = pow(v, (P + 1) // 4, P)
    return y if y * y % P == v % P else None


def g1_encode(a: Affine) -> bytes:
    """ZCash compressed encoding (C flag, I flag for infinity, S flag = y > (p-1)/2)."""
    if a is None:
        return b"\xc0" + bytes(47)
    out = bytearray(a[0].to_bytes(48, "big"))
    out[0] |= 0x80 | (0x20 if a[1] > HALF_P else 0)
    return bytes(out)


def g1_raw_x(x: int, s_flag: bool = False) -> bytes:
    """A compressed G1 encoding of an arbitrary 381-bit x (need not be a field element)."""
    assert 0 <= x < TOP
    out = bytearray(x.to_bytes(48, "big"))
    out[0] |= 0x80 | (0x20 if s_flag else 0)
    return bytes(out)


def random_g1_on_curve(rnd: random.Random) -> Affine:
    """A uniformly random point of E(Fp); almost never in the prime-order subgroup."""
    while True:
        x = rnd.randrange(P)
        y = fp_sqrt(x**3 + 4)
        if y is not None:
            return x, (y if rnd.getrandbits(1) else P - y)


@cache
def g1_off_subgroup() -> Affine:
    """A point on the curve with [r]P != O."""
    pt = random_g1_on_curve(random.Random(2))
    assert g1_on_curve(pt) and not g1_in_subgroup(pt)
    return pt


@cache
def g1_x_without_root() -> int:
    rnd = random.Random(3)
    while True:
        x = rnd.randrange(P)
        if fp_sqrt(x**3 + 4) is None:
            return x


@cache
def g1_torsion(order: int) -> Affine:
    """A point of the given prime order dividing the cofactor.

    E(Fp) is not cyclic (its 11-part, for one, is not), so project a random point onto
    the order-primary part with [r * H1 / order^k] and multiply by ``order`` until the
    next step would give O.
    """
    primary = 1
    while H1 % (primary * order) == 0:
        primary *= order
    assert primary > 1
    rnd = random.Random(order)
    while True:
        pt = g1_mul(random_g1_on_curve(rnd), R * (H1 // primary))
        if pt is None:
            continue
        while (nxt := g1_mul(pt, order)) is not None:
            pt = nxt
        return pt


@cache
def g1_small_x_point() -> Affine:
    """A subgroup point whose x is so small that x + p still fits in 381 bits."""
    k = 1
    while True:
        pt = g1_mul(G1_GEN, k)
        assert pt is not None
        if pt[0] + P < TOP:
            return pt
        k += 1


# ----------------------------------------------------------------- G2 with py-ecc's FQ2

G2Affine = tuple[FQ2, FQ2]


def fq2_coeffs(v: FQ2) -> tuple[int, int]:
    c0, c1 = v.coeffs
    return int(c0), int(c1)


def g2_encode(pt: G2Affine) -> bytes:
    """ZCash compressed G2: x_c1 (with flags) || x_c0; S from y_c1, or y_c0 if y_c1 == 0."""
    x0, x1 = fq2_coeffs(pt[0])
    y0, y1 = fq2_coeffs(pt[1])
    sign = y1 > HALF_P if y1 else y0 > HALF_P
    return g2_raw_x(x0, x1, sign)


def g2_raw_x(x0: int, x1: int, s_flag: bool = False) -> bytes:
    """A compressed G2 encoding of arbitrary 381-bit halves (need not be field elements)."""
    assert 0 <= x1 < TOP and 0 <= x0 < 1 << 384
    head = bytearray(x1.to_bytes(48, "big"))
    head[0] |= 0x80 | (0x20 if s_flag else 0)
    return bytes(head) + x0.to_bytes(48, "big")


def g2_in_subgroup(pt: G2Affine) -> bool:
    return bool(is_inf(multiply((pt[0], pt[1], FQ2.one()), R)))


def random_g2_on_twist(rnd: random.Random) -> G2Affine:
    """A random point on y^2 = x^3 + 4(u + 1) over Fp2."""
    while True:
        x = FQ2([rnd.randrange(P), rnd.randrange(P)])
        y = modular_squareroot_in_FQ2(x**3 + b2)
        if y is not None:
            return x, y


@cache
def g2_off_subgroup() -> G2Affine:
    pt = random_g2_on_twist(random.Random(5))
    assert pt[1] ** 2 == pt[0] ** 3 + b2 and not g2_in_subgroup(pt)
    return pt


@cache
def g2_x_without_root() -> tuple[int, int]:
    rnd = random.Random(7)
    while True:
        x = FQ2([rnd.randrange(P), rnd.randrange(P)])
        if modular_squareroot_in_FQ2(x**3 + b2) is None:
            return fq2_coeffs(x)


@cache
def g2_generator_encoding() -> bytes:
    return g2_raw_x(G2_X[0], G2_X[1], False)


# ----------------------------------------------------------------- bad-encoding tables


def _with_byte(data: bytes, i: int, value: int) -> bytes:
    out = bytearray(data)
    out[i] = value
    return bytes(out)


def _x_plus_p() -> bytes:
    pt = g1_small_x_point()
    assert pt is not None
    return g1_raw_x(pt[0] + P, pt[1] > HALF_P)


def _x_p_order3() -> bytes:
    # x = p reduces to 0, and (0, +-2) is a point of order 3
    return g1_raw_x(P)


def _off_subgroup() -> bytes:
    return g1_encode(g1_off_subgroup())


def _gen_plus_torsion() -> bytes:
    return g1_encode(g1_add(G1_GEN, g1_torsion(11)))


G1_GEN_BYTES = g1_encode(G1_GEN)

# 48-byte encodings that are no valid, non-identity G1 point (they fit a G1 slot).
G1_BAD_48: dict[str, Callable[[], bytes]] = {
    "identity": lambda: b"\xc0" + bytes(47),
    "infinity-stray-last-bit": lambda: b"\xc0" + bytes(46) + b"\x01",
    "infinity-stray-first-byte": lambda: b"\xc1" + bytes(47),
    "infinity-with-sign-flag": lambda: b"\xe0" + bytes(47),
    "infinity-flag-on-generator": lambda: _with_byte(G1_GEN_BYTES, 0, G1_GEN_BYTES[0] | 0x40),
    "uncompressed-flag": lambda: _with_byte(G1_GEN_BYTES, 0, G1_GEN_BYTES[0] & 0x7F),
    "all-zero": lambda: bytes(48),
    "x-equals-p": _x_p_order3,
    "x-plus-p": _x_plus_p,
    "x-all-ones": lambda: g1_raw_x(TOP - 1),
    "x-without-root": lambda: g1_raw_x(g1_x_without_root()),
    "off-subgroup": _off_subgroup,
    "order-3-point": lambda: g1_encode((0, 2)),
    "generator-plus-order-11": _gen_plus_torsion,
}

# Encodings of the wrong length for a G1 point.
G1_BAD_LENGTH: dict[str, Callable[[], bytes]] = {
    "empty": lambda: b"",
    "truncated": lambda: G1_GEN_BYTES[:47],
    "extended": lambda: G1_GEN_BYTES + b"\x00",
    "uncompressed-96": lambda: (G1_X.to_bytes(48, "big") + G1_Y.to_bytes(48, "big")),
    "g2-sized": lambda: g2_generator_encoding(),
}


def _g2_gen() -> bytes:
    return g2_generator_encoding()


def _g2_c1_plus_p() -> bytes:
    # c1 of the generator is 0x13e0..., so c1 + p overflows 381 bits; use a small-c1 x
    # instead: x = (c0, c1) with c1 + p < 2^381 and the point on the twist.
    rnd = random.Random(11)
    while True:
        x0, x1 = rnd.randrange(P), rnd.randrange(TOP - P)
        if modular_squareroot_in_FQ2(FQ2([x0, x1]) ** 3 + b2) is not None:
            return g2_raw_x(x0, x1 + P)


def _g2_c0_plus_p() -> bytes:
    return g2_raw_x(G2_X[0] + P, G2_X[1])


def _g2_off_subgroup() -> bytes:
    return g2_encode(g2_off_subgroup())


def _g2_without_root() -> bytes:
    x0, x1 = g2_x_without_root()
    return g2_raw_x(x0, x1)


G2_BAD_96: dict[str, Callable[[], bytes]] = {
    "identity": lambda: b"\xc0" + bytes(95),
    "infinity-stray-last-bit": lambda: b"\xc0" + bytes(94) + b"\x01",
    "infinity-stray-second-half": lambda: b"\xc0" + bytes(47) + b"\x80" + bytes(47),
    "infinity-stray-first-byte": lambda: b"\xc1" + bytes(95),
    "infinity-with-sign-flag": lambda: b"\xe0" + bytes(95),
    "infinity-flag-on-generator": lambda: _with_byte(_g2_gen(), 0, _g2_gen()[0] | 0x40),
    "uncompressed-flag": lambda: _with_byte(_g2_gen(), 0, _g2_gen()[0] & 0x7F),
    "all-zero": lambda: bytes(96),
    "c1-plus-p": _g2_c1_plus_p,
    "c0-plus-p": _g2_c0_plus_p,
    "c0-flag-bits-set": lambda: _with_byte(_g2_gen(), 48, _g2_gen()[48] | 0x80),
    "x-without-root": _g2_without_root,
    "off-subgroup": _g2_off_subgroup,
}

G2_BAD_LENGTH: dict[str, Callable[[], bytes]] = {
    "empty": lambda: b"",
    "truncated": lambda: _g2_gen()[:95],
    "extended": lambda: _g2_gen() + b"\x00",
    "g1-sized": lambda: G1_GEN_BYTES,
    "uncompressed-192": lambda: _g2_gen() + _g2_gen(),
}


# ----------------------------------------------------------------- the reference itself


def test_reference_constants_agree_with_sdk() -> None:
    assert (P, R) == (BLS12_381_P, BLS12_381_R)
    assert g1_on_curve(G1_GEN) and g1_in_subgroup(G1_GEN)
    assert g1_on_curve((0, 2)) and g1_mul((0, 2), 3) is None
    x2 = FQ2(list(G2_X))
    y2 = modular_squareroot_in_FQ2(x2**3 + b2)
    assert y2 is not None and g2_in_subgroup((x2, y2))


# ----------------------------------------------------------------- G1


def test_g1_encoding_round_trip(backend: str) -> None:
    be = get_backend(backend)
    rnd = random.Random(13)
    for k in (1, 2, R - 1, *(rnd.randrange(1, R) for _ in range(4))):
        expected = g1_encode(g1_mul(G1_GEN, k))
        assert be.g1_to_bytes(be.g1_mul(be.g1_generator(), k)) == expected
        pt = be.g1_from_bytes(expected)
        assert be.g1_to_bytes(pt) == expected
        assert be.g1_eq(pt, be.g1_mul(be.g1_generator(), k))


def test_g1_identity_only_when_allowed(backend: str) -> None:
    be = get_backend(backend)
    enc = b"\xc0" + bytes(47)
    with pytest.raises(InvalidPointError) as err:
        be.g1_from_bytes(enc)
    assert err.value.reason == "identity_point"
    ident = be.g1_from_bytes(enc, allow_identity=True)
    assert be.g1_is_identity(ident)
    assert be.g1_to_bytes(ident) == enc
    assert be.g1_to_bytes(be.g1_identity()) == enc


@pytest.mark.parametrize("case", sorted(G1_BAD_48 | G1_BAD_LENGTH))
@pytest.mark.parametrize("allow_identity", [False, True], ids=["strict", "allow-identity"])
def test_g1_rejects(case: str, allow_identity: bool, backend: str) -> None:
    data = (G1_BAD_48 | G1_BAD_LENGTH)[case]()
    if allow_identity and case == "identity":
        assert get_backend(backend).g1_is_identity(
            get_backend(backend).g1_from_bytes(data, allow_identity=True)
        )
        return
    with pytest.raises(InvalidPointError):
        get_backend(backend).g1_from_bytes(data, allow_identity=allow_identity)


def test_g1_rejects_non_bytes(backend: str) -> None:
    be = get_backend(backend)
    for value in (None, G1_GEN_BYTES.hex(), list(G1_GEN_BYTES), 7):
        with pytest.raises(InvalidPointError):
            be.g1_from_bytes(value)  # type: ignore[arg-type]


def test_g1_accepts_bytearray(backend: str) -> None:
    be = get_backend(backend)
    assert be.g1_to_bytes(be.g1_from_bytes(bytearray(G1_GEN_BYTES))) == G1_GEN_BYTES


@cache
def membership_cases() -> list[tuple[str, Affine]]:
    rnd = random.Random(17)
    cases: list[tuple[str, Affine]] = []
    for i in range(8):
        cases.append((f"random-{i}", random_g1_on_curve(rnd)))
    for i in range(8):
        cases.append((f"cleared-{i}", g1_mul(random_g1_on_curve(rnd), H1)))
    cases.append(("order-3", (0, 2)))
    cases.append(("order-3-neg", (0, P - 2)))
    for t in (3, 11, 10177):
        cases.append((f"gen-plus-order-{t}", g1_add(G1_GEN, g1_torsion(t))))
        cases.append((f"order-{t}-times-r", g1_mul(g1_torsion(t), R)))
    cases.append(("cleared-by-r", g1_mul(random_g1_on_curve(rnd), R)))  # order divides H1
    return cases


def test_g1_membership_cases_cover_both_outcomes() -> None:
    inside = [name for name, pt in membership_cases() if g1_in_subgroup(pt)]
    outside = [name for name, pt in membership_cases() if not g1_in_subgroup(pt)]
    assert len(inside) >= 8 and len(outside) >= 8
    assert all(g1_on_curve(pt) for _, pt in membership_cases())


def test_g1_subgroup_check_matches_naive(backend: str) -> None:
    """Decoding accepts a point on the curve exactly when [r]P == O (pyecc uses Scott's
    endomorphism test phi(P) == -u^2 P; arkworks its own), including points that differ
    from a subgroup point by a small-order torsion point."""
    be = get_backend(backend)
    for name, pt in membership_cases():
        assert pt is not None, name
        enc = g1_encode(pt)
        if g1_in_subgroup(pt):
            assert be.g1_to_bytes(be.g1_from_bytes(enc)) == enc, name
        else:
            with pytest.raises(InvalidPointError):
                be.g1_from_bytes(enc)


def test_pyecc_endomorphism_check_on_jacobian_points() -> None:
    """The pyecc membership test itself, on non-normalised Jacobian coordinates."""
    rnd = random.Random(19)
    for name, pt in membership_cases():
        assert pt is not None, name
        z = rnd.randrange(2, P)
        jac = (pt[0] * z * z % P, pt[1] * z * z * z % P, z)
        assert _in_g1(jac) == g1_in_subgroup(pt), name


# ----------------------------------------------------------------- G2


def test_g2_encoding_round_trip(backend: str) -> None:
    be = get_backend(backend)
    from py_ecc.optimized_bls12_381 import G2, normalize

    for k in (1, 2, R - 1, 0x1234567890ABCDEF):
        x, y = normalize(multiply(G2, k))
        expected = g2_encode((x, y))
        assert be.g2_to_bytes(be.g2_mul(be.g2_generator(), k)) == expected
        assert be.g2_to_bytes(be.g2_from_bytes(expected)) == expected


def test_g2_identity_only_when_allowed(backend: str) -> None:
    be = get_backend(backend)
    enc = b"\xc0" + bytes(95)
    with pytest.raises(InvalidPointError) as err:
        be.g2_from_bytes(enc)
    assert err.value.reason == "identity_point"
    assert be.g2_is_identity(be.g2_from_bytes(enc, allow_identity=True))


@pytest.mark.parametrize("case", sorted(G2_BAD_96 | G2_BAD_LENGTH))
@pytest.mark.parametrize("allow_identity", [False, True], ids=["strict", "allow-identity"])
def test_g2_rejects(case: str, allow_identity: bool, backend: str) -> None:
    data = (G2_BAD_96 | G2_BAD_LENGTH)[case]()
    be = get_backend(backend)
    if allow_identity and case == "identity":
        assert be.g2_is_identity(be.g2_from_bytes(data, allow_identity=True))
        return
    with pytest.raises(InvalidPointError):
        be.g2_from_bytes(data, allow_identity=allow_identity)


def test_g2_twist_points_outside_subgroup(backend: str) -> None:
    """Random points on the twist are almost never in G2, and decoding says so."""
    be = get_backend(backend)
    rnd = random.Random(23)
    for _ in range(3):
        pt = random_g2_on_twist(rnd)
        assert not g2_in_subgroup(pt)
        with pytest.raises(InvalidPointError):
            be.g2_from_bytes(g2_encode(pt))
