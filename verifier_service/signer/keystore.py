"""The agency's issuer key at rest, on the agency's own machine (``zkaid signer init``).

One JSON file, mode 0600, written atomically by the caller's writer (``zkaid signer init``
passes appkit.files.atomic_write; the service package itself never imports appkit). The public part
(name, suite, N, schemas, public key, range parameters) is readable; the BBS secret key is
sealed with AES-256-GCM under a key that never sits next to it:

- ``passphrase``: scrypt(passphrase, salt; N=2^15, r=8, p=1) (RFC 7914), typed at start
  or read from ``ZKAID_SIGNER_PASSPHRASE`` / a file;
- ``kek-file``: a 32-byte key-encryption key in a separate file (base64, like the service's
  KEK), for a machine whose disk encryption or HSM-backed mount holds that file.

The sealed value is bound to the key id through the associated data, so a secret cannot be
swapped into another key's file unnoticed.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from sdk.bbs.keys import sk_to_pk
from sdk.credential import IssuerKey, Schema
from sdk.errors import CredentialError
from verifier_service.registry.db import private_dir
from verifier_service.services.sealing import KekError, load_kek

__all__ = ["KEY_FILE", "SignerKeyError", "SignerKeyFile", "create_key_file", "open_key_file"]

KEY_FILE = "issuer-key.json"
FORMAT = "zkaid-signer-key/v1"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
MIN_PASSPHRASE = 12


class SignerKeyError(Exception):
    """The key file is missing, damaged, or does not open with what was given."""


@dataclass(frozen=True)
class SignerKeyFile:
    """The opened key: the issuer key with its secret, and the schema definitions it issues."""

    key: IssuerKey
    schemas: dict[str, Schema]
    path: Path


def _aad(kid: str) -> bytes:
    return f"zkaid/signer-key/v1:{kid}".encode()


def _scrypt(passphrase: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P).derive(passphrase.encode("utf-8"))


def _wrapping_key(seal: dict[str, Any], *, passphrase: str | None, kek_file: Path | None) -> bytes:
    kind = seal.get("kind")
    if kind == "passphrase":
        if passphrase is None:
            raise SignerKeyError("this key is sealed with a passphrase: give it (ZKAID_SIGNER_PASSPHRASE, "
                                 "--passphrase-file, or type it when asked)")
        try:
            salt = base64.b64decode(seal["salt"], validate=True)
        except (KeyError, binascii.Error, ValueError) as exc:
            raise SignerKeyError("the key file's seal parameters are damaged") from exc
        return _scrypt(passphrase, salt)
    if kind == "kek-file":
        if kek_file is None:
            raise SignerKeyError("this key is sealed with a key-encryption key file: give it with --kek-file")
        try:
            kek = load_kek(kek=None, kek_file=kek_file)
        except KekError as exc:
            raise SignerKeyError(str(exc)) from exc
        assert kek is not None
        return kek
    raise SignerKeyError(f"unknown seal {kind!r} in the key file")


#: writes bytes to a path atomically with the given mode (appkit.files.atomic_write)
Writer = Callable[..., None]


def create_key_file(folder: Path, key: IssuerKey, schemas: list[Schema], *, passphrase: str | None,
                    kek_file: Path | None, write: Writer) -> Path:
    """Seal ``key`` into ``folder``/issuer-key.json (0600, through ``write(path, data, mode=0o600)``);
    refuse to replace an existing key."""
    if (passphrase is None) == (kek_file is None):
        raise SignerKeyError("seal the key with a passphrase or with a KEK file (one of them)")
    if passphrase is not None and len(passphrase) < MIN_PASSPHRASE:
        raise SignerKeyError(f"the passphrase is too short: at least {MIN_PASSPHRASE} characters")
    path = folder / KEY_FILE
    if path.exists():
        raise SignerKeyError(f"{path} exists already: a signer folder holds one key (use another --dir)")
    refs = {s.ref for s in schemas}
    if set(key.schemas) != refs:
        raise SignerKeyError("the key's schemas and the given schema definitions differ")
    private_dir(folder)
    seal: dict[str, Any]
    if passphrase is not None:
        salt = os.urandom(16)
        seal = {"kind": "passphrase", "kdf": "scrypt", "salt": base64.b64encode(salt).decode(), "n": SCRYPT_N,
                "r": SCRYPT_R, "p": SCRYPT_P}
    else:
        seal = {"kind": "kek-file"}
    kid = key.kid.hex()
    wrap = _wrapping_key(seal, passphrase=passphrase, kek_file=kek_file)
    nonce = os.urandom(12)
    sealed = nonce + AESGCM(wrap).encrypt(nonce, key.secret_key, _aad(kid))
    doc = {
        "format": FORMAT, "kid": kid, "name": key.name, "suite": key.suite, "nym_count": key.nym_count,
        "public_key": key.public_key.hex(), "schemas": [s.to_json() for s in schemas],
        "range_params": base64.b64encode(key.range_params).decode() if key.range_params else None,
        "seal": seal, "secret": base64.b64encode(sealed).decode(),
    }
    write(path, json.dumps(doc, indent=1).encode(), mode=0o600)
    return path


def _read(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text("utf-8"))
    except FileNotFoundError as exc:
        raise SignerKeyError(f"no signer key at {path}: run `zkaid signer init` first") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SignerKeyError(f"cannot read the signer key file {path}: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise SignerKeyError(f"{path} is not a zkaid signer key file")
    return doc


def open_key_file(folder: Path, *, passphrase: str | None, kek_file: Path | None) -> SignerKeyFile:
    path = folder / KEY_FILE
    doc = _read(path)
    try:
        schemas = [Schema.from_json(text) for text in doc["schemas"]]
        sealed = base64.b64decode(doc["secret"], validate=True)
        pk = bytes.fromhex(doc["public_key"])
        rp = base64.b64decode(doc["range_params"], validate=True) if doc.get("range_params") else None
        kid = str(doc["kid"])
        name, suite, nym_count = str(doc["name"]), str(doc["suite"]), int(doc["nym_count"])
        seal = dict(doc["seal"])
    except (KeyError, TypeError, ValueError, binascii.Error, CredentialError) as exc:
        raise SignerKeyError(f"the signer key file {path} is damaged: {exc}") from exc
    wrap = _wrapping_key(seal, passphrase=passphrase, kek_file=kek_file)
    try:
        sk = AESGCM(wrap).decrypt(sealed[:12], sealed[12:], _aad(kid))
    except (InvalidTag, ValueError) as exc:
        raise SignerKeyError("the key does not open: wrong passphrase or KEK file") from exc
    key = IssuerKey(name, sk, pk, suite, nym_count, tuple(s.ref for s in schemas), rp)
    if key.kid.hex() != kid or sk_to_pk(sk, suite=suite) != pk:
        raise SignerKeyError(f"the signer key file {path} is damaged: its kid or secret does not match its public key")
    return SignerKeyFile(key, {s.ref: s for s in schemas}, path)
