"""Secrets at rest: AES-256-GCM under the key-encryption key (KEK).

The KEK comes from a file (``ZKAID_KEK_FILE``) or the environment (``ZKAID_KEK``), as base64
of 32 bytes, and never enters the database. Every sealed value is bound to what it belongs
to through the associated data (for example an issuer key's kid), so ciphertexts cannot be
swapped between rows. Layout: version byte 0x01 || 12-byte nonce || ciphertext+tag.
"""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from verifier_service.registry.db import private_dir

__all__ = ["KekError", "Keyring", "generate_kek_file", "load_kek"]

_VERSION = b"\x01"
KEK_CHECK_TEXT = b"zkaid kek check v1"


class KekError(Exception):
    """The KEK is missing, malformed, or does not open what the database holds."""


class Keyring:
    def __init__(self, kek: bytes) -> None:
        if len(kek) != 32:
            raise KekError("the key-encryption key must be 32 bytes")
        self._aead = AESGCM(kek)

    def __repr__(self) -> str:
        return "Keyring(<kek>)"

    def seal(self, plaintext: bytes, aad: str) -> bytes:
        nonce = os.urandom(12)
        return _VERSION + nonce + self._aead.encrypt(nonce, plaintext, aad.encode())

    def open(self, blob: bytes, aad: str) -> bytes:
        if len(blob) < 1 + 12 + 16 or blob[:1] != _VERSION:
            raise KekError("sealed value has an unknown format")
        try:
            return self._aead.decrypt(blob[1:13], blob[13:], aad.encode())
        except InvalidTag as exc:
            raise KekError("sealed value does not open with this key-encryption key") from exc


def _parse(text: str, where: str) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KekError(f"{where}: the key-encryption key is not valid base64") from exc
    if len(raw) != 32:
        raise KekError(f"{where}: the key-encryption key must be 32 bytes (got {len(raw)})")
    return raw


def load_kek(*, kek: str | None, kek_file: Path | None) -> bytes | None:
    """The KEK from the file or the variable (the file wins), or None if neither is set."""
    if kek_file is not None:
        try:
            text = kek_file.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise KekError(f"cannot read the key-encryption key file {kek_file}: {exc}") from exc
        return _parse(text, str(kek_file))
    if kek:
        return _parse(kek, "ZKAID_KEK")
    return None


def generate_kek_file(path: Path) -> bytes:
    """Write a fresh KEK (base64) to ``path`` with mode 0600; refuse to overwrite."""
    private_dir(path.parent)
    kek = os.urandom(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(base64.b64encode(kek).decode() + "\n")
    return kek
