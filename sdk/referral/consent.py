"""The person's consent to a referral, bound to the referral's digest (specs/referrals.md §4).

Consent is a zkaid presentation that discloses nothing, made in the *referral scope* of the
receiving agency (``zkaid-referral/<agency>``), answering a request whose nonce is
``SHA-256("zkaid/referral/consent/v1" || referral digest)``. The request digest is the BBS
presentation header, so the proof signs the referral digest: it cannot be moved to another
referral, and the service cannot forge one. The scope pseudonym is the same when agency B's
desk later scans the person's wallet in that scope: that is how B finds the referral
without a name. Withdrawal is the same construction with the label ``withdraw``.

Flow: A's desk :func:`make_offer` -> wallet :func:`read_offer`, shows :class:`ReceivedOffer`,
then :func:`consent` (or nothing at all when the person declines) -> A's desk (or its outbox)
sends the :class:`ReferralSubmission` -> the service :func:`verify_submission`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from sdk.credential import (
    Credential,
    Holder,
    ReceivedRequest,
    Schema,
    VerifiedPresentation,
    VerifierKey,
    build_request,
    read_request,
    verify_presentation,
    verify_presentations,
)
from sdk.curves import CurveBackend
from sdk.errors import CredentialError, ReferralError, VerificationError
from sdk.reasons import CredentialReason, ReferralReason
from sdk.referral.envelope import (
    REFERRAL_ID,
    ReferralContent,
    ReferralHeader,
    Sealed,
    content_digest,
    decode_message,
    encode_message,
    read_sealed,
)
from sdk.trust import TrustList
from sdk.wire import Message, ReferralKeyEntry
from sdk.wire.fields import Field, array_of, bstr

__all__ = [
    "AcceptedReferral",
    "ReceivedOffer",
    "ReferralBatch",
    "ReferralOffer",
    "ReferralSubmission",
    "ReferralWithdrawal",
    "consent",
    "consent_nonce",
    "make_offer",
    "read_offer",
    "referral_scope",
    "verify_submission",
    "verify_submissions",
    "verify_withdrawal",
    "withdraw",
    "withdraw_nonce",
]

REQUEST = bstr(1, 8448)
MAX_REQUEST_AGE = 7 * 86400  # a consent request older than this is refused


def referral_scope(to_agency: str) -> str:
    """The pseudonym scope in which a person consents to referrals to ``to_agency`` and is
    recognised by its desk."""
    return f"zkaid-referral/{to_agency}"


def consent_nonce(digest: bytes) -> bytes:
    return hashlib.sha256(b"zkaid/referral/consent/v1" + digest).digest()


def withdraw_nonce(digest: bytes) -> bytes:
    return hashlib.sha256(b"zkaid/referral/withdraw/v1" + digest).digest()


@dataclass(frozen=True)
class ReferralOffer(Message):
    """A's desk -> the person's wallet: the sealed referral, its plaintext for the consent
    screen, and the consent request (signed by A's desk key when it has one)."""

    sealed: bytes
    content: bytes
    request: bytes

    TYPE: ClassVar[int] = 43
    MAX_BYTES: ClassVar[int] = 40 * 1024
    FIELDS = (
        Field(2, "sealed", bstr(1, 16 * 1024)),
        Field(3, "content", bstr(1, 8 * 1024)),
        Field(4, "request", REQUEST),
    )


@dataclass(frozen=True)
class ReferralSubmission(Message):
    """What reaches the service: the sealed referral and the consent that releases it."""

    sealed: bytes
    request: bytes
    presentation: bytes

    TYPE: ClassVar[int] = 44
    MAX_BYTES: ClassVar[int] = 64 * 1024
    FIELDS = (
        Field(2, "sealed", bstr(1, 16 * 1024)),
        Field(3, "request", REQUEST),
        Field(4, "presentation", bstr(1, 32 * 1024)),
    )


@dataclass(frozen=True)
class ReferralBatch(Message):
    """Several submissions in one request (an outbox flushing what waited while offline)."""

    submissions: tuple[bytes, ...]

    TYPE: ClassVar[int] = 46
    MAX_BYTES: ClassVar[int] = 248 * 1024
    MAX_ITEMS: ClassVar[int] = 64
    FIELDS = (Field(2, "submissions", array_of(bstr(1, 64 * 1024), 64, 1)),)


@dataclass(frozen=True)
class ReferralWithdrawal(Message):
    """Wallet -> service: the person withdraws consent to one referral."""

    referral_id: bytes
    request: bytes
    presentation: bytes

    TYPE: ClassVar[int] = 45
    MAX_BYTES: ClassVar[int] = 48 * 1024
    FIELDS = (
        Field(2, "referral_id", REFERRAL_ID),
        Field(3, "request", REQUEST),
        Field(4, "presentation", bstr(1, 32 * 1024)),
    )


@dataclass(frozen=True)
class ReceivedOffer:
    """A checked offer, for the consent screen: what, to whom, from whom, until when."""

    sealed: Sealed
    content: ReferralContent
    request: ReceivedRequest
    recipient: ReferralKeyEntry
    request_bytes: bytes

    @property
    def to_agency_name(self) -> str:
        return self.recipient.name

    @property
    def verified(self) -> bool:
        """The consent request is signed by a desk key of the trust list (its name is then
        the requester the wallet shows); False: unsigned or signed by an unknown key."""
        return self.request.verified

    @property
    def from_agency_name(self) -> str:
        """A's name as its signed request proves it, or its id when unsigned."""
        return self.request.signer.name if self.request.signer else self.content.from_agency


@dataclass(frozen=True)
class AcceptedReferral:
    """What the service keeps of a submission: the header, the sealed bytes and the person's
    pseudonym in the referral scope."""

    sealed: Sealed
    pseudonym: bytes


def make_offer(
    content: ReferralContent, sealed: Sealed, *, schema: Schema, issuers: Sequence[bytes],
    purpose: Mapping[str, str], now: int, signing_key: VerifierKey | None = None,
) -> bytes:
    """The offer A's desk shows the wallet (QR or local link)."""
    if sealed.header.referral_id != content.referral_id or content_digest(encode_message(content)) != \
            sealed.header.content_digest:
        raise ReferralError("this content is not the one that was sealed", reason=ReferralReason.CONTENT_MISMATCH)
    request = build_request(
        verifier_id=content.from_agency, scope=referral_scope(content.to_agency), issuers=issuers, schema=schema,
        disclose=(), predicates=(), purpose=purpose, now=now, nonce=consent_nonce(sealed.digest),
        signing_key=signing_key,
    )
    return encode_message(ReferralOffer(sealed.data, encode_message(content), request))


def _check_consent_request(rr: ReceivedRequest, header: ReferralHeader, nonce: bytes, now: int) -> None:
    req = rr.request
    if req.nonce != nonce or req.scope != referral_scope(header.to_agency):
        raise ReferralError("the consent belongs to another referral", reason=ReferralReason.CONSENT_MISMATCH)
    if req.disclose or req.predicates:
        raise ReferralError("a referral consent discloses nothing from the card", reason=ReferralReason.CONSENT_MISMATCH)
    if req.time > now + 300 or now - req.time > MAX_REQUEST_AGE:
        raise ReferralError("the consent request is too old or from the future", reason=ReferralReason.CONSENT_MISMATCH)


def read_offer(data: bytes, trust_list: TrustList, *, now: int) -> ReceivedOffer:
    """The wallet checks an offer before showing it: the content shown is the content
    sealed (content digest), the request is bound to this sealed referral, the recipient is
    an agency with a published key, the type is agreed and the referral is not expired."""
    offer = decode_message(data, ReferralOffer, "referral offer")
    sealed = read_sealed(offer.sealed)
    h = sealed.header
    if content_digest(offer.content) != h.content_digest:
        raise ReferralError("what is shown is not what was sealed", reason=ReferralReason.CONTENT_MISMATCH)
    content = decode_message(offer.content, ReferralContent, "referral content")
    if (content.referral_id, content.from_agency, content.to_agency, content.created, content.expires) != (
            h.referral_id, h.from_agency, h.to_agency, h.created, h.expires):
        raise ReferralError("the content does not match its header", reason=ReferralReason.TAMPERED)
    if now >= h.expires:
        raise ReferralError("this referral has expired", reason=ReferralReason.EXPIRED)
    if trust_list.referral_type(content.referral_type) is None:
        raise ReferralError(f"'{content.referral_type}' is not an agreed referral type", reason=ReferralReason.UNKNOWN_TYPE)
    recipient = trust_list.referral_key(h.recipient_kid)
    if recipient is None or recipient.agency != h.to_agency or not recipient.valid_at(now):
        raise ReferralError(f"the referral is not sealed to a valid key of {h.to_agency}", reason=ReferralReason.WRONG_RECIPIENT)
    try:
        rr = read_request(offer.request, trust_list, now=now)
    except CredentialError as exc:
        if exc.reason == CredentialReason.REQUEST_BAD_SIGNATURE:  # a known desk's key, a wrong signature
            raise ReferralError(f"the consent request was altered: {exc}", reason=ReferralReason.TAMPERED) from exc
        raise ReferralError(f"the consent request is unreadable: {exc}", reason=ReferralReason.MALFORMED) from exc
    _check_consent_request(rr, h, consent_nonce(sealed.digest), now)
    return ReceivedOffer(sealed, content, rr, recipient, offer.request)


def consent(holder: Holder, offer: ReceivedOffer, credentials: Sequence[Credential], trust_list: TrustList,
            *, now: int) -> bytes:
    """The person agreed: a presentation in the referral scope bound to the digest. Returns
    the :class:`ReferralSubmission` bytes. Declining is simply not calling this."""
    try:
        assessment = holder.assess(offer.request, credentials, trust_list, now=now)
        pres = holder.present(assessment)
    except CredentialError as exc:
        raise ReferralError(f"cannot consent with these cards: {exc}", reason=ReferralReason.NO_CARD) from exc
    return encode_message(ReferralSubmission(offer.sealed.data, offer.request_bytes, pres))


def _prepare_submission(data: bytes, trust_list: TrustList, *, now: int) -> tuple[Sealed, ReceivedRequest, bytes]:
    """Every check of a submission but the consent proof (cheap; no pairing)."""
    sub = decode_message(data, ReferralSubmission, "referral submission")
    sealed = read_sealed(sub.sealed)
    h = sealed.header
    if now >= h.expires:
        raise ReferralError("the referral has expired", reason=ReferralReason.EXPIRED)
    key = trust_list.referral_key(h.recipient_kid)
    if key is None or key.agency != h.to_agency or key.suite != h.suite or not key.valid_at(now):
        raise ReferralError(f"the referral is not sealed to a valid referral key of {h.to_agency}",
                            reason=ReferralReason.WRONG_RECIPIENT)
    try:
        rr = read_request(sub.request, trust_list, now=now)
    except CredentialError as exc:
        raise ReferralError(f"the consent request is unreadable: {exc}", reason=ReferralReason.MALFORMED) from exc
    _check_consent_request(rr, h, consent_nonce(sealed.digest), now)
    return sealed, rr, sub.presentation


def _accepted(sealed: Sealed, v: VerifiedPresentation) -> AcceptedReferral:
    if v.scope != referral_scope(sealed.header.to_agency):  # e.g. answered in a one-time scope
        raise ReferralError("the consent is not made in the receiving agency's referral scope",
                            reason=ReferralReason.CONSENT_MISMATCH)
    return AcceptedReferral(sealed, v.pseudonym)


def verify_submission(data: bytes, trust_list: TrustList, *, now: int,
                      backend: str | CurveBackend | None = None) -> AcceptedReferral:
    """The service's check before it stores anything. Raises ReferralError: malformed,
    expired, wrong_recipient (no valid key of the named agency), consent_mismatch (consent
    for another referral or scope), consent_invalid (the proof does not verify)."""
    sealed, rr, pres = _prepare_submission(data, trust_list, now=now)
    try:
        v = verify_presentation(pres, rr, trust_list, now=now, backend=backend)
    except VerificationError as exc:
        raise ReferralError(f"the consent does not verify: {exc}", reason=ReferralReason.CONSENT_INVALID) from exc
    return _accepted(sealed, v)


def verify_submissions(items: Sequence[bytes], trust_list: TrustList, *, now: int,
                       backend: str | CurveBackend | None = None) -> list[AcceptedReferral | ReferralError]:
    """:func:`verify_submission` for many submissions, one result per item in order; the
    consent proofs are checked together with one multi-pairing
    (:func:`sdk.credential.verify_presentations`), a bad one is still named alone."""
    results: list[AcceptedReferral | ReferralError] = []
    ready: list[tuple[int, Sealed, ReceivedRequest, bytes]] = []
    for k, data in enumerate(items):
        try:
            sealed, rr, pres = _prepare_submission(data, trust_list, now=now)
        except ReferralError as exc:
            results.append(exc)
            continue
        results.append(ReferralError("pending", reason=ReferralReason.CONSENT_INVALID))
        ready.append((k, sealed, rr, pres))
    checked = verify_presentations([(pres, rr) for _k, _s, rr, pres in ready], trust_list, now=now, backend=backend)
    for (k, sealed, _rr, _p), v in zip(ready, checked, strict=True):
        if isinstance(v, VerificationError):
            results[k] = ReferralError(f"the consent does not verify: {v}", reason=ReferralReason.CONSENT_INVALID)
            continue
        try:
            results[k] = _accepted(sealed, v)
        except ReferralError as exc:
            results[k] = exc
    return results


def withdraw(holder: Holder, credentials: Sequence[Credential], trust_list: TrustList, *, referral_id: bytes,
             digest: bytes, to_agency: str, now: int) -> bytes:
    """The person withdraws consent: a presentation in the same referral scope bound to
    ``withdraw_nonce(digest)``. Returns the :class:`ReferralWithdrawal` bytes."""
    if not credentials:
        raise ReferralError("no card to prove who you are", reason=ReferralReason.NO_CARD)
    cred = credentials[0]
    request = build_request(verifier_id="wallet", scope=referral_scope(to_agency), issuers=[c.issuer_kid
                            for c in credentials], schema=cred.schema, purpose={"en": "withdraw consent"},
                            now=now, nonce=withdraw_nonce(digest))
    rr = read_request(request, trust_list, now=now)
    try:
        pres = holder.present(holder.assess(rr, credentials, trust_list, now=now))
    except CredentialError as exc:
        raise ReferralError(f"cannot withdraw with these cards: {exc}", reason=ReferralReason.NO_CARD) from exc
    return encode_message(ReferralWithdrawal(referral_id, request, pres))


def verify_withdrawal(data: bytes, trust_list: TrustList, *, digest: bytes, to_agency: str, now: int,
                      backend: str | CurveBackend | None = None) -> tuple[bytes, bytes]:
    """(referral id, pseudonym) of a valid withdrawal for the referral with ``digest``;
    the caller checks the pseudonym is the one that consented."""
    w = decode_message(data, ReferralWithdrawal, "referral withdrawal")
    try:
        rr = read_request(w.request, trust_list, now=now)
    except CredentialError as exc:
        raise ReferralError(f"the withdrawal request is unreadable: {exc}", reason=ReferralReason.MALFORMED) from exc
    req = rr.request
    if req.nonce != withdraw_nonce(digest) or req.scope != referral_scope(to_agency) or req.disclose:
        raise ReferralError("the withdrawal belongs to another referral", reason=ReferralReason.CONSENT_MISMATCH)
    if req.time > now + 300 or now - req.time > MAX_REQUEST_AGE:
        raise ReferralError("the withdrawal request is too old or from the future", reason=ReferralReason.CONSENT_MISMATCH)
    try:
        v = verify_presentation(w.presentation, rr, trust_list, now=now, backend=backend)
    except VerificationError as exc:
        raise ReferralError(f"the withdrawal does not verify: {exc}", reason=ReferralReason.CONSENT_INVALID) from exc
    if v.scope != referral_scope(to_agency):
        raise ReferralError("the withdrawal is not made in the referral scope", reason=ReferralReason.CONSENT_MISMATCH)
    return w.referral_id, v.pseudonym
