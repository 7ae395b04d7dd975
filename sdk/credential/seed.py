"""The wallet seed: 32 random bytes from which every holder secret is derived.

Prover nyms (draft-irtf-cfrg-bbs-per-verifier-linkability §6.1.1 CommitWithNym) are
derived per issuer key with HKDF-SHA-256 (RFC 5869):

    prover_nym_i = OS2IP(HKDF(IKM = seed, salt = "zkaid/v1/prover-nym",
                              info = issuer_kid || I2OSP(i, 4), L = 48)) mod r

so a wallet restored from its recovery code derives the same nyms; with the signer
entropy the issuer reuses on re-issue, the person keeps the same pseudonyms.

The recovery code is the seed plus a 24-bit checksum in Crockford base32 (no I, L, O, U;
case-insensitive; O/I/L read as 0/1/1 when typed), in 14 groups of 4 characters.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from sdk.bbs.utils import R
from sdk.errors import CredentialError
from sdk.reasons import CredentialReason

__all__ = ["SEED_LEN", "WalletSeed", "decode_recovery_code", "encode_recovery_code"]

SEED_LEN = 32
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_READ = {c: i for i, c in enumerate(_ALPHABET)} | {"O": 0, "I": 1, "L": 1}
_CHECK_LEN = 3
_GROUP = 4


def _checksum(seed: bytes) -> bytes:
    return hashlib.sha256(b"zkaid/v1/recovery-code" + seed).digest()[:_CHECK_LEN]


def encode_recovery_code(seed: bytes) -> str:
    """Seed -> 'XXXX-XXXX-...' (56 characters in 14 groups)."""
    if len(seed) != SEED_LEN:
        raise CredentialError("a wallet seed is 32 bytes", reason=CredentialReason.INVALID_SEED)
    n = int.from_bytes(seed + _checksum(seed), "big")
    nchars = ((SEED_LEN + _CHECK_LEN) * 8 + 4) // 5
    chars = [_ALPHABET[(n >> (5 * i)) & 31] for i in reversed(range(nchars))]
    return "-".join("".join(chars[i : i + _GROUP]) for i in range(0, nchars, _GROUP))


def decode_recovery_code(code: str) -> bytes:
    """Recovery code -> seed, or CredentialError with a reason a person can act on."""
    cleaned = "".join(ch for ch in code.upper() if ch not in " -\t\n")
    nchars = ((SEED_LEN + _CHECK_LEN) * 8 + 4) // 5
    if len(cleaned) != nchars:
        raise CredentialError(
            f"the recovery code has {len(cleaned)} letters and digits; it should have {nchars}",
            reason=CredentialReason.RECOVERY_CODE_LENGTH,
        )
    n = 0
    for pos, ch in enumerate(cleaned):
        if ch not in _READ:
            raise CredentialError(
                f"character {pos + 1} ('{ch}') is not used in recovery codes", reason=CredentialReason.RECOVERY_CODE_CHAR
            )
        n = (n << 5) | _READ[ch]
    total = SEED_LEN + _CHECK_LEN
    if n >> (total * 8):
        raise CredentialError("the recovery code is not valid: check it again", reason=CredentialReason.RECOVERY_CODE_CHECKSUM)
    raw = n.to_bytes(total, "big")
    seed, check = raw[:SEED_LEN], raw[SEED_LEN:]
    if _checksum(seed) != check:
        raise CredentialError(
            "the recovery code does not check out: a letter or digit is wrong", reason=CredentialReason.RECOVERY_CODE_CHECKSUM
        )
    return seed


@dataclass(frozen=True)
class WalletSeed:
    """The holder's root secret. Never logged, never sent; shown once as a recovery code."""

    secret: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.secret, bytes) or len(self.secret) != SEED_LEN:
            raise CredentialError("a wallet seed is 32 bytes", reason=CredentialReason.INVALID_SEED)

    def __repr__(self) -> str:  # keep secrets out of logs and tracebacks
        return "WalletSeed(<secret>)"

    @classmethod
    def generate(cls, randbytes: Callable[[int], bytes] = os.urandom) -> WalletSeed:
        return cls(randbytes(SEED_LEN))

    @classmethod
    def from_recovery_code(cls, code: str) -> WalletSeed:
        return cls(decode_recovery_code(code))

    def recovery_code(self) -> str:
        return encode_recovery_code(self.secret)

    def prover_nyms(self, issuer_kid: bytes, count: int) -> list[int]:
        """The N prover nyms for one issuer key (see the module docstring)."""
        if count < 1 or count > 1024:
            raise CredentialError("nym count must be in 1..1024", reason=CredentialReason.INVALID_NYM_COUNT)
        out = []
        for i in range(count):
            okm = HKDF(
                algorithm=hashes.SHA256(), length=48, salt=b"zkaid/v1/prover-nym",
                info=issuer_kid + i.to_bytes(4, "big"),
            ).derive(self.secret)
            x = int.from_bytes(okm, "big") % R
            out.append(x or 1)  # zero has probability ~2^-255; keep the value a valid scalar
        return out
