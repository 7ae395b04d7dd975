"""Card lifecycle: who a card belongs to across re-issues, revoking one card, and the signed
per-scope revocation updates field devices download (issue 13; specs/revocation.md).

The lost-phone path (docs/operations.md, "A lost phone"):

1. the registrar opens an offer with ``reissue_of=<old credential id>``
   (``POST /v1/offers``; :func:`verifier_service.services.issuance.create_offer`);
2. the person's wallet redeems it; :func:`plan_issuance` reads the wallet's person binding
   (:func:`sdk.credential.lifecycle.binding_value`) and decides:

   - ``restored``: the binding equals the one recorded for the old card (the wallet was
     restored from its recovery code): the signer entropy is reused, so the new card has
     the old card's pseudonyms and the registry's one-per-scope rule still holds;
   - ``lost_code``: no binding, or another one (a new wallet, or someone else's): the new
     card is blocked in every scope that exists now (the old card may have enrolled there;
     nothing in the registry may tell, by design) and enrolls from the next round on;

3. :func:`record_issuance` revokes the old card at once in both cases (a lost phone may be
   in a thief's hands) and writes the new card's record.

A first issuance whose binding is already recorded for a live card of the same issuer key
(a restored wallet, or an updated card for the same household) is treated as a re-issue of
that card: same signer entropy, so the same pseudonyms, and the older card is revoked. One
wallet holds one household's cards; two households never share a wallet.

:func:`record_revocation` is the one place a revocation is written; it appends the
revocation's digest-only entry to the registry log in the same transaction.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sdk.credential import IssuerKey, Schema
from sdk.credential.lifecycle import binding_value
from sdk.credential.revocation import build_update, sign_revocation_update, token_for
from sdk.errors import InvalidProofError, ScopeError
from sdk.log import revocation_entry
from sdk.reasons import CardServiceReason
from sdk.wire import IssuanceRequest, IssuedCredential
from sdk.wire.scope import normalize_scope
from verifier_service.registry.db import TRUST_LIST_LOCK, Store, xact_lock
from verifier_service.registry.lifecycle_models import CardBlock, CardRecord, RevocationUpdateRow
from verifier_service.registry.models import Credential, Scope
from verifier_service.services import audit, log
from verifier_service.services.errors import Conflict, Invalid, NotFound, Unavailable
from verifier_service.services.sealing import Keyring

__all__ = [
    "REVOKE_REASONS",
    "CardStatus",
    "IssuancePlan",
    "card_status",
    "plan_issuance",
    "record_issuance",
    "record_revocation",
    "revocation_update",
    "revoke_card",
]

#: Why a card is withdrawn (stored and shown; no free text, so no personal data).
REVOKE_REASONS = ("lost", "stolen", "fraud", "issued_in_error", "deceased", "replaced", "replaced_without_code")


@dataclass(frozen=True)
class IssuancePlan:
    """What redeeming one offer will do to the card records."""

    binding: str | None  # hex R, verified against the wallet's commitment
    entropy: int | None  # signer entropy to reuse (re-issue), or None for fresh
    replaces: str | None
    path: str | None  # "restored" | "lost_code" for a re-issue


@dataclass(frozen=True)
class CardStatus:
    credential_id: str
    status: str
    issued_at: int
    revoked_at: int | None
    revoke_reason: str | None
    replaces: str | None
    reissue_path: str | None
    blocked_scopes: tuple[str, ...]
    revocable: bool  # the card carries a revocation handle


def _entropy(keyring: Keyring, cred: Credential) -> int:
    return int.from_bytes(keyring.open(cred.entropy_enc, f"credential:{cred.credential_id}"), "big")


def plan_issuance(session: Session, keyring: Keyring, *, request: IssuanceRequest, key: IssuerKey,
                  reissue_of: str | None) -> IssuancePlan:
    """Check the wallet's binding and decide the re-issue path (read-only)."""
    try:
        value = binding_value(request, suite=key.suite)
    except InvalidProofError as exc:
        raise Invalid(exc.message, reason=exc.reason) from exc
    binding = value.hex() if value is not None else None
    if reissue_of is None:
        held = None
        if binding is not None:
            held = session.scalars(select(CardRecord).where(
                CardRecord.binding == binding, CardRecord.issuer_kid == key.kid.hex(),
                CardRecord.status == "active").order_by(CardRecord.issued_at.desc())).first()
        if held is None:
            return IssuancePlan(binding, None, None, None)
        # the wallet already holds a live card of this key (a restored wallet, or an updated
        # card): the new card replaces it with the same pseudonyms, never a second person
        old = session.get(Credential, held.credential_id)
        assert old is not None
        return IssuancePlan(binding, _entropy(keyring, old), held.credential_id, "restored")
    old = session.get(Credential, reissue_of)
    if old is None:
        raise NotFound("no credential with this id", reason=CardServiceReason.UNKNOWN_CREDENTIAL)
    record = session.get(CardRecord, reissue_of)
    same = binding is not None and record is not None and record.binding == binding
    # the entropy is reused on both paths: a restored wallet that could not prove its binding
    # (an older wallet) still keeps its pseudonyms; the block below covers the other case
    return IssuancePlan(binding, _entropy(keyring, old), reissue_of, "restored" if same else "lost_code")


def record_issuance(session: Session, keyring: Keyring, plan: IssuancePlan, *, credential_id: str,
                    agency: str, key: IssuerKey, schema: Schema, issued: IssuedCredential, now: int) -> None:
    """Write the new card's record; on a re-issue, revoke the old card and (lost code)
    block the new one in every existing scope. Same transaction as the Credential row."""
    handle_enc = None
    for name in schema.hidden:
        handle = issued.values[schema.index(name)]
        handle_enc = keyring.seal(bytes(handle), f"card-handle:{credential_id}")
    session.add(CardRecord(credential_id=credential_id, agency_id=agency, issuer_kid=key.kid.hex(),
                           suite=key.suite, binding=plan.binding, handle_enc=handle_enc, status="active",
                           issued_at=now, replaces=plan.replaces, reissue_path=plan.path))
    session.flush()
    if plan.replaces is None:
        return
    reason = "replaced" if plan.path == "restored" else "replaced_without_code"
    old = session.get(CardRecord, plan.replaces)
    if old is not None and old.status == "active":
        record_revocation(session, old, reason=reason, now=now, actor=f"reissue:{credential_id}")
    if plan.path == "lost_code":
        for scope in session.scalars(select(Scope.name)):
            session.add(CardBlock(credential_id=credential_id, scope=scope, created_at=now))
        audit.record(session, at=now, agency=agency, actor=f"reissue:{credential_id}", action="card.block",
                     target=credential_id, replaces=plan.replaces)


def record_revocation(session: Session, card: CardRecord, *, reason: str, now: int, actor: str) -> None:
    """The one place a card is marked revoked, audited and appended to the registry log."""
    card.status = "revoked"
    card.revoked_at = now
    card.revoke_reason = reason
    audit.record(session, at=now, agency=card.agency_id, actor=actor, action="card.revoke",
                 target=card.credential_id, reason=reason)
    # the registry log (issue 16): a digest-only entry, committed with the revocation or not at all
    log.append_entries(session, [revocation_entry(card.credential_id, card.agency_id, reason, now)], now=now)


def revoke_card(store: Store, *, credential_id: str, reason: str, now: int, actor: str,
                agency: str | None) -> CardStatus:
    """Revoke one card (``agency`` None: an operator acting for any agency)."""
    if reason not in REVOKE_REASONS:
        raise Invalid(f"the reason is one of {', '.join(REVOKE_REASONS)}", reason=CardServiceReason.INVALID_REASON)
    with store.write() as s:
        card = s.get(CardRecord, credential_id)
        if card is None or (agency is not None and card.agency_id != agency):
            raise NotFound("no card with this id was issued by your agency", reason=CardServiceReason.UNKNOWN_CREDENTIAL)
        if card.status == "revoked":
            raise Conflict(f"this card was already revoked ({card.revoke_reason})", reason=CardServiceReason.ALREADY_REVOKED)
        record_revocation(s, card, reason=reason, now=now, actor=actor)
        s.flush()
        return _status(s, card)


def _status(session: Session, card: CardRecord) -> CardStatus:
    blocks = tuple(session.scalars(select(CardBlock.scope).where(CardBlock.credential_id == card.credential_id)))
    return CardStatus(card.credential_id, card.status, card.issued_at, card.revoked_at, card.revoke_reason,
                      card.replaces, card.reissue_path, blocks, card.handle_enc is not None)


def card_status(store: Store, *, credential_id: str, agency: str | None) -> CardStatus:
    with store.read() as s:
        card = s.get(CardRecord, credential_id)
        if card is None or (agency is not None and card.agency_id != agency):
            raise NotFound("no card with this id was issued by your agency", reason=CardServiceReason.UNKNOWN_CREDENTIAL)
        return _status(s, card)


def _tokens(session: Session, keyring: Keyring, scope: str) -> tuple[list[bytes], list[bytes]]:
    revoked = []
    for card in session.scalars(select(CardRecord).where(CardRecord.status == "revoked",
                                                         CardRecord.handle_enc.is_not(None))):
        assert card.handle_enc is not None
        handle = keyring.open(card.handle_enc, f"card-handle:{card.credential_id}")
        revoked.append(token_for(scope, handle, card.suite))
    blocked = []
    q = (select(CardRecord).join(CardBlock, CardBlock.credential_id == CardRecord.credential_id)
         .where(CardBlock.scope == scope, CardRecord.status == "active", CardRecord.handle_enc.is_not(None)))
    for card in session.scalars(q):
        assert card.handle_enc is not None
        handle = keyring.open(card.handle_enc, f"card-handle:{card.credential_id}")
        blocked.append(token_for(scope, handle, card.suite))
    return revoked, blocked


def _content_version(session: Session, scope: str) -> str:
    """Changes whenever the list's content can (revocations are final, blocks only added),
    without opening any handle: a download of an unchanged list costs two counts."""
    n_rev, last_rev = session.execute(
        select(func.count(), func.max(CardRecord.revoked_at))
        .where(CardRecord.status == "revoked", CardRecord.handle_enc.is_not(None))).one()
    n_blk, last_blk = session.execute(
        select(func.count(), func.max(CardBlock.created_at))
        .join(CardRecord, CardBlock.credential_id == CardRecord.credential_id)
        .where(CardBlock.scope == scope, CardRecord.status == "active", CardRecord.handle_enc.is_not(None))).one()
    return hashlib.sha256(f"v1:{n_rev}:{last_rev}:{n_blk}:{last_blk}".encode()).hexdigest()


def revocation_update(store: Store, keyring: Keyring, signing_key: Ed25519PrivateKey | None, *, scope: str,
                      now: int, validity: int, grace: int) -> bytes:
    """The signed update for ``scope``: re-signed when its content changed or half its
    validity has passed, otherwise the stored bytes (so devices see a stable sequence)."""
    try:
        scope = normalize_scope(scope)
    except ScopeError as exc:
        raise Invalid(exc.message, reason=exc.reason) from exc
    with store.read() as s:
        if s.scalar(select(Scope.id).where(Scope.name == scope)) is None:
            raise NotFound(f"there is no scope {scope!r}", reason=CardServiceReason.UNKNOWN_SCOPE)
        row = s.get(RevocationUpdateRow, scope)
        digest = _content_version(s, scope)
        if row is not None and row.content_digest == digest and now < row.next_update - validity // 2:
            return row.signed  # no handle is opened for an unchanged list
        revoked, blocked = _tokens(s, keyring, scope) if signing_key is not None else ([], [])
    if signing_key is None:
        if row is not None:
            return row.signed
        raise Unavailable("this service does not hold the trust-list key, so it cannot sign revocation updates",
                          reason=CardServiceReason.NO_SIGNING_KEY)
    with store.write() as s:
        xact_lock(s, TRUST_LIST_LOCK)  # one signer at a time, so sequences never collide
        row = s.get(RevocationUpdateRow, scope)
        seq = (row.sequence + 1) if row is not None else 1
        signed = sign_revocation_update(build_update(
            scope=scope, sequence=seq, issued_at=now, next_update=now + validity, grace=grace,
            revoked=revoked, blocked=blocked), signing_key)
        if row is None:
            s.add(RevocationUpdateRow(scope=scope, sequence=seq, issued_at=now, next_update=now + validity,
                                      content_digest=digest, signed=signed))
        else:
            row.sequence, row.issued_at, row.next_update = seq, now, now + validity
            row.content_digest, row.signed = digest, signed
    return signed
