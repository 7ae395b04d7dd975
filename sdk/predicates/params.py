"""Range parameters: the issuer's signatures on the digits 0..u-1 (CCs08 §3, §4).

Camenisch, Chaabouni and shelat, "Efficient Protocols for Set Membership and Range
Proofs", ASIACRYPT 2008 (specs/predicates.md): the issuer picks a range key x, publishes
y = x * BP2 and the weak Boneh-Boyen signatures A_i = (1 / (x + i)) * BP1 for every digit
i in [0, u). A prover shows a hidden digit is one of them without saying which. The key x
is only needed to make the parameters and is discarded afterwards.

Encoding (published in the trust list issuer entry, ``range_params``):
    version (1 byte = 1) || I2OSP(u, 2) || I2OSP(ell, 1) || y (96) || A_0 .. A_{u-1} (48 each)
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import lru_cache

from sdk.bbs.utils import R
from sdk.curves import CurveBackend, get_backend
from sdk.curves.base import G1, G2
from sdk.errors import EncodingError, InvalidProofError, ParameterError
from sdk.reasons import PredicateReason

__all__ = ["DEFAULT_ELL", "DEFAULT_U", "RangeParams", "generate_range_params", "load_range_params"]

# u = 256, ell = 2: a 16-bit range. Chosen from measurements (bench/presentation.py,
# specs/predicates.md): a proof costs 80 + ell*128 + (ell-1)*32 bytes, so u = 16 (ell = 4)
# gives 688 bytes, u = 256 gives 368 bytes, and u = 65536 would need 3 MB of parameters.
DEFAULT_U = 256
DEFAULT_ELL = 2
_VERSION = 1
_HEADER = 4
MAX_U = 1024  # 4 + 96 + 48 * 1024 bytes fit the 64 KiB trust-list field
MAX_ELL = 8


@dataclass(frozen=True)
class RangeParams:
    """Decoded and checked range parameters for one issuer key (points are backend-owned)."""

    u: int
    ell: int
    y: G2
    digits: tuple[G1, ...]
    encoded: bytes

    @property
    def max_delta(self) -> int:
        """The largest provable distance from a bound: u^ell - 1."""
        return int(self.u**self.ell - 1)


def generate_range_params(
    u: int = DEFAULT_U, ell: int = DEFAULT_ELL, *, x: int | None = None,
    backend: str | CurveBackend | None = None,
) -> bytes:
    """Issuer side: draw a fresh range key, sign every digit, return the encoding."""
    if not 2 <= u <= MAX_U or not 1 <= ell <= MAX_ELL:
        raise ParameterError(f"range parameters need 2 <= u <= {MAX_U} and 1 <= ell <= {MAX_ELL}")
    be = get_backend(backend)
    while x is None or x == 0 or any((x + i) % R == 0 for i in range(u)):
        x = secrets.randbelow(R)
    y = be.g2_mul(be.g2_generator(), x)
    g = be.g1_generator()
    parts = [bytes([_VERSION]), u.to_bytes(2, "big"), ell.to_bytes(1, "big"), be.g2_to_bytes(y)]
    for i in range(u):
        parts.append(be.g1_to_bytes(be.g1_mul(g, pow(x + i, -1, R))))
    return b"".join(parts)


@lru_cache(maxsize=64)
def load_range_params(data: bytes, backend: CurveBackend) -> RangeParams:
    """Decode and verify range parameters (once per list: the result is cached).

    Checks every point (curve, subgroup, not the identity) and that every A_i is a valid
    signature on i: e(A_i, y + i*BP2) == e(BP1, BP2), batched with random weights rho_i as
    e(sum rho_i A_i, y) * e(sum rho_i i A_i - (sum rho_i) BP1, BP2) == 1.
    """
    if not isinstance(data, bytes) or len(data) < _HEADER + 96 or data[0] != _VERSION:
        raise EncodingError("range parameters are malformed or of an unknown version")
    u = int.from_bytes(data[1:3], "big")
    ell = data[3]
    if not 2 <= u <= MAX_U or not 1 <= ell <= MAX_ELL or len(data) != _HEADER + 96 + 48 * u:
        raise EncodingError("range parameters have an invalid size")
    y = backend.g2_from_bytes(data[_HEADER : _HEADER + 96])
    off = _HEADER + 96
    digits = tuple(backend.g1_from_bytes(data[off + 48 * i : off + 48 * (i + 1)]) for i in range(u))
    rho = [secrets.randbits(64) | 1 for _ in range(u)]
    lhs = backend.g1_msm(list(digits), rho)
    rhs = backend.g1_msm([*digits, backend.g1_generator()], [*(r * i for i, r in enumerate(rho)), -sum(rho)])
    if not backend.pairing_check([(lhs, y), (rhs, backend.g2_generator())]):
        raise InvalidProofError("range parameters carry an invalid digit signature", reason=PredicateReason.INVALID_RANGE_PARAMS)
    return RangeParams(u, ell, y, digits, data)
