"""The signed trust list: built from the registry's issuer keys, verifier keys and schemas,
signed with the trust-list authority's Ed25519 key, stored, and served as signed bytes.

The authority signs with ``zkaid trust-list sign --key-file ...``. A service that holds the
key itself (dev mode, the embedded default, or ``ZKAID_TRUST_LIST_KEY_FILE``) re-signs
whenever keys change and before the list goes stale. Apps pin the authority's public key
(the trust anchor); ``GET /v1/trust-list/anchor`` only helps bootstrap a test deployment.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sdk.credential import Schema
from sdk.errors import ScopeError, TrustListError, ZkaidError
from sdk.reasons import AdminReason
from sdk.trust import TrustAnchor, TrustList, build_payload, load_trust_list, sign_trust_list
from sdk.wire import IssuerEntry, TrustListPayload, VerifierEntry, ed25519_kid
from sdk.wire.scope import normalize_scope
from verifier_service.registry.db import TRUST_LIST_LOCK, private_dir, xact_lock
from verifier_service.registry.models import (
    IssuerKeyRow,
    SchemaRow,
    Scope,
    TrustListRow,
    VerifierKeyRow,
)
from verifier_service.services import audit, referrals
from verifier_service.services.errors import Conflict, Unavailable

__all__ = [
    "TrustListCache",
    "TrustListInfo",
    "build",
    "generate_signing_key",
    "import_signed",
    "latest",
    "load_signing_key",
    "public_key_of",
    "sign",
    "sign_if_due",
]


@dataclass(frozen=True)
class TrustListInfo:
    sequence: int
    issued_at: int
    next_update: int
    grace: int
    signer_kid: str
    anchor: str
    size: int
    issuers: int
    verifiers: int
    schemas: int


def public_key_of(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    """An Ed25519 key from a PEM (PKCS#8, unencrypted) or base64-of-32-bytes file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TrustListError(f"cannot read the trust-list key {path}: {exc}", reason=AdminReason.NO_SIGNING_KEY) from exc
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            key = serialization.load_pem_private_key(data, password=None)
            if not isinstance(key, Ed25519PrivateKey):
                raise TrustListError(f"{path} is not an Ed25519 key", reason=AdminReason.BAD_SIGNING_KEY)
            return key
        raw = base64.b64decode(data.strip(), validate=True)
        return Ed25519PrivateKey.from_private_bytes(raw)
    except (ValueError, TypeError, binascii.Error) as exc:
        raise TrustListError(f"{path} holds no usable Ed25519 key", reason=AdminReason.BAD_SIGNING_KEY) from exc


def generate_signing_key(path: Path) -> Ed25519PrivateKey:
    """A new trust-list key as PEM with mode 0600; refuses to overwrite."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    return key


def _info(row: TrustListRow) -> TrustListInfo:
    tl = load_trust_list(row.signed, [TrustAnchor(row.signer_public_key)])
    p = tl.payload
    return TrustListInfo(row.sequence, row.issued_at, row.next_update, row.grace, row.signer_kid,
                         row.signer_public_key.hex(), len(row.signed), len(p.issuers), len(p.verifiers),
                         len(p.schemas))


def latest(session: Session) -> TrustListRow | None:
    return session.scalars(select(TrustListRow).order_by(TrustListRow.sequence.desc()).limit(1)).first()


def latest_info(session: Session) -> TrustListInfo | None:
    row = latest(session)
    return _info(row) if row is not None else None


def _normal(scope: str) -> bool:
    try:
        return normalize_scope(scope) == scope
    except ScopeError:
        return False


def build(session: Session, *, now: int, validity: int, grace: int) -> TrustListPayload:
    """The next payload from the registry as it is now (unsigned), e.g. to carry to an
    authority that signs offline."""
    seq = (session.scalar(select(func.max(TrustListRow.sequence))) or 0) + 1
    issuers = [
        IssuerEntry(bytes.fromhex(r.kid), r.name, r.public_key, r.suite, r.nym_count,
                    tuple(json.loads(r.schemas)), r.not_before, r.not_after, r.range_params)
        for r in session.scalars(select(IssuerKeyRow).where(IssuerKeyRow.not_after > now)
                                 .order_by(IssuerKeyRow.created_at, IssuerKeyRow.kid))
    ]
    # issue 13: a registered verifier key may ask for pseudonyms in the registry's scopes only;
    # wallets answer any other scope (or an unlisted key) with a one-time pseudonym
    scope_names = tuple(sorted(n for n in session.scalars(select(Scope.name)) if _normal(n)))
    verifiers = [
        VerifierEntry(bytes.fromhex(r.kid), r.name, r.public_key, r.not_before, r.not_after, scope_names)
        for r in session.scalars(select(VerifierKeyRow).where(VerifierKeyRow.revoked_at.is_(None),
                                                              VerifierKeyRow.not_after > now)
                                 .order_by(VerifierKeyRow.created_at, VerifierKeyRow.kid))
    ]
    schemas = [Schema.from_json(r.definition).to_def()
               for r in session.scalars(select(SchemaRow).order_by(SchemaRow.schema_id, SchemaRow.version))]
    referral_keys, referral_types = referrals.trust_list_entries(session, now)
    try:
        return build_payload(sequence=seq, issued_at=now, next_update=now + validity, grace=grace,
                             issuers=issuers, verifiers=verifiers, schemas=schemas,
                             referral_keys=referral_keys, referral_types=referral_types)
    except ZkaidError as exc:  # e.g. too many keys for one list: retire old ones first
        raise Conflict(f"the trust list cannot be built: {exc.message}", reason=AdminReason.TRUST_LIST_UNBUILDABLE,
                       sdk_reason=exc.reason) from exc


def _store(session: Session, tl: TrustList, public_key: bytes, *, now: int, actor: str, agency: str | None,
           action: str) -> TrustListInfo:
    p = tl.payload
    row = TrustListRow(sequence=p.sequence, signed=tl.signed, issued_at=p.issued_at, next_update=p.next_update,
                       grace=p.grace, signer_kid=ed25519_kid(public_key).hex(), signer_public_key=public_key,
                       created_at=now)
    session.add(row)
    audit.record(session, at=now, agency=agency, actor=actor, action=action, target=str(p.sequence),
                 issuers=len(p.issuers), verifiers=len(p.verifiers), schemas=len(p.schemas), anchor=public_key.hex())
    session.flush()
    return _info(row)


def sign(session: Session, key: Ed25519PrivateKey, *, now: int, validity: int, grace: int, actor: str,
         agency: str | None = None) -> TrustListInfo:
    """Build the payload from the registry as it is now, sign it and store it."""
    xact_lock(session, TRUST_LIST_LOCK)
    payload = build(session, now=now, validity=validity, grace=grace)
    pub = public_key_of(key)
    tl = load_trust_list(sign_trust_list(payload, key), [TrustAnchor(pub)])
    return _store(session, tl, pub, now=now, actor=actor, agency=agency, action="trust_list.sign")


def import_signed(session: Session, signed: bytes, anchor: bytes, *, now: int, actor: str,
                  agency: str | None = None) -> TrustListInfo:
    """Store a list the authority signed offline: it must verify under ``anchor`` and come
    after the latest stored list (TrustListError / Conflict otherwise)."""
    xact_lock(session, TRUST_LIST_LOCK)
    tl = load_trust_list(signed, [TrustAnchor(anchor)])
    row = latest(session)
    if row is not None and tl.sequence <= row.sequence:
        raise Conflict(f"trust list #{tl.sequence} is not newer than the stored #{row.sequence}",
                       reason=AdminReason.TRUST_LIST_ROLLBACK)
    return _store(session, tl, anchor, now=now, actor=actor, agency=agency, action="trust_list.import")


def sign_if_due(session: Session, key: Ed25519PrivateKey, *, now: int, validity: int, grace: int,
                actor: str) -> TrustListInfo | None:
    """Re-sign when there is no list yet or half the fresh period of our own list is over.
    A list signed by another key (the authority, offline) is left alone."""
    xact_lock(session, TRUST_LIST_LOCK)
    row = latest(session)
    if row is not None:
        if row.signer_public_key != public_key_of(key):
            return None
        if now < row.issued_at + max(1, (row.next_update - row.issued_at) // 2):
            return None
    return sign(session, key, now=now, validity=validity, grace=grace, actor=actor)


class TrustListCache:
    """The latest stored list, verified once per sequence number (thread-safe)."""

    def __init__(self, pinned_anchor: bytes | None = None) -> None:
        self._pinned = pinned_anchor
        self._lock = threading.Lock()
        self._cached: TrustList | None = None

    def get(self, session: Session) -> TrustList:
        seq = session.scalar(select(func.max(TrustListRow.sequence)))
        if seq is None:
            raise Unavailable("no trust list has been signed yet", reason=AdminReason.NO_TRUST_LIST)
        with self._lock:
            cached = self._cached
        if cached is not None and cached.sequence == seq:
            return cached
        row = session.get(TrustListRow, seq)
        if row is None:
            raise Unavailable("no trust list has been signed yet", reason=AdminReason.NO_TRUST_LIST)
        anchor = self._pinned or row.signer_public_key
        try:
            tl = load_trust_list(row.signed, [TrustAnchor(anchor)])
        except TrustListError as exc:
            raise Unavailable(f"the stored trust list does not verify: {exc.message}",
                              reason=AdminReason.TRUST_LIST_INVALID) from exc
        with self._lock:
            self._cached = tl
        return tl
