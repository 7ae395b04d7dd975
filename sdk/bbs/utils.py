"""BBS utility operations (draft-irtf-cfrg-bbs-signatures §4 "Utility Operations").

hash_to_scalar, messages_to_scalars, calculate_domain, random scalars (real and the
test-only seeded mock of §8.1), and the small serialisation helpers of §4.2.4.1.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence

from sdk.bbs.ciphersuite import Ciphersuite
from sdk.bbs.generators import Generators
from sdk.curves import CurveBackend
from sdk.curves.hashing import BLS12_381_R, expand_message, i2osp, os2ip
from sdk.curves.hashing import hash_to_scalar as _h2s
from sdk.errors import ParameterError

__all__ = [
    "RNG",
    "BackendArg",
    "R",
    "SuiteArg",
    "calculate_domain",
    "calculate_random_scalars",
    "hash_to_scalar",
    "i2osp",
    "map_message_to_scalar_dst",
    "messages_to_scalars",
    "mocked_rng",
    "random_scalars",
    "scalar_to_octets",
    "seeded_random_scalars",
]

R = BLS12_381_R

# rng(count) -> list of `count` scalars in [0, r). The real one is calculate_random_scalars;
# tests and vectors inject seeded_random_scalars through it (never in production).
RNG = Callable[[int], list[int]]

# What the public functions accept for ``suite=`` and ``backend=``.
SuiteArg = str | Ciphersuite
BackendArg = str | CurveBackend | None


def hash_to_scalar(msg: bytes, dst: bytes, suite: Ciphersuite) -> int:
    """§4.2.2 hash_to_scalar(msg_octets, dst) = OS2IP(expand_message(msg, dst, 48)) mod r."""
    return _h2s(msg, dst, suite.expand, suite.expand_len)


def scalar_to_octets(x: int) -> bytes:
    """§4.2.4.1: a scalar is I2OSP(x, 32)."""
    return i2osp(x % R, 32)


def map_message_to_scalar_dst(api_id: bytes) -> bytes:
    """§4.1.2: map_dst = api_id || "MAP_MSG_TO_SCALAR_AS_HASH_"."""
    return api_id + b"MAP_MSG_TO_SCALAR_AS_HASH_"


def messages_to_scalars(messages: Sequence[bytes], api_id: bytes, suite: Ciphersuite) -> list[int]:
    """§4.1.2 messages_to_scalars: each message (any octet string) via hash_to_scalar."""
    dst = map_message_to_scalar_dst(api_id)
    out = []
    for i, msg in enumerate(messages):
        if not isinstance(msg, (bytes, bytearray)):
            raise ParameterError(f"message {i} must be bytes, not {type(msg).__name__}")
        out.append(hash_to_scalar(bytes(msg), dst, suite))
    return out


def calculate_domain(
    pk: bytes, gens: Generators, header: bytes, api_id: bytes, suite: Ciphersuite
) -> int:
    """§4.2.3 calculate_domain.

    dom_octs  = serialize((L, Q_1, H_1, ..., H_L)) || api_id
    dom_input = PK || dom_octs || I2OSP(length(header), 8) || header
    domain    = hash_to_scalar(dom_input, api_id || "H2S_")
    """
    if len(header) > 2**64 - 1:
        raise ParameterError("header too long")
    dom_octs = i2osp(len(gens.h_octets), 8) + gens.q1_octets + b"".join(gens.h_octets) + api_id
    dom_input = bytes(pk) + dom_octs + i2osp(len(header), 8) + bytes(header)
    return hash_to_scalar(dom_input, api_id + b"H2S_", suite)


def calculate_random_scalars(count: int) -> list[int]:
    """§4.2.1 calculate_random_scalars: OS2IP(get_random(48)) mod r, from the OS CSPRNG."""
    return [os2ip(secrets.token_bytes(48)) % R for _ in range(count)]


def seeded_random_scalars(seed: bytes, dst: bytes, count: int, suite: Ciphersuite) -> list[int]:
    """§8.1 mocked_calculate_random_scalars (TEST ONLY): expand_message(SEED, DST, 48*count).

    The output depends on ``count`` (it enters expand_message), so call it with the exact
    number of scalars the operation needs, never a prefix of a longer list.
    """
    out_len = suite.expand_len * count
    v = expand_message(seed, dst, out_len, suite.expand)
    return [os2ip(v[i * 48 : (i + 1) * 48]) % R for i in range(count)]


def mocked_rng(seed: bytes, dst: bytes, suite: Ciphersuite) -> RNG:
    """An ``rng`` for vectors and tests: rng(count) = seeded_random_scalars(seed, dst, count)."""
    return lambda count: seeded_random_scalars(seed, dst, count, suite)


def random_scalars(count: int, rng: RNG | None) -> list[int]:
    """Draw ``count`` scalars from ``rng`` (tests) or the CSPRNG, checking what came back."""
    out = calculate_random_scalars(count) if rng is None else list(rng(count))
    if len(out) != count or any(not isinstance(x, int) for x in out):
        raise ParameterError(f"rng must return {count} integer scalars")
    return [x % R for x in out]
