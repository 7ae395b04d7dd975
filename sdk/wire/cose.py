"""COSE_Sign1 envelopes with Ed25519 (RFC 9052 §4.2, §4.4; algorithm EdDSA = -8, RFC 9053 §2.2).

Used for the trust list and for signed presentation requests. Layout (tag 18):

    COSE_Sign1 = [protected: bstr .cbor {1: -8}, unprotected: {4: kid}, payload: bstr,
                  signature: bstr .size 64]

signed over Sig_structure = ["Signature1", protected, external_aad = h'', payload].
On the wire the envelope is preceded by the zkaid MAGIC (tag 55799) like every message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sdk.errors import WireError
from sdk.reasons import WireReason
from sdk.wire.cbor import MAGIC, decode_canonical, encode_canonical

__all__ = ["COSE_SIGN1_TAG", "CoseSign1", "ed25519_kid", "is_sign1", "parse_sign1", "sign1", "verify_sign1"]

COSE_SIGN1_TAG = 18
ALG_EDDSA = -8
_PROTECTED = cbor2.dumps({1: ALG_EDDSA}, canonical=True)


@dataclass(frozen=True)
class CoseSign1:
    protected: bytes
    kid: bytes
    payload: bytes
    signature: bytes


def ed25519_kid(public_key: bytes) -> bytes:
    """Key id of an Ed25519 key: SHA-256("zkaid-kid-ed25519" || raw 32 bytes)[:8]."""
    import hashlib

    return hashlib.sha256(b"zkaid-kid-ed25519" + public_key).digest()[:8]


def _sig_structure(protected: bytes, payload: bytes) -> bytes:
    return cbor2.dumps(["Signature1", protected, b"", payload], canonical=True)


def sign1(payload: bytes, key: Ed25519PrivateKey, kid: bytes) -> bytes:
    """Wrap ``payload`` in a COSE_Sign1 signed with ``key``."""
    sig = key.sign(_sig_structure(_PROTECTED, payload))
    return encode_canonical(cbor2.CBORTag(COSE_SIGN1_TAG, [_PROTECTED, {4: kid}, payload, sig]))


def is_sign1(data: bytes) -> bool:
    """Peek, without parsing: does ``data`` start like a zkaid COSE_Sign1 envelope (MAGIC,
    then CBOR tag 18, encoded as the single byte 0xD2)? The one place that sniffs this;
    :func:`parse_sign1` still checks everything."""
    return (
        isinstance(data, (bytes, bytearray))
        and len(data) > len(MAGIC)
        and bytes(data[: len(MAGIC)]) == MAGIC
        and data[len(MAGIC)] == 0xC0 | COSE_SIGN1_TAG
    )


def parse_sign1(data: bytes, *, max_bytes: int = 1024 * 1024) -> CoseSign1:
    """Strictly parse a COSE_Sign1 (structure only; verify with :func:`verify_sign1`)."""
    value = decode_canonical(data, max_bytes=max_bytes)
    if not isinstance(value, cbor2.CBORTag) or value.tag != COSE_SIGN1_TAG:
        raise WireError("not a signed zkaid envelope (COSE_Sign1)", reason=WireReason.WRONG_TYPE)
    arr = value.value
    if not isinstance(arr, (list, tuple)) or len(arr) != 4:
        raise WireError("COSE_Sign1 must be an array of 4 items", reason=WireReason.MALFORMED)
    protected, unprotected, payload, sig = arr
    if protected != _PROTECTED:
        raise WireError("COSE_Sign1 must use EdDSA (alg -8) and nothing else", reason=WireReason.MALFORMED)
    if (not isinstance(unprotected, Mapping) or set(unprotected) != {4} or not isinstance(unprotected[4], bytes)
            or len(unprotected[4]) != 8):
        raise WireError("COSE_Sign1 must carry exactly a key id", reason=WireReason.MALFORMED)
    if not isinstance(payload, bytes) or not isinstance(sig, bytes) or len(sig) != 64:
        raise WireError("COSE_Sign1 payload or signature malformed", reason=WireReason.MALFORMED)
    return CoseSign1(protected, unprotected[4], payload, sig)


def verify_sign1(env: CoseSign1, public_key: bytes) -> bool:
    """True iff the Ed25519 signature over the Sig_structure verifies under ``public_key``."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            env.signature, _sig_structure(env.protected, env.payload)
        )
    except (InvalidSignature, ValueError):
        return False
    return True
