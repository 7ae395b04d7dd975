"""The referral envelope: what agency A writes for agency B, sealed so only B's desk reads it.

specs/referrals.md is the normative text. In short:

- :class:`ReferralContent` (the plaintext: type, urgency, note, chosen attributes, from/to,
  created/expires, a random salt) is encoded as canonical CBOR and sealed with HPKE to one
  of agency B's referral keys from the signed trust list.
- :class:`ReferralHeader` travels in clear (the service needs it to route, expire and
  deduplicate): referral id, suite, recipient key id, from/to agency, created/expires and
  ``content_digest = SHA-256("zkaid/referral/content/v1" || content bytes)``. The salt
  makes the digest useless for guessing the content. The header bytes are bound into the
  HPKE key schedule as ``info = "zkaid/referral/v1" || header bytes``.
- :class:`SealedReferral` = {header bytes, enc || ciphertext}; its digest
  ``SHA-256("zkaid/referral/digest/v1" || sealed bytes)`` is what the person's consent signs.

Every decode is strict (canonical CBOR, known keys, size limits) and every failure is a
:class:`~sdk.errors.ReferralError` whose ``reason`` says what to do.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from sdk.errors import ReferralError, WireError
from sdk.reasons import ReferralReason, WireReason
from sdk.referral.hpke import SUITES, ReferralKeyPair, open_, seal, suite
from sdk.trust import TrustList
from sdk.wire import VERSION, Message, decode_canonical, encode_canonical
from sdk.wire.fields import Field, attr_value, bstr, map_of, tstr, uint

__all__ = [
    "MAX_ATTRIBUTES",
    "MAX_LIFETIME",
    "MAX_NOTE",
    "URGENCIES",
    "ReferralContent",
    "ReferralHeader",
    "Sealed",
    "SealedReferral",
    "compose",
    "content_digest",
    "decode_message",
    "encode_message",
    "open_referral",
    "read_sealed",
    "referral_digest",
    "seal_referral",
]

MAX_NOTE = 500  # characters: a short note, not a case file
MAX_ATTRIBUTES = 16
MAX_ATTRIBUTE_TEXT = 256
MAX_LIFETIME = 365 * 86400
URGENCIES = ("routine", "soon", "urgent")
REFERRAL_ID = bstr(16, 16)
AGENCY = tstr(64, 1)

M = TypeVar("M", bound=Message)


def encode_message(msg: Message) -> bytes:
    data = encode_canonical(msg.to_map())
    if len(data) > msg.MAX_BYTES:
        raise ReferralError(f"{type(msg).__name__} is larger than {msg.MAX_BYTES} bytes", reason=ReferralReason.TOO_LARGE)
    return data


def decode_message(data: bytes, cls: type[M], what: str) -> M:
    """Strict decode of one referral message type; ReferralError(reason="malformed") otherwise."""
    try:
        value = decode_canonical(data, max_bytes=cls.MAX_BYTES)
        if not isinstance(value, Mapping) or value.get(0) != cls.TYPE:
            raise WireError(f"not a {what}", reason=WireReason.WRONG_TYPE)
        if value.get(1) != VERSION:
            raise WireError(f"unsupported {what} version {value.get(1)!r}; update the app", reason=WireReason.UNKNOWN_VERSION)
        return cls.from_map(value)
    except WireError as exc:
        raise ReferralError(f"the {what} is unreadable: {exc}", reason=ReferralReason.MALFORMED) from exc


@dataclass(frozen=True)
class ReferralHeader(Message):
    """The part of a sealed referral that travels in clear (no personal data)."""

    referral_id: bytes
    suite: str
    recipient_kid: bytes
    from_agency: str
    to_agency: str
    created: int
    expires: int
    content_digest: bytes

    TYPE: ClassVar[int] = 40
    MAX_BYTES: ClassVar[int] = 1024
    FIELDS = (
        Field(2, "referral_id", REFERRAL_ID),
        Field(3, "suite", tstr(64, 1)),
        Field(4, "recipient_kid", bstr(8, 8)),
        Field(5, "from_agency", AGENCY),
        Field(6, "to_agency", AGENCY),
        Field(7, "created", uint()),
        Field(8, "expires", uint()),
        Field(9, "content_digest", bstr(32, 32)),
    )


@dataclass(frozen=True)
class SealedReferral(Message):
    """Header bytes and the HPKE output enc || ct."""

    header: bytes
    ciphertext: bytes

    TYPE: ClassVar[int] = 41
    MAX_BYTES: ClassVar[int] = 16 * 1024
    FIELDS = (
        Field(2, "header", bstr(1, 1024)),
        Field(3, "ciphertext", bstr(48, 14 * 1024)),
    )


@dataclass(frozen=True)
class ReferralContent(Message):
    """The plaintext only agency B's desk (and the person, on the consent screen) reads."""

    referral_id: bytes
    referral_type: str
    urgency: str
    note: str
    attributes: dict[str, Any]
    from_agency: str
    to_agency: str
    created: int
    expires: int
    salt: bytes

    TYPE: ClassVar[int] = 42
    MAX_BYTES: ClassVar[int] = 8 * 1024
    FIELDS = (
        Field(2, "referral_id", REFERRAL_ID),
        Field(3, "referral_type", tstr(64, 1)),
        Field(4, "urgency", tstr(16, 1)),
        Field(5, "note", tstr(MAX_NOTE)),
        Field(6, "attributes", map_of(tstr(64, 1), attr_value(), MAX_ATTRIBUTES)),
        Field(7, "from_agency", AGENCY),
        Field(8, "to_agency", AGENCY),
        Field(9, "created", uint()),
        Field(10, "expires", uint()),
        Field(11, "salt", bstr(32, 32)),
    )


@dataclass(frozen=True)
class Sealed:
    """A sealed referral as bytes, with its decoded header and its digest."""

    data: bytes
    header: ReferralHeader
    digest: bytes

    @property
    def referral_id(self) -> bytes:
        return self.header.referral_id


def content_digest(content_bytes: bytes) -> bytes:
    return hashlib.sha256(b"zkaid/referral/content/v1" + content_bytes).digest()


def referral_digest(sealed: bytes) -> bytes:
    """The digest the person's consent is bound to (specs/referrals.md §4)."""
    return hashlib.sha256(b"zkaid/referral/digest/v1" + sealed).digest()


def _info(header_bytes: bytes) -> bytes:
    return b"zkaid/referral/v1" + header_bytes


def compose(
    trust_list: TrustList, *, referral_type: str, urgency: str, note: str, attributes: Mapping[str, Any],
    from_agency: str, to_agency: str, now: int, lifetime: int = 30 * 86400, referral_id: bytes | None = None,
    salt: bytes | None = None,
) -> ReferralContent:
    """Check a caseworker's referral against the agreed list of types and the limits, and
    return the content to seal. Raises ReferralError with reason unknown_type,
    unknown_urgency, note_too_long, too_many_attributes, bad_attribute, bad_lifetime or
    same_agency."""
    if trust_list.referral_type(referral_type) is None:
        known = ", ".join(t.id for t in trust_list.payload.referral_types or ()) or "none"
        raise ReferralError(f"'{referral_type}' is not an agreed referral type (agreed: {known})",
                            reason=ReferralReason.UNKNOWN_TYPE)
    if urgency not in URGENCIES:
        raise ReferralError(f"urgency must be one of {', '.join(URGENCIES)}", reason=ReferralReason.UNKNOWN_URGENCY)
    if not isinstance(note, str) or len(note) > MAX_NOTE:
        raise ReferralError(f"the note is limited to {MAX_NOTE} characters: shorten it", reason=ReferralReason.NOTE_TOO_LONG)
    if len(attributes) > MAX_ATTRIBUTES:
        raise ReferralError(f"share at most {MAX_ATTRIBUTES} attributes", reason=ReferralReason.TOO_MANY_ATTRIBUTES)
    for k, v in attributes.items():
        if not isinstance(k, str) or not 1 <= len(k) <= 64:
            raise ReferralError("attribute names are 1-64 characters", reason=ReferralReason.BAD_ATTRIBUTE)
        if isinstance(v, str | bytes) and len(v) > MAX_ATTRIBUTE_TEXT:
            raise ReferralError(f"the value of '{k}' is longer than {MAX_ATTRIBUTE_TEXT}", reason=ReferralReason.BAD_ATTRIBUTE)
        if not isinstance(v, str | bytes | bool | int):
            raise ReferralError(f"the value of '{k}' must be text, a number or yes/no", reason=ReferralReason.BAD_ATTRIBUTE)
    if not 3600 <= lifetime <= MAX_LIFETIME:
        raise ReferralError("a referral is valid between one hour and one year", reason=ReferralReason.BAD_LIFETIME)
    if from_agency == to_agency:
        raise ReferralError("an agency cannot refer a person to itself", reason=ReferralReason.SAME_AGENCY)
    rid = referral_id if referral_id is not None else secrets.token_bytes(16)
    return ReferralContent(rid, referral_type, urgency, note, dict(attributes), from_agency, to_agency, now,
                           now + lifetime, salt if salt is not None else secrets.token_bytes(32))


def seal_referral(content: ReferralContent, trust_list: TrustList, *, now: int,
                  suite_name: str | None = None) -> Sealed:
    """Seal ``content`` to the recipient agency's newest valid referral key (of ``suite_name``
    if given). ReferralError(reason="no_referral_key") when the agency publishes none."""
    keys = [k for k in trust_list.referral_keys_for(content.to_agency, now)
            if suite_name is None or k.suite == suite_name]
    keys = [k for k in keys if k.suite in SUITES]
    if not keys:
        raise ReferralError(
            f"{content.to_agency} publishes no valid referral key"
            + (f" for {suite_name}" if suite_name else "") + ": ask it to register one",
            reason=ReferralReason.NO_REFERRAL_KEY,
        )
    key = keys[0]
    body = encode_message(content)
    header = ReferralHeader(content.referral_id, key.suite, key.kid, content.from_agency, content.to_agency,
                            content.created, content.expires, content_digest(body))
    hbytes = encode_message(header)
    ct = seal(key.suite, key.public_key, _info(hbytes), body)
    data = encode_message(SealedReferral(hbytes, ct))
    return Sealed(data, header, referral_digest(data))


def read_sealed(data: bytes) -> Sealed:
    """Strictly decode a sealed referral (structure and header only; nothing is decrypted)."""
    if not isinstance(data, bytes):
        raise ReferralError("a sealed referral must be bytes", reason=ReferralReason.MALFORMED)
    env = decode_message(data, SealedReferral, "sealed referral")
    header = decode_message(env.header, ReferralHeader, "referral header")
    s = suite(header.suite)
    if len(env.ciphertext) < s.enc_len + 16:
        raise ReferralError("the referral ciphertext is truncated", reason=ReferralReason.MALFORMED)
    if header.expires <= header.created:
        raise ReferralError("the referral expires before it was made", reason=ReferralReason.MALFORMED)
    return Sealed(data, header, referral_digest(data))


def open_referral(data: bytes, keys: Sequence[ReferralKeyPair], *, agency: str, now: int,
                  trust_list: TrustList | None = None) -> tuple[Sealed, ReferralContent]:
    """At agency B's desk: decrypt a referral with one of the desk's private keys.

    Raises ReferralError: ``wrong_recipient`` (another agency, or a key this desk does not
    hold), ``expired``, ``tampered`` (ciphertext or header altered), ``content_mismatch``
    (the content is not what the header, and so the person's consent, commits to),
    ``unknown_type`` (when ``trust_list`` is given and no longer lists the type)."""
    sealed = read_sealed(data)
    h = sealed.header
    if h.to_agency != agency:
        raise ReferralError(f"this referral is addressed to {h.to_agency}, not {agency}", reason=ReferralReason.WRONG_RECIPIENT)
    key = next((k for k in keys if k.kid == h.recipient_kid and k.suite == h.suite), None)
    if key is None:
        raise ReferralError("this desk does not hold the referral key the referral was sealed to",
                            reason=ReferralReason.WRONG_RECIPIENT)
    if now >= h.expires:
        raise ReferralError("the referral has expired", reason=ReferralReason.EXPIRED)
    env = decode_message(data, SealedReferral, "sealed referral")
    body = open_(key, _info(env.header), env.ciphertext)
    if content_digest(body) != h.content_digest:
        raise ReferralError("the content differs from what the person consented to", reason=ReferralReason.CONTENT_MISMATCH)
    content = decode_message(body, ReferralContent, "referral content")
    if (content.referral_id, content.from_agency, content.to_agency, content.created, content.expires) != (
            h.referral_id, h.from_agency, h.to_agency, h.created, h.expires):
        raise ReferralError("the content does not match its header", reason=ReferralReason.TAMPERED)
    if trust_list is not None and trust_list.referral_type(content.referral_type) is None:
        raise ReferralError(f"'{content.referral_type}' is not an agreed referral type", reason=ReferralReason.UNKNOWN_TYPE)
    return sealed, content
