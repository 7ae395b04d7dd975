"""The wallet's encrypted vault: one file, AES-256-GCM under a key derived from the PIN.

Why it looks like this:

- **One file holds everything secret** (seed, credentials, trust list, history, settings),
  encrypted with AES-256-GCM. The key comes from the PIN through scrypt (RFC 7914) with a
  random 16-byte salt; scrypt's parameters travel in the file, so they can be raised later
  without breaking old wallets. n = 2**15, r = 8, p = 1 costs about 80 ms and 32 MiB on a
  laptop, a few hundred ms on a cheap phone.
- **A wrong PIN is told apart from a damaged file.** The file carries a 16-byte check value
  derived from the second half of the scrypt output. A mismatch means "wrong PIN"; a match
  followed by an AES-GCM failure means the ciphertext was altered ("tampered"). An unkeyed
  SHA-256 trailer catches accidental damage (a torn or truncated file: "corrupted") before
  any key is derived. The check value lets an attacker with the file test a PIN guess with
  one scrypt call, which is what the GCM tag would allow anyway; the real protection against
  someone who copies the file is scrypt's cost, so keep PINs at 6 digits.
- **Repeated wrong PINs slow down**: after ``free_attempts`` failures in a row, each attempt
  must wait ``base_delay * 2**k`` seconds (capped). The counter is stored *outside* the
  ciphertext (it must be written without the key) but inside the same file, and also in the
  backup; the effective count is the maximum over both, so deleting one of them does not
  reset it. This throttles guessing through the app; it cannot stop someone who copies the
  file off a rooted phone (see docs/wallet.md).
- **Writes are atomic and keep the previous good state**: the last good file is first
  copied to ``<name>.bak`` (temp file, fsync, rename), then the new state is written the
  same way over the primary, then the directory is fsynced. A crash or a full disk at any
  point leaves a primary that is either the old or the new state, and a backup with the
  last good state. When the primary is damaged, ``open`` falls back to the backup and says
  so (``Opened.recovered``).

File layout (version 1)::

    "ZKWV" 0x01 || CBOR map {"kdf": {...}, "check": bstr16, "nonce": bstr12, "ct": bstr,
                             "meta": {"failures": uint, "last_failure": uint}}
               || SHA-256(everything before)

The AES-GCM associated data is the magic, version and the canonical CBOR of the ``kdf``,
``check`` and ``nonce`` fields, so they cannot be swapped under a ciphertext; ``meta`` (the
wrong-PIN counter) is deliberately outside it.
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import cbor2
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from appkit.files import atomic_write
from sdk.errors import ZkaidError
from wallet_app.reasons import VaultReason

__all__ = [
    "DEFAULT_KDF",
    "DEFAULT_POLICY",
    "CorruptedVaultError",
    "DelayPolicy",
    "KdfParams",
    "LockStatus",
    "LockedOutError",
    "NoVaultError",
    "Opened",
    "TamperedVaultError",
    "Vault",
    "VaultError",
    "VaultWriteError",
    "WrongPinError",
    "save_file",
]

MAGIC = b"ZKWV"
FORMAT_VERSION = 1
_TRAILER = 32
_SALT_LEN = 16
_NONCE_LEN = 12
_CHECK_LEN = 16
MAX_VAULT_BYTES = 8 * 1024 * 1024


# ---------------------------------------------------------------------------- errors


class VaultError(ZkaidError):
    """The wallet storage cannot do what was asked; ``reason`` says why."""

    default_reason: ClassVar[str] = VaultReason.VAULT


class NoVaultError(VaultError):
    default_reason: ClassVar[str] = VaultReason.NO_VAULT


class WrongPinError(VaultError):
    """The PIN does not open the vault. ``failures`` counts wrong PINs in a row and
    ``retry_after`` is how many seconds the next attempt must wait (0 = now)."""

    default_reason: ClassVar[str] = VaultReason.WRONG_PIN

    def __init__(self, message: str, *, failures: int, retry_after: int) -> None:
        super().__init__(message)
        self.failures = failures
        self.retry_after = retry_after


class LockedOutError(VaultError):
    """Too many wrong PINs: the next attempt is allowed in ``retry_after`` seconds."""

    default_reason: ClassVar[str] = VaultReason.LOCKED_OUT

    def __init__(self, message: str, *, retry_after: int, failures: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.failures = failures


class CorruptedVaultError(VaultError):
    """The file is damaged (truncated, torn write, bit rot): not a wallet file we can read."""

    default_reason: ClassVar[str] = VaultReason.CORRUPTED


class TamperedVaultError(VaultError):
    """The PIN is right but the encrypted content does not authenticate: it was altered."""

    default_reason: ClassVar[str] = VaultReason.TAMPERED


class VaultWriteError(VaultError):
    """Saving failed (``disk_full`` or ``write_failed``); the previous state is intact."""

    default_reason: ClassVar[str] = VaultReason.WRITE_FAILED


# ---------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class KdfParams:
    """scrypt cost parameters (RFC 7914). Stored in every file with its salt."""

    n: int = 2**15
    r: int = 8
    p: int = 1

    def __post_init__(self) -> None:
        if self.n < 2 or self.n & (self.n - 1) or not 1 <= self.r <= 64 or not 1 <= self.p <= 16:
            raise VaultError("invalid scrypt parameters", reason=VaultReason.INVALID_KDF)
        if self.n > 2**20:
            raise VaultError("scrypt n above 2**20 is refused (memory)", reason=VaultReason.INVALID_KDF)


DEFAULT_KDF = KdfParams()


@dataclass(frozen=True)
class DelayPolicy:
    """How long to wait after ``failures`` wrong PINs in a row."""

    free_attempts: int = 3
    base_delay: int = 30
    max_delay: int = 3600

    def delay(self, failures: int) -> int:
        if failures < self.free_attempts:
            return 0
        return int(min(self.max_delay, self.base_delay * 2 ** (failures - self.free_attempts)))


DEFAULT_POLICY = DelayPolicy()


@dataclass(frozen=True)
class LockStatus:
    failures: int
    retry_after: int  # seconds until the next PIN attempt is allowed; 0 = now


@dataclass(frozen=True)
class Opened:
    plaintext: bytes = field(repr=False)
    recovered: bool  # the primary file was damaged and the backup copy was used


# ---------------------------------------------------------------------------- atomic writes


def save_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader sees the old or the new bytes, never a mix
    (:func:`appkit.files.atomic_write`: temp file, fsync, rename, fsync of the directory);
    a failure is a :class:`VaultWriteError` and leaves the old file as it was."""
    try:
        atomic_write(path, data)
    except OSError as exc:
        raise _write_error(exc) from exc


def _write_error(exc: OSError) -> VaultWriteError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return VaultWriteError(
            "the phone's storage is full: nothing was changed. Free some space and try again.",
            reason=VaultReason.DISK_FULL,
        )
    return VaultWriteError(f"saving the wallet failed ({exc.strerror or exc}); nothing was changed")


# ---------------------------------------------------------------------------- file format


@dataclass(frozen=True)
class _File:
    kdf: KdfParams
    salt: bytes
    check: bytes
    nonce: bytes
    ct: bytes
    failures: int
    last_failure: int
    device: bool = False  # the key also needs this phone's device secret (platform/keystore.py)

    def aad(self) -> bytes:
        return MAGIC + bytes([FORMAT_VERSION]) + cbor2.dumps(self._fixed(), canonical=True)

    def _fixed(self) -> dict[str, Any]:
        return {
            # "device" is written only when set, so PIN-only files keep their exact bytes
            "kdf": {"alg": "scrypt", "n": self.kdf.n, "r": self.kdf.r, "p": self.kdf.p, "salt": self.salt}
            | ({"device": True} if self.device else {}),
            "check": self.check,
            "nonce": self.nonce,
        }

    def to_bytes(self) -> bytes:
        body = self._fixed() | {
            "ct": self.ct,
            "meta": {"failures": self.failures, "last_failure": self.last_failure},
        }
        head = MAGIC + bytes([FORMAT_VERSION]) + cbor2.dumps(body, canonical=True)
        return head + hashlib.sha256(head).digest()

    @classmethod
    def parse(cls, data: bytes) -> _File:
        bad = CorruptedVaultError("the wallet file is damaged")
        if len(data) < len(MAGIC) + 1 + _TRAILER or not data.startswith(MAGIC):
            raise bad
        head, trailer = data[:-_TRAILER], data[-_TRAILER:]
        if not hmac.compare_digest(hashlib.sha256(head).digest(), trailer):
            raise bad
        if head[len(MAGIC)] != FORMAT_VERSION:
            raise VaultError("this wallet file was written by a newer app: update the app",
                             reason=VaultReason.UNKNOWN_VERSION)
        try:
            body = cbor2.loads(head[len(MAGIC) + 1 :])
            kdf = body["kdf"]
            if kdf["alg"] != "scrypt":
                raise bad
            meta = body["meta"]
            out = cls(
                KdfParams(int(kdf["n"]), int(kdf["r"]), int(kdf["p"])), bytes(kdf["salt"]),
                bytes(body["check"]), bytes(body["nonce"]), bytes(body["ct"]),
                int(meta["failures"]), int(meta["last_failure"]), kdf.get("device", False) is True,
            )
        except (cbor2.CBORDecodeError, KeyError, TypeError, ValueError, VaultError) as exc:
            raise bad from exc
        if len(out.salt) != _SALT_LEN or len(out.check) != _CHECK_LEN or len(out.nonce) != _NONCE_LEN:
            raise bad
        return out


def _derive(pin: str, salt: bytes, kdf: KdfParams, device_secret: bytes | None = None) -> tuple[bytes, bytes]:
    """(AES key, PIN check value) from one scrypt call. With a device secret (a key held by
    the phone's keystore, wallet_app/platform/keystore.py), the scrypt output is keyed with it
    (HMAC-SHA-512, RFC 2104) before the split, so neither the key nor the check value can be
    computed, and so no PIN can be tested, without that phone."""
    out = Scrypt(salt=salt, length=64, n=kdf.n, r=kdf.r, p=kdf.p).derive(pin.encode("utf-8"))
    if device_secret is not None:
        out = hmac.new(device_secret, out, hashlib.sha512).digest()
    check = hashlib.sha256(b"zkaid/wallet/pin-check" + out[32:]).digest()[:_CHECK_LEN]
    return out[:32], check


# ---------------------------------------------------------------------------- the vault


class Vault:
    """Encrypted storage of one byte string (the wallet state) in ``directory``.

    ``open(pin)`` returns the plaintext and keeps the derived key in memory until
    ``close()``, so that ``save`` can re-encrypt without asking for the PIN again.
    """

    FILENAME = "wallet.vault"

    def __init__(
        self, directory: str | os.PathLike[str], *, kdf: KdfParams = DEFAULT_KDF,
        policy: DelayPolicy = DEFAULT_POLICY, clock: Callable[[], float] = time.time,
        device_secret: Callable[[bool], bytes] | None = None,
    ) -> None:
        self.directory = Path(directory)
        self._device_secret = device_secret  # None: the desktop fallback, PIN-only key
        self._device_open = False
        self.path = self.directory / self.FILENAME
        self.backup_path = self.directory / (self.FILENAME + ".bak")
        self.kdf = kdf
        self.policy = policy
        self._clock = clock
        self._key: bytes | None = None
        self._salt: bytes | None = None
        self._check: bytes | None = None
        self._kdf_open: KdfParams | None = None
        self._last_good: bytes | None = None  # bytes of the last state known to decrypt

    def __repr__(self) -> str:
        return f"Vault({str(self.directory)!r}, open={self.is_open})"

    # -- queries ------------------------------------------------------------------
    def exists(self) -> bool:
        return self.path.exists() or self.backup_path.exists()

    @property
    def is_open(self) -> bool:
        return self._key is not None

    def _now(self) -> int:
        return int(self._clock())

    def _headers(self) -> list[_File]:
        out = []
        for p in (self.path, self.backup_path):
            try:
                out.append(_File.parse(p.read_bytes()))
            except (OSError, VaultError):
                continue
        return out

    def status(self) -> LockStatus:
        """Wrong PINs in a row and the wait before the next attempt (readable while locked)."""
        files = self._headers()
        failures = max((f.failures for f in files), default=0)
        last = max((f.last_failure for f in files), default=0)
        delay = self.policy.delay(failures)
        if delay == 0:
            return LockStatus(failures, 0)
        now = self._now()
        # A clock set back before the last failure restarts the full wait.
        elapsed = now - last if now >= last else 0
        return LockStatus(failures, max(0, delay - elapsed))

    # -- lifecycle ------------------------------------------------------------------
    def create(self, pin: str, plaintext: bytes, *, replace: bool = False) -> None:
        """A new vault under ``pin`` (``replace=True`` overwrites an existing wallet)."""
        if self.exists() and not replace:
            raise VaultError("a wallet already exists on this phone", reason=VaultReason.EXISTS)
        self.directory.mkdir(parents=True, exist_ok=True)
        salt = secrets.token_bytes(_SALT_LEN)
        device = self._device_secret(True) if self._device_secret is not None else None
        key, check = _derive(pin, salt, self.kdf, device)
        self._key, self._salt, self._check, self._kdf_open = key, salt, check, self.kdf
        self._device_open = device is not None
        blob = self._seal(plaintext, failures=0, last_failure=0)
        if replace:
            self.backup_path.unlink(missing_ok=True)
        save_file(self.path, blob)
        self._last_good = blob
        self._clean_temp()

    def open(self, pin: str) -> Opened:
        """Decrypt with ``pin``: WrongPinError / LockedOutError / CorruptedVaultError /
        TamperedVaultError (each with a reason). Falls back to the backup copy when the
        primary file is damaged."""
        if not self.exists():
            raise NoVaultError("there is no wallet on this phone yet")
        st = self.status()
        if st.retry_after > 0:
            raise LockedOutError(
                f"too many wrong PINs: wait {st.retry_after} seconds", retry_after=st.retry_after,
                failures=st.failures,
            )
        self._clean_temp()
        primary_error: VaultError | None = None
        try:
            blob = self.path.read_bytes()
            f = _File.parse(blob)
        except FileNotFoundError:
            primary_error = CorruptedVaultError("the wallet file is missing")
        except OSError as exc:
            primary_error = CorruptedVaultError(f"the wallet file cannot be read ({exc.strerror})")
        except VaultError as exc:
            primary_error = exc
        if primary_error is None:
            key, check = _derive(pin, f.salt, f.kdf, self._device_for(f))
            if not hmac.compare_digest(check, f.check):
                raise self._wrong_pin()
            try:
                plaintext = AESGCM(key).decrypt(f.nonce, f.ct, f.aad())
            except InvalidTag:
                primary_error = TamperedVaultError(
                    "the wallet file was altered: its content does not authenticate"
                )
            else:
                self._unlocked(key, f, blob)
                return Opened(plaintext, recovered=False)
        # The primary is damaged: try the backup (last good state) with the same PIN.
        try:
            bblob = self.backup_path.read_bytes()
            b = _File.parse(bblob)
        except (OSError, VaultError):
            raise primary_error from None
        key, check = _derive(pin, b.salt, b.kdf, self._device_for(b))
        if not hmac.compare_digest(check, b.check):
            if isinstance(primary_error, CorruptedVaultError):
                raise self._wrong_pin()
            raise primary_error
        try:
            plaintext = AESGCM(key).decrypt(b.nonce, b.ct, b.aad())
        except InvalidTag:
            raise primary_error from None
        self._unlocked(key, b, bblob)
        # Put the good state back in place; keep the damaged file out of the way for support.
        try:
            if self.path.exists():
                os.replace(self.path, self.directory / (self.FILENAME + ".damaged"))
            save_file(self.path, self._seal(plaintext, failures=0, last_failure=0))
        except (OSError, VaultError):
            pass  # still usable from memory; the next save retries the write
        return Opened(plaintext, recovered=True)

    def _device_for(self, f: _File) -> bytes | None:
        if not f.device:
            return None
        if self._device_secret is None:
            raise VaultError("this wallet is bound to another phone's keystore: restore it from the recovery code",
                             reason=VaultReason.VAULT)
        return self._device_secret(False)

    def _unlocked(self, key: bytes, f: _File, blob: bytes) -> None:
        self._key, self._salt, self._check, self._kdf_open = key, f.salt, f.check, f.kdf
        self._device_open = f.device
        self._last_good = blob
        if any(h.failures for h in self._headers()):
            self._write_counter(0, 0)

    def _wrong_pin(self) -> WrongPinError:
        files = self._headers()
        failures = max((h.failures for h in files), default=0) + 1
        now = self._now()
        try:
            self._write_counter(failures, now)
        except VaultError:
            pass  # the count could not be saved (disk full); the PIN is still refused
        return WrongPinError(
            "wrong PIN", failures=failures, retry_after=self.policy.delay(failures),
        )

    def _write_counter(self, failures: int, last_failure: int) -> None:
        """Rewrite the unencrypted counter of both copies (ciphertext untouched)."""
        for p in (self.backup_path, self.path):
            try:
                f = _File.parse(p.read_bytes())
            except (OSError, VaultError):
                continue
            g = _File(f.kdf, f.salt, f.check, f.nonce, f.ct, failures, last_failure, f.device)
            save_file(p, g.to_bytes())
            if p == self.path and self._key is not None:
                self._last_good = g.to_bytes()

    def save(self, plaintext: bytes) -> None:
        """Encrypt and store a new state; the previous good state becomes the backup.
        Raises VaultWriteError (``disk_full`` / ``write_failed``) with the old state intact."""
        if self._key is None:
            raise VaultError("the wallet is locked", reason=VaultReason.LOCKED)
        blob = self._seal(plaintext, failures=0, last_failure=0)
        if self._last_good is not None:
            save_file(self.backup_path, self._last_good)
        save_file(self.path, blob)
        self._last_good = blob

    def close(self) -> None:
        """Forget the key (the wallet is locked again)."""
        self._key = self._salt = self._check = None
        self._kdf_open = None
        self._last_good = None

    def _seal(self, plaintext: bytes, *, failures: int, last_failure: int) -> bytes:
        assert self._key is not None and self._salt is not None and self._check is not None
        kdf = self._kdf_open or self.kdf
        nonce = secrets.token_bytes(_NONCE_LEN)
        f = _File(kdf, self._salt, self._check, nonce, b"", failures, last_failure, self._device_open)
        ct = AESGCM(self._key).encrypt(nonce, plaintext, f.aad())
        blob = _File(kdf, self._salt, self._check, nonce, ct, failures, last_failure, self._device_open).to_bytes()
        if len(blob) > MAX_VAULT_BYTES:
            raise VaultWriteError("the wallet has grown too large to save", reason=VaultReason.TOO_LARGE)
        return blob

    def _clean_temp(self) -> None:
        """Remove temp files left by a crash in the middle of a write."""
        if not self.directory.is_dir():
            return
        for p in self.directory.glob(f".{self.FILENAME}*.tmp"):
            p.unlink(missing_ok=True)
