"""HPKE (RFC 9180) for referrals: the two suites zkaid offers and the agencies' referral keys.

Suites (RFC 9180 §7 identifiers; specs/referrals.md §3):

- ``X25519-SHA256-ChaCha20Poly1305``: DHKEM(X25519, HKDF-SHA256) (0x0020), HKDF-SHA256
  (0x0001), ChaCha20-Poly1305 (0x0003). ChaCha20 is fast on phones and desks without AES
  instructions.
- ``MLKEM768X25519-SHA256-AES128GCM``: the hybrid post-quantum KEM MLKEM768-X25519 (X-Wing,
  KEM id 0x647A; draft-connolly-cfrg-xwing-kem-06, draft-ietf-hpke-pq), HKDF-SHA256, AES-128-GCM.
  Confidential as long as either ML-KEM-768 or X25519 holds.

Only the base mode (``mode_base``, RFC 9180 §5.1.1) and single-shot encryption (§6.1) are
used: a referral is one message. ``cryptography``'s public HPKE API takes ``info`` but no
``aad`` on ``Suite.encrypt``; zkaid binds the envelope header through ``info`` (it enters the
key schedule, §5.1, so a changed header yields another key and the AEAD tag fails), which is
what :mod:`sdk.referral.envelope` relies on.

Key encodings: X25519 keys are the raw 32 bytes (RFC 7748). A hybrid private key is the
32-byte X-Wing seed, expanded as draft-connolly-cfrg-xwing-kem-06 §5.2 says:
``expanded = SHAKE256(seed, 96)``; ML-KEM-768 key from ``expanded[0:64]`` (d || z, FIPS 203
ML-KEM.KeyGen_internal), X25519 key ``expanded[64:96]``. The public key is
``pk_M (1184 bytes) || pk_X (32 bytes)`` (1216 bytes).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Union

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke, serialization
from cryptography.hazmat.primitives.asymmetric import mlkem, x25519

from sdk.errors import ReferralError
from sdk.reasons import ReferralReason
from sdk.trust import referral_kid
from sdk.wire import ReferralKeyEntry

__all__ = [
    "HYBRID",
    "SUITES",
    "X25519",
    "HpkeSuite",
    "ReferralKeyPair",
    "load_public_key",
    "open_",
    "seal",
    "suite",
]

X25519 = "X25519-SHA256-ChaCha20Poly1305"
HYBRID = "MLKEM768X25519-SHA256-AES128GCM"

_MLKEM_PK = 1184
_X_PK = 32

PublicKey = Union[x25519.X25519PublicKey, hpke.MLKEM768X25519PublicKey]  # noqa: UP007
PrivateKey = Union[x25519.X25519PrivateKey, hpke.MLKEM768X25519PrivateKey]  # noqa: UP007


@dataclass(frozen=True)
class HpkeSuite:
    """One HPKE ciphersuite: its name in zkaid messages and its RFC 9180 identifiers."""

    name: str
    kem_id: int
    kdf_id: int
    aead_id: int
    public_key_len: int
    enc_len: int
    kem: hpke.KEM = field(repr=False)
    kdf: hpke.KDF = field(repr=False)
    aead: hpke.AEAD = field(repr=False)

    def hpke(self) -> hpke.Suite:
        return hpke.Suite(self.kem, self.kdf, self.aead)


SUITES: dict[str, HpkeSuite] = {
    X25519: HpkeSuite(X25519, 0x0020, 0x0001, 0x0003, 32, 32,
                      hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305),
    HYBRID: HpkeSuite(HYBRID, 0x647A, 0x0001, 0x0001, _MLKEM_PK + _X_PK, 1120,
                      hpke.KEM.MLKEM768_X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_128_GCM),
}


def suite(name: str) -> HpkeSuite:
    """The suite called ``name``, or ReferralError(reason="unknown_suite")."""
    s = SUITES.get(name)
    if s is None:
        raise ReferralError(
            f"unknown referral encryption suite {name!r} (known: {', '.join(SUITES)})", reason=ReferralReason.UNKNOWN_SUITE
        )
    return s


def _xwing_expand(seed: bytes) -> tuple[mlkem.MLKEM768PrivateKey, x25519.X25519PrivateKey]:
    """draft-connolly-cfrg-xwing-kem-06 §5.2 expandDecapsulationKey: SHAKE256(sk, 96)."""
    expanded = hashlib.shake_256(seed).digest(96)
    return (mlkem.MLKEM768PrivateKey.from_seed_bytes(expanded[0:64]),
            x25519.X25519PrivateKey.from_private_bytes(expanded[64:96]))


def _raw_public(key: x25519.X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def load_public_key(suite_name: str, data: bytes) -> PublicKey:
    """Decode a referral public key of ``suite_name``, checking its length and that the
    libraries accept it (ML-KEM encapsulation-key check of FIPS 203 §7.2 is done by the
    backend); ReferralError(reason="bad_key") otherwise."""
    s = suite(suite_name)
    if not isinstance(data, bytes) or len(data) != s.public_key_len:
        raise ReferralError(f"a {s.name} public key has {s.public_key_len} bytes", reason=ReferralReason.BAD_KEY)
    try:
        if s.name == X25519:
            return x25519.X25519PublicKey.from_public_bytes(data)
        pk_m = mlkem.MLKEM768PublicKey.from_public_bytes(data[:_MLKEM_PK])
        pk_x = x25519.X25519PublicKey.from_public_bytes(data[_MLKEM_PK:])
        return hpke.MLKEM768X25519PublicKey(pk_m, pk_x)
    except ValueError as exc:
        raise ReferralError(f"the {s.name} public key is invalid: {exc}", reason=ReferralReason.BAD_KEY) from exc


@dataclass(frozen=True)
class ReferralKeyPair:
    """An agency's referral key. The private part stays on the receiving agency's desk:
    the shared service only ever sees :attr:`public_key` (through the trust list)."""

    suite: str
    secret: bytes = field(repr=False)  # X25519: raw private key; hybrid: 32-byte X-Wing seed

    @classmethod
    def generate(cls, suite_name: str = X25519) -> ReferralKeyPair:
        suite(suite_name)
        return cls(suite_name, secrets.token_bytes(32))

    @classmethod
    def from_secret(cls, suite_name: str, secret: bytes) -> ReferralKeyPair:
        suite(suite_name)
        if not isinstance(secret, bytes) or len(secret) != 32:
            raise ReferralError("a referral private key is 32 bytes", reason=ReferralReason.BAD_KEY)
        return cls(suite_name, secret)

    def private_key(self) -> PrivateKey:
        if self.suite == X25519:
            return x25519.X25519PrivateKey.from_private_bytes(self.secret)
        m, x = _xwing_expand(self.secret)
        return hpke.MLKEM768X25519PrivateKey(m, x)

    @property
    def public_key(self) -> bytes:
        if self.suite == X25519:
            return _raw_public(x25519.X25519PrivateKey.from_private_bytes(self.secret).public_key())
        m, x = _xwing_expand(self.secret)
        return m.public_key().public_bytes_raw() + _raw_public(x.public_key())

    @property
    def kid(self) -> bytes:
        return referral_kid(self.suite, self.public_key)

    def entry(self, agency: str, name: str, not_before: int, not_after: int) -> ReferralKeyEntry:
        return ReferralKeyEntry(self.kid, agency, name, self.suite, self.public_key, not_before, not_after)


def seal(suite_name: str, public_key: bytes, info: bytes, plaintext: bytes) -> bytes:
    """RFC 9180 §6.1 SealBase(pkR, info, aad="", pt): returns enc || ct."""
    s = suite(suite_name)
    pk = load_public_key(suite_name, public_key)
    try:
        return s.hpke().encrypt(plaintext, pk, info=info)
    except ValueError as exc:  # e.g. an X25519 key whose shared secret is all zero (§7.1.4)
        raise ReferralError(f"cannot encrypt to this referral key: {exc}", reason=ReferralReason.BAD_KEY) from exc


def open_(keypair: ReferralKeyPair, info: bytes, sealed: bytes) -> bytes:
    """RFC 9180 §6.1 OpenBase(enc, skR, info, aad="", ct) over enc || ct; a wrong key, a
    changed header (``info``) or a changed ciphertext all give ReferralError("tampered")."""
    s = suite(keypair.suite)
    if len(sealed) < s.enc_len + 16:
        raise ReferralError("the referral ciphertext is truncated", reason=ReferralReason.TAMPERED)
    try:
        return s.hpke().decrypt(sealed, keypair.private_key(), info=info)
    except (InvalidTag, ValueError) as exc:
        raise ReferralError(
            "the referral does not decrypt: it was altered, or it is not for this key", reason=ReferralReason.TAMPERED
        ) from exc
