"""Issuance: a registrar's offer, the wallet's request, the blind-signed credential.

- An offer holds a one-time 32-byte token (in the Offer message, for the QR) and a short
  code the beneficiary can type instead. Only their SHA-256 digests are looked up; the
  Offer bytes and the attribute values are sealed with the KEK and deleted as soon as the
  offer is used or has expired.
- The wallet's IssuanceRequest consumes the token atomically (a conditional UPDATE in one
  transaction): of two concurrent uses exactly one gets a credential. A request that fails
  (bad commitment, wrong key) leaves the token usable.
- The signer entropy of every credential is sealed with the KEK under its credential id.
  An officer of the same agency re-issues with ``reissue_of``: the new credential reuses
  the entropy and the issuer key, so a wallet restored from its recovery code keeps its
  pseudonyms (specs/credential-profile.md §8).
- A key held by the agency's own signer (``remote_signers``; docs/deployment.md §8): the
  service has no secret for it, so redeeming forwards the wallet's request, the values and
  the re-issue entropy to that signer and checks what comes back. An offer for such a key
  may carry the agency registrar's approval, sealed with the values and forwarded as is.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sdk.credential import IssuerKey, issue
from sdk.errors import CredentialError, ParameterError, VerificationError, WireError
from sdk.reasons import AdminReason, IssuanceReason
from sdk.wire import (
    IssuanceRequest,
    IssuedCredential,
    Offer,
    decode,
    decode_canonical,
    encode,
    encode_canonical,
)
from verifier_service.registry.db import Store
from verifier_service.registry.models import Credential, IssuerKeyRow, Meta, OfferRow
from verifier_service.services import audit, lifecycle, linkage, remote_signer
from verifier_service.services.auth import Principal
from verifier_service.services.errors import (
    BadInput,
    Conflict,
    Forbidden,
    Gone,
    Invalid,
    NotFound,
    Unavailable,
)
from verifier_service.services.keys import (
    active_issuer_key,
    get_schema,
    issuer_key_status,
    load_issuer_key,
)
from verifier_service.services.sealing import Keyring

__all__ = [
    "OfferCreated",
    "create_offer",
    "normalize_code",
    "offer_by_code",
    "purge_expired",
    "redeem",
]

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
CODE_LEN = 8
_CODE_FIX = str.maketrans({"O": "0", "I": "1", "L": "1"})


@dataclass(frozen=True)
class OfferCreated:
    offer_id: str
    credential_id: str
    code: str
    expires_at: int
    offer: bytes
    issuer_kid: str
    schema: str


def _token_hash(token: bytes) -> str:
    return hashlib.sha256(b"zkaid/offer-token/v1" + token).hexdigest()


def _code_hash(code: str) -> str:
    return hashlib.sha256(b"zkaid/offer-code/v1" + code.encode("ascii")).hexdigest()


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LEN))


def normalize_code(code: str) -> str | None:
    """Case, spaces and hyphens are ignored; O reads as 0, I and L as 1."""
    c = "".join(ch for ch in code.upper() if ch not in " -\t").translate(_CODE_FIX)
    if len(c) != CODE_LEN or any(ch not in CODE_ALPHABET for ch in c):
        return None
    return c


def purge_expired(session: Session, now: int) -> int:
    """Delete the sealed values of offers that expired unused."""
    res = session.execute(
        update(OfferRow).where(OfferRow.expires_at <= now, OfferRow.payload_enc.is_not(None))
        .values(payload_enc=None)
    )
    return int(getattr(res, "rowcount", 0) or 0)


def create_offer(store: Store, keyring: Keyring, *, now: int, principal: Principal, schema_ref: str,
                 values: Mapping[str, Any], reissue_of: str | None, endpoint: str, ttl: int,
                 approval: bytes | None = None) -> OfferCreated:
    with store.write() as s:
        purge_expired(s, now)
        schema = get_schema(s, schema_ref)
        if reissue_of is not None:
            cred = s.get(Credential, reissue_of)
            if cred is None or cred.agency_id != principal.agency:
                raise NotFound("no credential with this id was issued by your agency", reason=IssuanceReason.UNKNOWN_CREDENTIAL)
            key_row = s.get(IssuerKeyRow, cred.issuer_kid)
            assert key_row is not None
            if issuer_key_status(key_row, now) not in ("active", "retired"):
                raise Conflict("the issuer key of that credential is no longer valid: issue a new credential",
                               reason=IssuanceReason.ISSUER_KEY_EXPIRED)
            if schema.ref != cred.schema_ref:
                raise Invalid(f"that credential is a {cred.schema_ref}, not a {schema.ref}", reason=IssuanceReason.SCHEMA_MISMATCH)
        else:
            key_row = active_issuer_key(s, agency=principal.agency, schema_ref=schema.ref, now=now)
        try:
            raw = schema.encode_values(schema.with_handles(values))  # v2: the registrar draws the card handle
        except CredentialError as exc:
            raise Invalid(exc.message, reason=exc.reason) from exc
        if approval is not None and remote_signer.remote_url(s, key_row.kid) is None:
            raise Invalid("a registrar approval is for an agency whose own signer holds its issuer key; this "
                          "agency's key is held by the service: send the offer without one",
                          reason=AdminReason.APPROVAL_NOT_USED)
        expires = min(now + ttl, key_row.not_after)
        token = secrets.token_bytes(32)
        try:
            offer = encode(Offer(bytes.fromhex(key_row.kid), schema.id, schema.version, token, endpoint, expires,
                                 key_row.nym_count))
        except WireError as exc:
            raise Invalid(f"the offer cannot be encoded: {exc.message}", reason=IssuanceReason.INVALID_OFFER) from exc
        offer_id, credential_id = uuid.uuid4().hex, uuid.uuid4().hex
        for _ in range(8):
            code = _new_code()
            if s.scalar(select(OfferRow.offer_id).where(OfferRow.code_hash == _code_hash(code))) is None:
                break
        else:  # pragma: no cover - 2^40 codes
            raise Conflict("could not draw a free offer code; try again", reason=IssuanceReason.CODE_EXHAUSTED)
        payload = [offer, list(raw)] if approval is None else [offer, list(raw), approval]
        sealed = keyring.seal(encode_canonical(payload), f"offer:{offer_id}")
        s.add(OfferRow(offer_id=offer_id, credential_id=credential_id, agency_id=principal.agency,
                       issuer_kid=key_row.kid, schema_ref=schema.ref, token_hash=_token_hash(token),
                       code_hash=_code_hash(code), payload_enc=sealed, reissue_of=reissue_of,
                       created_by=principal.key_id, created_at=now, expires_at=expires))
        audit.record(s, at=now, agency=principal.agency, actor=principal.actor, action="offer.create",
                     target=offer_id, credential=credential_id, issuer_kid=key_row.kid, schema=schema.ref,
                     reissue_of=reissue_of, expires_at=expires)
    return OfferCreated(offer_id, credential_id, f"{code[:4]}-{code[4:]}", expires, offer, key_row.kid, schema.ref)


def _open_payload(keyring: Keyring, row: OfferRow) -> tuple[bytes, list[Any], bytes | None]:
    assert row.payload_enc is not None
    data = decode_canonical(keyring.open(row.payload_enc, f"offer:{row.offer_id}"))
    return bytes(data[0]), list(data[1]), (bytes(data[2]) if len(data) > 2 else None)


def _state_error(row: OfferRow, now: int, cls: type[Forbidden] | type[Gone]) -> Forbidden | Gone | None:
    if row.used_at is not None:
        return cls("this offer has been used already", reason=IssuanceReason.TOKEN_USED)
    if row.expires_at <= now or row.payload_enc is None:
        return cls("this offer has expired: ask the registration desk for a new one", reason=IssuanceReason.TOKEN_EXPIRED)
    return None


def offer_by_code(store: Store, keyring: Keyring, *, now: int, code: str) -> bytes:
    norm = normalize_code(code)
    if norm is None:
        raise NotFound("no offer has this code", reason=IssuanceReason.UNKNOWN_CODE)
    with store.read() as s:
        row = s.scalars(select(OfferRow).where(OfferRow.code_hash == _code_hash(norm))).first()
        if row is None:
            raise NotFound("no offer has this code", reason=IssuanceReason.UNKNOWN_CODE)
        err = _state_error(row, now, Gone)
        if err is not None:
            raise err
        return _open_payload(keyring, row)[0]


def _sign_remotely(store: Store, keyring: Keyring, url: str, *, key: IssuerKey, schema_ref: str, raw: list[Any],
                   request: bytes, entropy: int | None, credential_id: str, approval: bytes | None,
                   now: int) -> tuple[IssuedCredential, int]:
    """Forward to the agency's signer and check that it signed what was asked, with this key."""
    with store.read() as s:
        known = s.get(Meta, "signer-client-key") is not None
    if known:
        with store.read() as s:
            client = remote_signer.client_key(s, keyring)
    else:
        with store.write() as s:
            client = remote_signer.client_key(s, keyring)
    issued = remote_signer.forward_sign(url, client, request=request, schema_ref=schema_ref, values=raw,
                                        entropy=entropy, credential_id=credential_id, approval=approval, now=now)
    used = int.from_bytes(issued.signer_entropy, "big")
    if (issued.issuer_kid != key.kid or f"{issued.schema_id}@{issued.schema_version}" != schema_ref
            or list(issued.values) != raw or (entropy is not None and used != entropy)):
        raise Unavailable("the agency's signer answered a credential for other values or another key: nothing "
                          "was issued; the agency checks its signer", reason=IssuanceReason.SIGNER_UNAVAILABLE)
    return issued, used


def redeem(store: Store, keyring: Keyring, *, now: int, request: bytes) -> bytes:
    """IssuanceRequest bytes in, IssuedCredential bytes out (the token is consumed)."""
    try:
        req = decode(request, IssuanceRequest)
    except WireError as exc:
        raise BadInput(f"not a valid issuance request: {exc.message}", reason=IssuanceReason.MALFORMED,
                       wire_reason=exc.reason) from exc
    with store.read() as s:
        row = s.scalars(select(OfferRow).where(OfferRow.token_hash == _token_hash(req.token))).first()
        if row is None:
            raise Forbidden("this offer token is not valid", reason=IssuanceReason.TOKEN_INVALID)
        err = _state_error(row, now, Forbidden)
        if err is not None:
            raise err
        offer_id, credential_id, reissue_of = row.offer_id, row.credential_id, row.reissue_of
        _offer, raw, approval = _open_payload(keyring, row)
        signer_url = remote_signer.remote_url(s, row.issuer_kid)
        if signer_url is None:
            key = load_issuer_key(s, keyring, row.issuer_kid)
        else:  # the agency's own signer holds the secret (docs/deployment.md §8)
            key_row = s.get(IssuerKeyRow, row.issuer_kid)
            assert key_row is not None
            key = remote_signer.public_issuer_key(key_row)
        schema = get_schema(s, row.schema_ref)
        agency = row.agency_id
        # issue 13: the wallet's person binding decides how a re-issue keeps the person
        plan = lifecycle.plan_issuance(s, keyring, request=req, key=key, reissue_of=reissue_of)
    if signer_url is None:
        try:
            issued, used = issue(key, schema, req, schema.decode_values(raw), signer_entropy=plan.entropy)
        except (CredentialError, VerificationError, ParameterError) as exc:
            raise Invalid(exc.message, reason=exc.reason) from exc
    else:
        issued, used = _sign_remotely(store, keyring, signer_url, key=key, schema_ref=schema.ref, raw=raw,
                                      request=request, entropy=plan.entropy, credential_id=credential_id,
                                      approval=approval, now=now)
    with store.write() as s:
        res = s.execute(
            update(OfferRow).where(OfferRow.offer_id == offer_id, OfferRow.used_at.is_(None),
                                   OfferRow.expires_at > now)
            .values(used_at=now, payload_enc=None)
        )
        if getattr(res, "rowcount", 0) != 1:
            again = s.get(OfferRow, offer_id)
            assert again is not None
            raise _state_error(again, now, Forbidden) or Forbidden("this offer has been used already",
                                                                   reason=IssuanceReason.TOKEN_USED)
        s.add(Credential(credential_id=credential_id, agency_id=agency, issuer_kid=key.kid.hex(),
                         schema_ref=schema.ref, entropy_enc=keyring.seal(used.to_bytes(32, "big"),
                                                                        f"credential:{credential_id}"),
                         offer_id=offer_id, reissue_of=reissue_of, issued_at=now))
        s.flush()
        lifecycle.record_issuance(s, keyring, plan, credential_id=credential_id, agency=agency, key=key,
                                  schema=schema, issued=issued, now=now)
        # issue 14: store the registration check's match record with this agency and day
        # (or refuse while a possible match is unresolved); a no-op for unchecked offers
        linkage.on_credential_issued(s, offer_id=offer_id, credential_id=credential_id, agency=agency, now=now)
        audit.record(s, at=now, agency=agency, actor=f"offer:{offer_id}", action="credential.issue",
                     target=credential_id, issuer_kid=key.kid.hex(), schema=schema.ref, reissue_of=reissue_of)
    return encode(issued)

