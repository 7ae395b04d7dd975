"""Issuer keys held by the agency's own signer: registering one, and forwarding issuance.

The service keeps offers, tokens, the re-issue entropy and the trust list; the BBS secret
key stays on the agency's machine (``zkaid signer serve``). For such a key the service
database holds the public key, the signer's address and no secret at all.

The service authenticates to signers with one Ed25519 key of its own (the *signer-client
key*), made on first use and sealed with the KEK in ``meta`` like the log key; the agency
pins its public key (``zkaid issuer-key service-key`` prints it).

Registration fetches the key's public material from the signer and checks a proof of
possession (a BBS signature over a fresh challenge), so an agency cannot register a public
key whose secret it does not hold (for example another agency's).
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from sdk.bbs.signature import verify as bbs_verify
from sdk.credential import IssuerKey, Schema
from sdk.errors import CredentialError, WireError
from sdk.reasons import AdminReason, IssuanceReason
from sdk.trust import bbs_kid
from sdk.wire import IssuedCredential, decode, encode_canonical
from verifier_service.registry.models import IssuerKeyRow, Meta
from verifier_service.registry.signer_models import RemoteSigner
from verifier_service.services import audit
from verifier_service.services.errors import Conflict, Invalid, Unavailable
from verifier_service.services.keys import IssuerKeyInfo, add_schema, store_issuer_key
from verifier_service.services.sealing import Keyring
from verifier_service.signer.protocol import POP_HEADER, public_bytes, request_headers

__all__ = [
    "RemoteKeyOffer",
    "client_key",
    "fetch_info",
    "forward_sign",
    "public_issuer_key",
    "register_remote_key",
    "remote_url",
]

_KEY_META = "signer-client-key"
#: seconds to wait for an agency's signer (connect, then answer)
TIMEOUT = httpx.Timeout(float(os.environ.get("ZKAID_SIGNER_TIMEOUT", "15")), connect=5.0)


def client_key(session: Session, keyring: Keyring) -> Ed25519PrivateKey:
    """The service's signer-client key (made on first use; racing workers keep the first)."""
    row = session.get(Meta, _KEY_META)
    if row is None:
        raw = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        ins = pg_insert(Meta) if session.get_bind().dialect.name == "postgresql" else sqlite_insert(Meta)
        session.execute(ins.values(key=_KEY_META, value=keyring.seal(raw, _KEY_META)).on_conflict_do_nothing())
        row = session.get(Meta, _KEY_META, populate_existing=True)
        assert row is not None
    return Ed25519PrivateKey.from_private_bytes(keyring.open(row.value, _KEY_META))


def remote_url(session: Session, kid: str) -> str | None:
    row = session.get(RemoteSigner, kid)
    return row.url if row is not None else None


def public_issuer_key(row: IssuerKeyRow) -> IssuerKey:
    """The key without its secret (which lives with the agency's signer)."""
    return IssuerKey(row.name, b"", row.public_key, row.suite, row.nym_count, tuple(json.loads(row.schemas)),
                     row.range_params)


def _unreachable(url: str, exc: Exception) -> Unavailable:
    return Unavailable(f"the agency's signer at {url} is unreachable ({type(exc).__name__}): the card was not "
                       "issued and the offer is still valid; try again in a few minutes, and tell the agency "
                       "if it lasts (its `zkaid signer serve` must be running and reachable from the service)",
                       reason=IssuanceReason.SIGNER_UNAVAILABLE)


def _post(url: str, path: str, key: Ed25519PrivateKey, body: bytes, *, now: int,
          transport: httpx.BaseTransport | None = None) -> httpx.Response:
    headers = request_headers(key, "POST", path, body, now=now)
    try:
        with httpx.Client(timeout=TIMEOUT, transport=transport) as c:
            return c.post(url.rstrip("/") + path, content=body, headers=headers)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:  # InvalidURL: a stored address httpx now refuses
        raise _unreachable(url, exc) from exc


def _problem(resp: httpx.Response) -> tuple[str, str]:
    try:
        doc = resp.json()
        return str(doc.get("reason", "")), str(doc.get("detail", ""))
    except (ValueError, AttributeError):
        return "", resp.text[:200]


def forward_sign(url: str, key: Ed25519PrivateKey, *, request: bytes, schema_ref: str, values: list[Any],
                 entropy: int | None, credential_id: str, approval: bytes | None, now: int,
                 transport: httpx.BaseTransport | None = None) -> IssuedCredential:
    """Have the agency's signer sign; its refusal is a 422 (or 503 when it cannot sign now)."""
    body = encode_canonical({
        "v": 1, "request": request, "schema": schema_ref, "values": list(values),
        "entropy": entropy.to_bytes(32, "big") if entropy is not None else None,
        "credential_id": credential_id, "approval": approval,
    })
    resp = _post(url, "/v1/sign", key, body, now=now, transport=transport)
    if resp.status_code != 200:
        reason, detail = _problem(resp)
        if resp.status_code in (429, 503) or resp.status_code >= 500:
            raise Unavailable(f"the agency's signer cannot sign now ({reason or resp.status_code}): {detail}",
                              reason=IssuanceReason.SIGNER_UNAVAILABLE, signer_reason=reason or None)
        raise Invalid(f"the agency's signer refused to sign ({reason or resp.status_code}): {detail}",
                      reason=IssuanceReason.SIGNER_REFUSED, signer_reason=reason or None)
    try:
        return decode(resp.content, IssuedCredential)
    except WireError as exc:
        raise Unavailable(f"the agency's signer answered something that is not a credential: {exc.message}",
                          reason=IssuanceReason.SIGNER_UNAVAILABLE) from exc


# ------------------------------------------------------------------- registration

@dataclass(frozen=True)
class RemoteKeyOffer:
    """What the signer says about its key, checked (proof of possession verified)."""

    key: IssuerKey
    schemas: tuple[Schema, ...]
    approval_required: bool


def fetch_info(url: str, key: Ed25519PrivateKey, *, now: int,
               transport: httpx.BaseTransport | None = None) -> RemoteKeyOffer:
    if not url.startswith(("http://", "https://")) or len(url) > 512:
        raise Invalid("the signer URL is http(s)://host:port, at most 512 characters",
                      reason=AdminReason.INVALID_SIGNER)
    try:
        httpx.URL(url.rstrip("/") + "/v1/info")
    except httpx.InvalidURL as exc:  # e.g. a control character or a host IDNA cannot encode
        raise Invalid(f"the signer URL is not a usable address ({exc}): give it as http(s)://host:port",
                      reason=AdminReason.INVALID_SIGNER) from exc
    challenge = secrets.token_bytes(32)
    resp = _post(url, "/v1/info", key, encode_canonical({"challenge": challenge}), now=now, transport=transport)
    if resp.status_code != 200:
        reason, detail = _problem(resp)
        raise Invalid(f"the signer at {url} refused ({reason or resp.status_code}): {detail}; has the agency "
                      f"pinned this service's key {public_bytes(key).hex()}?", reason=AdminReason.INVALID_SIGNER)
    try:
        doc = resp.json()
        schemas = tuple(Schema.from_json(text) for text in doc["schemas"])
        pk = bytes.fromhex(doc["public_key"])
        rp = bytes.fromhex(doc["range_params"]) if doc.get("range_params") else None
        k = IssuerKey(str(doc["name"]), b"", pk, str(doc["suite"]), int(doc["nym_count"]),
                      tuple(s.ref for s in schemas), rp)
        pop = bytes.fromhex(doc["pop"])
        ok = bbs_kid(pk).hex() == doc["kid"] and bbs_verify(pk, pop, POP_HEADER, [challenge], suite=k.suite)
    except (ValueError, KeyError, TypeError, CredentialError) as exc:
        raise Invalid(f"the signer at {url} answered an unreadable key description: {exc}",
                      reason=AdminReason.INVALID_SIGNER) from exc
    if not ok:
        raise Invalid(f"the signer at {url} did not prove it holds the secret of the key it names",
                      reason=AdminReason.INVALID_SIGNER)
    return RemoteKeyOffer(k, schemas, bool(doc.get("approval_required")))


def register_remote_key(session: Session, keyring: Keyring, offer: RemoteKeyOffer, *, url: str, now: int,
                        agency: str, lifetime: int, actor: str) -> IssuerKeyInfo:
    """Store the public key (secret column empty) and the signer's address."""
    for schema in offer.schemas:
        add_schema(session, now=now, definition=schema.to_json(), agency=agency, actor=actor, if_missing=True)
    kid = offer.key.kid.hex()
    if session.get(IssuerKeyRow, kid) is not None:
        raise Conflict(f"issuer key {kid} is registered already", reason=AdminReason.KEY_EXISTS)
    info = store_issuer_key(session, keyring, offer.key, now=now, agency=agency, not_before=None, not_after=None,
                            lifetime=lifetime, actor=actor)
    row = session.get(IssuerKeyRow, kid)
    assert row is not None
    row.secret_key_enc = b""  # the secret never reached this service; nothing sealed either
    session.add(RemoteSigner(kid=kid, url=url, created_at=now, created_by=actor[:64]))
    audit.record(session, at=now, agency=agency, actor=actor, action="issuer_key.remote", target=kid, url=url,
                 approval_required=offer.approval_required)
    return info
