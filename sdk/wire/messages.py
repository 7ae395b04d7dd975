"""zkaid's wire messages: versioned CBOR maps with a type tag (specs/wire-format.md).

Each message is a frozen dataclass with a ``TYPE`` code and ``FIELDS`` (key, name, kind).
On the wire: MAGIC || canonical CBOR map {0: type, 1: version, 2..: fields}. Structures
nested inside messages (issuer entries, predicates, ...) are maps without type/version.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from sdk.errors import WireError
from sdk.reasons import WireReason
from sdk.wire.cbor import MAX_MESSAGE_BYTES, decode_canonical, encode_canonical
from sdk.wire.fields import (
    Field,
    array_of,
    attr_value,
    bstr,
    map_of,
    struct,
    tstr,
    uint,
)

__all__ = [
    "KID_LEN",
    "VERSION",
    "AttributeDef",
    "IssuanceRequest",
    "IssuedCredential",
    "IssuerEntry",
    "Message",
    "Offer",
    "PredicateSpec",
    "Presentation",
    "PresentationRequest",
    "ReferralKeyEntry",
    "ReferralTypeDef",
    "SchemaDef",
    "StoredCredential",
    "Struct",
    "TrustListPayload",
    "VerifierEntry",
    "decode",
    "encode",
    "message_types",
]

VERSION = 1
KID_LEN = 8  # key ids: first 8 bytes of a domain-separated SHA-256 of the public key
MAX_NYMS = 256  # N per issuer key; keeps a presentation well under its size limit
NYM_COUNT = uint(MAX_NYMS, 1)

S = TypeVar("S", bound="Struct")
M = TypeVar("M", bound="Message")


class Struct:
    """A CBOR map with declared integer keys; subclasses are frozen dataclasses."""

    FIELDS: ClassVar[tuple[Field, ...]] = ()
    FIRST_KEY: ClassVar[int] = 0

    def to_map(self) -> dict[int, Any]:
        out: dict[int, Any] = {}
        for f in self.FIELDS:
            v = getattr(self, f.name)
            if v is None:
                if not f.optional:
                    raise WireError(f"field '{f.name}' is required", reason=WireReason.FIELD)
                continue
            out[f.key] = f.kind.dump(v, f.name)
        return out

    @classmethod
    def from_map(cls: type[S], m: Any, where: str = "") -> S:
        name = where or cls.__name__
        if not isinstance(m, Mapping):
            raise WireError(f"{name} must be a CBOR map", reason=WireReason.FIELD)
        known = {f.key for f in cls.FIELDS} | set(range(cls.FIRST_KEY))
        extra = [k for k in m if k not in known]
        if extra:
            raise WireError(f"{name} has unknown field keys {extra!r}", reason=WireReason.EXTRA_FIELD)
        kwargs: dict[str, Any] = {}
        for f in cls.FIELDS:
            if f.key not in m:
                if not f.optional:
                    raise WireError(f"{name} is missing field '{f.name}'", reason=WireReason.MISSING_FIELD)
                kwargs[f.name] = None
                continue
            kwargs[f.name] = f.kind.load(m[f.key], f.name)
        return cls(**kwargs)


class Message(Struct):
    """A top-level message: keys 0 (type) and 1 (version) come first."""

    TYPE: ClassVar[int] = 0
    FIRST_KEY: ClassVar[int] = 2
    MAX_BYTES: ClassVar[int] = MAX_MESSAGE_BYTES

    def to_map(self) -> dict[int, Any]:
        m = super().to_map()
        m[0] = self.TYPE
        m[1] = VERSION
        return m


def encode(msg: Message) -> bytes:
    """MAGIC || canonical CBOR of the message."""
    data = encode_canonical(msg.to_map())
    if len(data) > msg.MAX_BYTES:
        raise WireError(f"{type(msg).__name__} is larger than {msg.MAX_BYTES} bytes", reason=WireReason.TOO_LARGE)
    return data


_REGISTRY: dict[int, type[Message]] = {}


def _register(cls: type[M]) -> type[M]:
    _REGISTRY[cls.TYPE] = cls
    return cls


def message_types() -> dict[int, type[Message]]:
    return dict(_REGISTRY)


def decode_map(value: Any, expected: type[M] | tuple[type[M], ...]) -> M:
    """Dispatch a decoded map on its type tag and check the version."""
    exp = expected if isinstance(expected, tuple) else (expected,)
    if not isinstance(value, Mapping):
        raise WireError("a zkaid message must be a CBOR map", reason=WireReason.MALFORMED)
    t, v = value.get(0), value.get(1)
    if not isinstance(t, int) or isinstance(t, bool) or t not in _REGISTRY:
        raise WireError("unknown zkaid message type", reason=WireReason.UNKNOWN_TYPE)
    if v != VERSION:
        raise WireError(
            f"unsupported message version {v!r} (this app reads version {VERSION}); update the app",
            reason=WireReason.UNKNOWN_VERSION,
        )
    cls = _REGISTRY[t]
    if not any(issubclass(cls, e) for e in exp):
        names = " or ".join(e.__name__ for e in exp)
        raise WireError(f"expected {names}, got {cls.__name__}", reason=WireReason.WRONG_TYPE)
    return cls.from_map(value)  # type: ignore[return-value]


def decode(data: bytes, expected: type[M] | tuple[type[M], ...]) -> M:
    """Strictly decode bytes into one of the ``expected`` message classes."""
    exp = expected if isinstance(expected, tuple) else (expected,)
    limit = max(e.MAX_BYTES for e in exp)
    msg = decode_map(decode_canonical(data, max_bytes=limit), expected)
    if len(data) > msg.MAX_BYTES:
        raise WireError(f"{type(msg).__name__} is larger than {msg.MAX_BYTES} bytes", reason=WireReason.TOO_LARGE)
    return msg


# ----------------------------------------------------------------- nested structs

KID = bstr(KID_LEN, KID_LEN)
SCHEMA_ID = tstr(128, 1)


@dataclass(frozen=True)
class AttributeDef(Struct):
    """One schema attribute: name, type, enum values and labels per language."""

    name: str
    type: str
    values: tuple[str, ...] | None = None
    labels: dict[str, str] | None = None

    FIELDS = (
        Field(0, "name", tstr(64, 1)),
        Field(1, "type", tstr(16, 1)),
        Field(2, "values", array_of(tstr(128), 256), optional=True),
        Field(3, "labels", map_of(tstr(16), tstr(256), 32), optional=True),
    )


@dataclass(frozen=True)
class SchemaDef(Struct):
    id: str
    version: int
    attributes: tuple[AttributeDef, ...]
    title: dict[str, str] | None = None

    FIELDS = (
        Field(0, "id", SCHEMA_ID),
        Field(1, "version", uint(2**32 - 1)),
        Field(2, "attributes", array_of(struct(AttributeDef), 64, 1)),
        Field(3, "title", map_of(tstr(16), tstr(256), 32), optional=True),
    )


@dataclass(frozen=True)
class PredicateSpec(Struct):
    """A requested predicate: attribute name, operator ("ge", "le", "between"), bounds."""

    attribute: str
    op: str
    bounds: tuple[int, ...]

    FIELDS = (
        Field(0, "attribute", tstr(64, 1)),
        Field(1, "op", tstr(16, 1)),
        Field(2, "bounds", array_of(uint(2**63 - 1), 2, 1)),
    )


@dataclass(frozen=True)
class IssuerEntry(Struct):
    kid: bytes
    name: str
    public_key: bytes
    suite: str
    nym_count: int
    schemas: tuple[str, ...]
    not_before: int
    not_after: int
    range_params: bytes | None = None

    def valid_at(self, now: int) -> bool:
        """The key's validity window [not_before, not_after) holds ``now`` (Unix seconds):
        the one place this rule is written."""
        return self.not_before <= now < self.not_after

    FIELDS = (
        Field(0, "kid", KID),
        Field(1, "name", tstr(256, 1)),
        Field(2, "public_key", bstr(96, 96)),
        Field(3, "suite", tstr(32, 1)),
        Field(4, "nym_count", NYM_COUNT),
        Field(5, "schemas", array_of(tstr(160, 3), 64)),
        Field(6, "not_before", uint()),
        Field(7, "not_after", uint()),
        Field(8, "range_params", bstr(0, 65536), optional=True),
    )


@dataclass(frozen=True)
class VerifierEntry(Struct):
    kid: bytes
    name: str
    public_key: bytes  # Ed25519, 32 bytes
    not_before: int
    not_after: int
    # registry scopes (or "prefix/" patterns) this key may ask pseudonyms in (sdk.wire.scope);
    # None: any scope (lists made before scope policies)
    scopes: tuple[str, ...] | None = None

    def valid_at(self, now: int) -> bool:
        """[not_before, not_after) holds ``now``, as for issuer keys."""
        return self.not_before <= now < self.not_after

    FIELDS = (
        Field(0, "kid", KID),
        Field(1, "name", tstr(256, 1)),
        Field(2, "public_key", bstr(32, 32)),
        Field(3, "not_before", uint()),
        Field(4, "not_after", uint()),
        Field(5, "scopes", array_of(tstr(257, 1), 1024), optional=True),
    )


@dataclass(frozen=True)
class ReferralKeyEntry(Struct):
    """An agency's HPKE public key for referrals addressed to it (sdk.referral, specs/referrals.md)."""

    kid: bytes
    agency: str
    name: str
    suite: str
    public_key: bytes
    not_before: int
    not_after: int

    def valid_at(self, now: int) -> bool:
        """[not_before, not_after) holds ``now``, as for issuer keys."""
        return self.not_before <= now < self.not_after

    FIELDS = (
        Field(0, "kid", KID),
        Field(1, "agency", tstr(64, 1)),
        Field(2, "name", tstr(256, 1)),
        Field(3, "suite", tstr(64, 1)),
        Field(4, "public_key", bstr(32, 1216)),
        Field(5, "not_before", uint()),
        Field(6, "not_after", uint()),
    )


@dataclass(frozen=True)
class ReferralTypeDef(Struct):
    """A kind of referral the agencies agreed on, with its label per language."""

    id: str
    labels: dict[str, str]

    FIELDS = (
        Field(0, "id", tstr(64, 1)),
        Field(1, "labels", map_of(tstr(16, 1), tstr(256, 1), 32)),
    )


# ----------------------------------------------------------------------- messages


@_register
@dataclass(frozen=True)
class Offer(Message):
    """Issuer -> wallet: an invitation to request a credential (QR or short code)."""

    issuer_kid: bytes
    schema_id: str
    schema_version: int
    token: bytes
    endpoint: str
    expires: int
    nym_count: int

    TYPE = 1
    FIELDS = (
        Field(2, "issuer_kid", KID),
        Field(3, "schema_id", SCHEMA_ID),
        Field(4, "schema_version", uint(2**32 - 1)),
        Field(5, "token", bstr(16, 64)),
        Field(6, "endpoint", tstr(512)),
        Field(7, "expires", uint()),
        Field(8, "nym_count", NYM_COUNT),
    )


@_register
@dataclass(frozen=True)
class IssuanceRequest(Message):
    """Wallet -> issuer: the commitment to the prover nyms, with its proof (CommitWithNym)."""

    token: bytes
    issuer_kid: bytes
    nym_count: int
    commitment: bytes
    # person binding (sdk.credential.lifecycle): R = H_bind * nym_1 and a proof that the
    # commitment holds the same nym_1, so a re-issue can require the same wallet secret
    binding: bytes | None = None

    TYPE = 2
    FIELDS = (
        Field(2, "token", bstr(16, 64)),
        Field(3, "issuer_kid", KID),
        Field(4, "nym_count", NYM_COUNT),
        Field(5, "commitment", bstr(112, 48 + 32 * (MAX_NYMS + 2))),
        Field(6, "binding", bstr(48 + 32 * 3, 48 + 32 * (MAX_NYMS + 2)), optional=True),
    )


@_register
@dataclass(frozen=True)
class IssuedCredential(Message):
    """Issuer -> wallet: the blind signature, the signer's nym entropy and the values."""

    issuer_kid: bytes
    schema_id: str
    schema_version: int
    values: tuple[Any, ...]
    signature: bytes
    signer_entropy: bytes

    TYPE = 3
    FIELDS = (
        Field(2, "issuer_kid", KID),
        Field(3, "schema_id", SCHEMA_ID),
        Field(4, "schema_version", uint(2**32 - 1)),
        Field(5, "values", array_of(attr_value(), 64)),
        Field(6, "signature", bstr(80, 80)),
        Field(7, "signer_entropy", bstr(32, 32)),
    )


@_register
@dataclass(frozen=True)
class PresentationRequest(Message):
    """Verifier -> wallet: what to prove, to whom, for which scope."""

    verifier_id: str
    nonce: bytes
    scope: str
    issuers: tuple[bytes, ...]
    schema_id: str
    schema_version: int
    disclose: tuple[str, ...]
    predicates: tuple[PredicateSpec, ...]
    time: int
    purpose: dict[str, str]

    TYPE = 4
    MAX_BYTES = 8192
    FIELDS = (
        Field(2, "verifier_id", tstr(256, 1)),
        Field(3, "nonce", bstr(16, 64)),
        Field(4, "scope", tstr(256, 1)),
        Field(5, "issuers", array_of(KID, 64, 1)),
        Field(6, "schema_id", SCHEMA_ID),
        Field(7, "schema_version", uint(2**32 - 1)),
        Field(8, "disclose", array_of(tstr(64, 1), 64)),
        Field(9, "predicates", array_of(struct(PredicateSpec), 16)),
        Field(10, "time", uint()),
        Field(11, "purpose", map_of(tstr(16, 1), tstr(512), 32)),
    )


@_register
@dataclass(frozen=True)
class Presentation(Message):
    """Wallet -> verifier: disclosed values, scope pseudonym and the zero-knowledge proof."""

    request_digest: bytes
    issuer_kid: bytes
    schema_id: str
    schema_version: int
    disclosed: dict[int, Any]
    pseudonym: bytes
    proof: bytes
    predicate_proofs: tuple[bytes, ...] | None = None
    revocation_tag: bytes | None = None  # T = H_s * rh (sdk.credential.revocation_part)
    # set when the wallet answered in the request's one-time scope (sdk.wire.scope.request_scope)
    scope: str | None = None

    TYPE = 5
    MAX_BYTES = 32768
    FIELDS = (
        Field(2, "request_digest", bstr(32, 32)),
        Field(3, "issuer_kid", KID),
        Field(4, "schema_id", SCHEMA_ID),
        Field(5, "schema_version", uint(2**32 - 1)),
        Field(6, "disclosed", map_of(uint(63), attr_value(), 64)),
        Field(7, "pseudonym", bstr(48, 48)),
        Field(8, "proof", bstr(272, 272 + 32 * (64 + 1 + MAX_NYMS))),
        Field(9, "predicate_proofs", array_of(bstr(1, 8192), 16), optional=True),
        Field(10, "revocation_tag", bstr(48, 48), optional=True),
        Field(11, "scope", tstr(256, 1), optional=True),
    )


@_register
@dataclass(frozen=True)
class StoredCredential(Message):
    """The wallet's own record of a credential, secrets included (stored encrypted)."""

    issuer_kid: bytes
    schema_id: str
    schema_version: int
    suite: str
    values: tuple[Any, ...]
    signature: bytes
    nym_secrets: tuple[bytes, ...]
    prover_blind: bytes
    signer_entropy: bytes
    issued_at: int

    TYPE = 6
    FIELDS = (
        Field(2, "issuer_kid", KID),
        Field(3, "schema_id", SCHEMA_ID),
        Field(4, "schema_version", uint(2**32 - 1)),
        Field(5, "suite", tstr(32, 1)),
        Field(6, "values", array_of(attr_value(), 64)),
        Field(7, "signature", bstr(80, 80)),
        Field(8, "nym_secrets", array_of(bstr(32, 32), MAX_NYMS, 1)),
        Field(9, "prover_blind", bstr(32, 32)),
        Field(10, "signer_entropy", bstr(32, 32)),
        Field(11, "issued_at", uint()),
    )


@_register
@dataclass(frozen=True)
class TrustListPayload(Message):
    """The content of the signed trust list (carried inside COSE_Sign1)."""

    sequence: int
    issued_at: int
    next_update: int
    grace: int
    issuers: tuple[IssuerEntry, ...]
    verifiers: tuple[VerifierEntry, ...]
    schemas: tuple[SchemaDef, ...]
    referral_keys: tuple[ReferralKeyEntry, ...] | None = None
    referral_types: tuple[ReferralTypeDef, ...] | None = None

    TYPE = 7
    MAX_BYTES = 8 * 1024 * 1024
    FIELDS = (
        Field(2, "sequence", uint()),
        Field(3, "issued_at", uint()),
        Field(4, "next_update", uint()),
        Field(5, "grace", uint()),
        Field(6, "issuers", array_of(struct(IssuerEntry), 512)),
        Field(7, "verifiers", array_of(struct(VerifierEntry), 4096)),
        Field(8, "schemas", array_of(struct(SchemaDef), 256)),
        Field(9, "referral_keys", array_of(struct(ReferralKeyEntry), 1024), optional=True),
        Field(10, "referral_types", array_of(struct(ReferralTypeDef), 256), optional=True),
    )


#: Revocation tokens are 8 bytes (sdk.credential.revocation.short_token).
REVOCATION_TOKEN_LEN = 8
MAX_REVOCATION_TOKENS = 131072


@_register
@dataclass(frozen=True)
class RevocationUpdate(Message):
    """The per-scope revocation list (specs/revocation.md), carried inside COSE_Sign1 and
    signed by the trust-list key. ``revoked`` and ``blocked`` are concatenations of 8-byte
    tokens in strictly increasing order: revoked cards, and replacement cards that may not
    enroll in this scope because the card they replace may already have."""

    sequence: int
    issued_at: int
    next_update: int
    grace: int
    scope: str
    revoked: bytes
    blocked: bytes | None = None

    TYPE = 8
    MAX_BYTES = 2 * REVOCATION_TOKEN_LEN * MAX_REVOCATION_TOKENS + 1024
    FIELDS = (
        Field(2, "sequence", uint()),
        Field(3, "issued_at", uint()),
        Field(4, "next_update", uint()),
        Field(5, "grace", uint()),
        Field(6, "scope", tstr(256, 1)),
        Field(7, "revoked", bstr(0, REVOCATION_TOKEN_LEN * MAX_REVOCATION_TOKENS)),
        Field(8, "blocked", bstr(0, REVOCATION_TOKEN_LEN * MAX_REVOCATION_TOKENS), optional=True),
    )
