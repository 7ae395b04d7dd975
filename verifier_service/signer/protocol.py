"""What the shared service and an agency's signer say to each other (docs/deployment.md §8).

Every request to the signer is signed by the service with its Ed25519 *signer-client key*
(sealed with the operator's KEK in the service database; the agency pins its public key when
it starts the signer). Four headers carry the proof:

    Zkaid-Signer-Key:        hex of the service's 32-byte Ed25519 public key
    Zkaid-Signer-Time:       Unix seconds (the signer accepts +- MAX_SKEW)
    Zkaid-Signer-Nonce:      32 hex digits, never accepted twice within the skew window
    Zkaid-Signer-Signature:  hex of Ed25519(sk, DOMAIN || method || path || time || nonce || SHA-256(body))

Bodies are zkaid canonical CBOR (``sdk.wire.encode_canonical``), so the signed digest is of
exactly the bytes the signer decodes. The sign request is a map:

    {"v": 1, "request": IssuanceRequest bytes (the wallet's, untouched),
     "schema": "id@version", "values": [wire values in schema order],
     "entropy": 32 bytes (re-issue: reuse this signer entropy) or None,
     "credential_id": 32 hex, "approval": bytes or None}

and the answer is the IssuedCredential bytes (``application/cbor``) or a problem+json body
whose ``reason`` is a :class:`sdk.reasons.SignerReason`.

Registrar approval (optional, the signer decides): a COSE-free, fixed-layout Ed25519
signature by one of the agency's *registrar keys* over

    APPROVAL_DOMAIN || issuer_kid || len(ref) (2 bytes) || schema ref || SHA-256(canonical
    CBOR of the values the registrar typed, in schema order, handles left out) || expires
    (8 bytes) || nonce (16 random bytes: two households with the same values get two approvals)

carried as registrar public key (32) || expires (8) || nonce (16) || signature (64),

so an operator holding the service's credentials cannot have the signer sign values the
agency's registrar did not approve, and each approval signs one card (the journal keeps its
digest).
"""

from __future__ import annotations

import hashlib
import secrets
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from sdk.credential import Schema

__all__ = [
    "APPROVAL_LEN",
    "MAX_BODY",
    "MAX_SKEW",
    "POP_HEADER",
    "Approval",
    "approval_digest",
    "approval_message",
    "make_approval",
    "public_bytes",
    "request_headers",
    "signed_text",
    "typed_values_digest",
    "verify_approval",
    "verify_request_signature",
]

DOMAIN = b"zkaid/signer-request/v1\n"
APPROVAL_DOMAIN = b"zkaid/registrar-approval/v1\n"
POP_HEADER = b"zkaid/signer-pop/v1"  # BBS header of the proof of possession at registration
MAX_SKEW = 120  # seconds
MAX_BODY = 64 * 1024
APPROVAL_LEN = 32 + 8 + 16 + 64  # registrar public key || expires || nonce || signature

H_KEY, H_TIME, H_NONCE, H_SIG = ("Zkaid-Signer-Key", "Zkaid-Signer-Time", "Zkaid-Signer-Nonce",
                                 "Zkaid-Signer-Signature")


def public_bytes(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def signed_text(method: str, path: str, at: int, nonce: str, body: bytes) -> bytes:
    return b"\n".join([DOMAIN + method.upper().encode(), path.encode(), str(at).encode(), nonce.encode(),
                       hashlib.sha256(body).hexdigest().encode()])


def request_headers(key: Ed25519PrivateKey, method: str, path: str, body: bytes, *, now: int) -> dict[str, str]:
    """The four authentication headers of one request (a fresh nonce each time)."""
    nonce = secrets.token_hex(16)
    sig = key.sign(signed_text(method, path, now, nonce, body))
    return {H_KEY: public_bytes(key).hex(), H_TIME: str(now), H_NONCE: nonce, H_SIG: sig.hex(),
            "Content-Type": "application/cbor"}


def verify_request_signature(headers: Mapping[str, str], method: str, path: str, body: bytes, *,
                             trusted: frozenset[bytes], now: int) -> tuple[bytes, str] | str:
    """(the service key, the nonce) if the headers prove the request, else why not (words)."""
    try:
        pk = bytes.fromhex(headers.get(H_KEY, ""))
        at = int(headers.get(H_TIME, ""))
        nonce = headers.get(H_NONCE, "")
        sig = bytes.fromhex(headers.get(H_SIG, ""))
    except ValueError:
        return "the request carries no readable service signature"
    if len(pk) != 32 or len(sig) != 64 or len(nonce) != 32:
        return "the request carries no readable service signature"
    if pk not in trusted:
        return f"the service key {pk.hex()[:16]}... is not one this signer was told to trust"
    if abs(now - at) > MAX_SKEW:
        return f"the request was signed at {at}, more than {MAX_SKEW} s from this signer's clock ({now})"
    try:
        Ed25519PublicKey.from_public_bytes(pk).verify(sig, signed_text(method, path, at, nonce, body))
    except InvalidSignature:
        return "the service signature does not verify"
    return pk, nonce


# ------------------------------------------------------------------ registrar approval

def typed_values_digest(schema: Schema, raw: tuple[Any, ...] | list[Any]) -> bytes:
    """SHA-256 of the registrar's values in schema order (wire form), handles left out: the
    service draws the handles after the registrar approved."""
    from sdk.wire import encode_canonical

    keep = [v for a, v in zip(schema.attributes, raw, strict=True) if not a.hidden]
    return hashlib.sha256(encode_canonical([schema.ref, keep])).digest()


def approval_message(issuer_kid: bytes, schema_ref: str, values_digest: bytes, expires: int, nonce: bytes) -> bytes:
    ref = schema_ref.encode()
    return (APPROVAL_DOMAIN + issuer_kid + struct.pack(">H", len(ref)) + ref + values_digest
            + struct.pack(">Q", expires) + nonce)


@dataclass(frozen=True)
class Approval:
    registrar_key: bytes
    expires: int
    nonce: bytes
    signature: bytes

    def to_bytes(self) -> bytes:
        return self.registrar_key + struct.pack(">Q", self.expires) + self.nonce + self.signature

    @classmethod
    def from_bytes(cls, data: bytes) -> Approval:
        if len(data) != APPROVAL_LEN:
            raise ValueError(f"an approval is {APPROVAL_LEN} bytes, got {len(data)}")
        return cls(data[:32], struct.unpack(">Q", data[32:40])[0], data[40:56], data[56:])


def make_approval(registrar_key: Ed25519PrivateKey, *, issuer_kid: bytes, schema: Schema,
                  values: Mapping[str, Any], expires: int) -> bytes:
    """What a registrar's client attaches to an offer (``approval`` in POST /v1/offers):
    ``values`` as typed (the handles, drawn later by the service, are not covered)."""
    raw = schema.encode_values(schema.with_handles(values))
    nonce = secrets.token_bytes(16)
    msg = approval_message(issuer_kid, schema.ref, typed_values_digest(schema, raw), expires, nonce)
    return Approval(public_bytes(registrar_key), expires, nonce, registrar_key.sign(msg)).to_bytes()


def verify_approval(data: bytes, *, issuer_kid: bytes, schema: Schema, raw_values: tuple[Any, ...] | list[Any],
                    registrars: frozenset[bytes], now: int) -> str | None:
    """None if ``data`` approves exactly these values for this key, else why not (words)."""
    try:
        ap = Approval.from_bytes(data)
    except ValueError as exc:
        return str(exc)
    if ap.registrar_key not in registrars:
        return "the approval is signed by a key that is not one of this agency's registrar keys"
    if ap.expires <= now:
        return "the registrar's approval has expired: the registrar opens a new offer"
    msg = approval_message(issuer_kid, schema.ref, typed_values_digest(schema, raw_values), ap.expires, ap.nonce)
    try:
        Ed25519PublicKey.from_public_bytes(ap.registrar_key).verify(ap.signature, msg)
    except InvalidSignature:
        return "the registrar's approval does not match these values (or this key and schema)"
    return None


def approval_digest(data: bytes) -> str:
    return hashlib.sha256(b"zkaid/approval/v1" + data).hexdigest()
