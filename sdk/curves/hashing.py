"""RFC 9380 message expansion and hashing to scalars (hashlib only, no curve code).

Implements:
- ``expand_message_xmd`` (RFC 9380 §5.3.1) with SHA-256,
- ``expand_message_xof`` (RFC 9380 §5.3.2) with SHAKE-256 (and SHAKE-128 for the vectors),
- the oversize-DST rule (RFC 9380 §5.3.3),
- ``hash_to_field`` for Fp of BLS12-381 (RFC 9380 §5.2, m = 1, L = 64),
- ``hash_to_scalar`` (draft-irtf-cfrg-bbs-signatures §4.2.2).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, Literal

from sdk.errors import ParameterError

__all__ = [
    "BLS12_381_P",
    "BLS12_381_R",
    "ExpandKind",
    "expand_message",
    "expand_message_xmd",
    "expand_message_xof",
    "hash_to_field_fp",
    "hash_to_scalar",
    "i2osp",
    "os2ip",
]

# Field modulus p and group order r of BLS12-381.
BLS12_381_P = int(
    "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab",
    16,
)
BLS12_381_R = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001

ExpandKind = Literal["xmd-sha256", "xof-shake256", "xof-shake128"]

_MAX_LEN = 65535


def i2osp(value: int, length: int) -> bytes:
    """RFC 8017 §4.1 I2OSP: big-endian, fixed length; error if it does not fit."""
    if value < 0 or value >= 1 << (8 * length):
        raise ParameterError(f"integer {value} does not fit in {length} octets")
    return value.to_bytes(length, "big")


def os2ip(octets: bytes) -> int:
    """RFC 8017 §4.2 OS2IP."""
    return int.from_bytes(octets, "big")


def _dst_prime(dst: bytes, oversize_hash: Callable[[bytes], bytes]) -> bytes:
    # RFC 9380 §5.3.3: a DST longer than 255 bytes is replaced by H("H2C-OVERSIZE-DST-" || DST).
    if len(dst) > 255:
        dst = oversize_hash(b"H2C-OVERSIZE-DST-" + dst)
    return dst + i2osp(len(dst), 1)


def expand_message_xmd(msg: bytes, dst: bytes, len_in_bytes: int) -> bytes:
    """RFC 9380 §5.3.1 expand_message_xmd with SHA-256 (b_in_bytes 32, s_in_bytes 64)."""
    b_in_bytes, s_in_bytes = 32, 64
    ell = -(-len_in_bytes // b_in_bytes)
    # ABORT if ell > 255 or len_in_bytes > 65535 or len(DST) > 255 (after the oversize rule)
    if ell > 255 or len_in_bytes > _MAX_LEN or len_in_bytes < 0:
        raise ParameterError(f"expand_message_xmd cannot produce {len_in_bytes} bytes")
    dst_prime = _dst_prime(dst, lambda d: hashlib.sha256(d).digest())
    z_pad = bytes(s_in_bytes)
    l_i_b_str = i2osp(len_in_bytes, 2)
    # msg_prime = Z_pad || msg || l_i_b_str || I2OSP(0, 1) || DST_prime
    msg_prime = z_pad + msg + l_i_b_str + b"\x00" + dst_prime
    b_0 = hashlib.sha256(msg_prime).digest()
    # b_1 = H(b_0 || I2OSP(1, 1) || DST_prime)
    b_i = hashlib.sha256(b_0 + b"\x01" + dst_prime).digest()
    out = [b_i]
    for i in range(2, ell + 1):
        # b_i = H(strxor(b_0, b_(i - 1)) || I2OSP(i, 1) || DST_prime)
        mixed = (int.from_bytes(b_0, "big") ^ int.from_bytes(b_i, "big")).to_bytes(b_in_bytes, "big")
        b_i = hashlib.sha256(mixed + i2osp(i, 1) + dst_prime).digest()
        out.append(b_i)
    return b"".join(out)[:len_in_bytes]


def expand_message_xof(msg: bytes, dst: bytes, len_in_bytes: int, *, bits: int = 256) -> bytes:
    """RFC 9380 §5.3.2 expand_message_xof with SHAKE-256 (default) or SHAKE-128."""
    if len_in_bytes > _MAX_LEN or len_in_bytes < 0:
        raise ParameterError(f"expand_message_xof cannot produce {len_in_bytes} bytes")
    if bits == 256:
        shake: Callable[[bytes], Any] = hashlib.shake_256
        k_bytes = 64  # oversize DST: H(..., ceil(2k/8)) with k = 256
    elif bits == 128:
        shake = hashlib.shake_128
        k_bytes = 32
    else:
        raise ParameterError("expand_message_xof supports SHAKE-128 and SHAKE-256 only")
    dst_prime = _dst_prime(dst, lambda d: shake(d).digest(k_bytes))
    # msg_prime = msg || I2OSP(len_in_bytes, 2) || DST_prime
    msg_prime = msg + i2osp(len_in_bytes, 2) + dst_prime
    out: bytes = shake(msg_prime).digest(len_in_bytes)
    return out


def expand_message(msg: bytes, dst: bytes, len_in_bytes: int, kind: ExpandKind) -> bytes:
    """Dispatch on the ciphersuite's expand_message (a value of the ciphersuite, not a flag)."""
    if kind == "xmd-sha256":
        return expand_message_xmd(msg, dst, len_in_bytes)
    if kind == "xof-shake256":
        return expand_message_xof(msg, dst, len_in_bytes, bits=256)
    if kind == "xof-shake128":
        return expand_message_xof(msg, dst, len_in_bytes, bits=128)
    raise ParameterError(f"unknown expand_message kind {kind!r}")


def hash_to_field_fp(msg: bytes, dst: bytes, count: int, kind: ExpandKind) -> list[int]:
    """RFC 9380 §5.2 hash_to_field for F = GF(p) of BLS12-381 (m = 1, L = 64)."""
    L = 64
    uniform = expand_message(msg, dst, count * L, kind)
    return [os2ip(uniform[L * i : L * (i + 1)]) % BLS12_381_P for i in range(count)]


def hash_to_scalar(msg: bytes, dst: bytes, kind: ExpandKind, expand_len: int = 48) -> int:
    """draft-irtf-cfrg-bbs-signatures §4.2.2 hash_to_scalar.

    uniform_bytes = expand_message(msg_octets, dst, expand_len)
    return OS2IP(uniform_bytes) mod r
    """
    # ABORT if length(dst) > 255
    if len(dst) > 255:
        raise ParameterError("hash_to_scalar DST longer than 255 bytes")
    return os2ip(expand_message(msg, dst, expand_len, kind)) % BLS12_381_R
