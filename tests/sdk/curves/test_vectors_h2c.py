"""RFC 9380 vectors (tests/vectors/hash-to-curve), on every backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from sdk.bbs.ciphersuite import BLS12_381_SHA_256
from sdk.bbs.generators import hash_to_curve_g1
from sdk.curves import get_backend
from sdk.curves.hashing import expand_message, hash_to_field_fp
from tests.vectorlib import VECTORS, read

EXPAND = sorted((VECTORS / "hash-to-curve").glob("expand_message_*.json"))
KIND = {"SHA256": "xmd-sha256", "SHAKE256": "xof-shake256", "SHAKE128": "xof-shake128"}


@pytest.mark.parametrize("path", EXPAND, ids=[p.stem for p in EXPAND])
def test_expand_message(path: Path) -> None:
    v = read(path)
    for t in v["tests"]:
        out = expand_message(t["msg"].encode(), v["DST"].encode(), int(t["len_in_bytes"], 16), KIND[v["hash"]])  # type: ignore[arg-type]
        assert out.hex() == t["uniform_bytes"]


def test_hash_to_curve_g1_xmd(backend: str) -> None:
    be = get_backend(backend)
    v = read(VECTORS / "hash-to-curve" / "BLS12381G1_XMD-SHA-256_SSWU_RO_.json")
    dst = v["dst"].encode()
    for t in v["vectors"]:
        u = hash_to_field_fp(t["msg"].encode(), dst, 2, "xmd-sha256")
        assert u == [int(x, 16) for x in t["u"]]
        P = hash_to_curve_g1(t["msg"].encode(), dst, BLS12_381_SHA_256, be)
        x = int(t["P"]["x"], 16)
        y = int(t["P"]["y"], 16)
        # compare against the affine point via its compressed encoding
        p = int("1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab", 16)
        enc = bytearray(x.to_bytes(48, "big"))
        enc[0] |= 0x80 | (0x20 if y > (p - 1) // 2 else 0)
        assert be.g1_to_bytes(P) == bytes(enc)
