"""The signed trust list: which issuer and verifier keys a deployment accepts, and until when.

A trust list is a :class:`~sdk.wire.TrustListPayload` inside a COSE_Sign1 envelope signed
with the trust-list key (Ed25519), whose public key every app pins as its trust anchor.
Apps cache the latest list they have verified and keep working offline:

- ``fresh`` until ``next_update``;
- ``stale`` within ``grace`` seconds after that: verification goes on, with a visible
  warning that the list should be refreshed;
- ``expired`` beyond the grace period: verification refuses, with a reason.

specs/trust-list.md is the normative description.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sdk.errors import ScopeError, TrustListError, WireError
from sdk.reasons import TrustReason
from sdk.wire import (
    IssuerEntry,
    ReferralKeyEntry,
    ReferralTypeDef,
    SchemaDef,
    TrustListPayload,
    VerifierEntry,
    decode,
    ed25519_kid,
    encode,
    parse_sign1,
    sign1,
    verify_sign1,
)
from sdk.wire.scope import normalize_scope_pattern, scope_matches

__all__ = [
    "Freshness",
    "FreshnessState",
    "TrustAnchor",
    "TrustList",
    "bbs_kid",
    "build_payload",
    "check_update",
    "freshness_at",
    "load_trust_list",
    "referral_kid",
    "sign_trust_list",
]

MAX_TRUST_LIST_BYTES = 8 * 1024 * 1024 + 1024


def bbs_kid(public_key: bytes) -> bytes:
    """Key id of a BBS issuer key: SHA-256("zkaid-kid-bbs" || 96-byte public key)[:8]."""
    return hashlib.sha256(b"zkaid-kid-bbs" + public_key).digest()[:8]


def referral_kid(suite: str, public_key: bytes) -> bytes:
    """Key id of an HPKE referral key: SHA-256("zkaid-kid-referral" || suite || 0x00 || public key)[:8]."""
    return hashlib.sha256(b"zkaid-kid-referral" + suite.encode("utf-8") + b"\x00" + public_key).digest()[:8]


class FreshnessState(StrEnum):
    FRESH = "fresh"
    STALE = "stale"  # past next_update, within grace: usable, with a warning
    EXPIRED = "expired"  # beyond grace: refuse


@dataclass(frozen=True)
class Freshness:
    state: FreshnessState
    next_update: int
    grace_ends: int
    now: int

    @property
    def usable(self) -> bool:
        return self.state is not FreshnessState.EXPIRED

    @property
    def warning(self) -> str | None:
        if self.state is FreshnessState.STALE:
            hours = max(0, (self.grace_ends - self.now) // 3600)
            return (
                "The trust list is out of date: connect to sync it. "
                f"Checks stop in about {hours} hours."
            )
        if self.state is FreshnessState.EXPIRED:
            return "The trust list has expired: connect to the agency service to update it."
        return None


@dataclass(frozen=True)
class TrustAnchor:
    """A trust-list signing key that an app accepts (pinned in its configuration)."""

    public_key: bytes  # Ed25519 raw 32 bytes

    @property
    def kid(self) -> bytes:
        return ed25519_kid(self.public_key)


@dataclass(frozen=True)
class TrustList:
    """A verified trust list: the payload, the exact signed bytes and who signed it."""

    payload: TrustListPayload
    signed: bytes
    signer_kid: bytes

    @property
    def sequence(self) -> int:
        return self.payload.sequence

    def issuer(self, kid: bytes) -> IssuerEntry | None:
        for entry in self.payload.issuers:
            if entry.kid == kid:
                return entry
        return None

    def scope_allowed(self, kid: bytes, scope: str) -> bool:
        """Whether the verifier key ``kid`` may ask for pseudonyms in ``scope`` (normalised):
        its entry lists the scope or a ``prefix/`` above it, or lists no scopes at all."""
        entry = self.verifier(kid)
        if entry is None:
            return False
        if entry.scopes is None:
            return True
        return any(scope_matches(scope, p) for p in entry.scopes)

    def verifier(self, kid: bytes) -> VerifierEntry | None:
        for entry in self.payload.verifiers:
            if entry.kid == kid:
                return entry
        return None

    def schema(self, schema_id: str, version: int) -> SchemaDef | None:
        for s in self.payload.schemas:
            if s.id == schema_id and s.version == version:
                return s
        return None

    def referral_key(self, kid: bytes) -> ReferralKeyEntry | None:
        for entry in self.payload.referral_keys or ():
            if entry.kid == kid:
                return entry
        return None

    def referral_keys_for(self, agency: str, now: int) -> tuple[ReferralKeyEntry, ...]:
        """The agency's referral keys valid at ``now``, newest (latest not_before) first."""
        keys = [k for k in self.payload.referral_keys or () if k.agency == agency and k.valid_at(now)]
        return tuple(sorted(keys, key=lambda k: k.not_before, reverse=True))

    def referral_type(self, type_id: str) -> ReferralTypeDef | None:
        for t in self.payload.referral_types or ():
            if t.id == type_id:
                return t
        return None

    def freshness(self, now: int) -> Freshness:
        return freshness_at(self.payload.next_update, self.payload.grace, now)

    def require_usable(self, now: int) -> Freshness:
        """Freshness, or TrustListError(reason="trust_list_expired") beyond the grace period."""
        f = self.freshness(now)
        if not f.usable:
            raise TrustListError(
                "the trust list expired and its grace period is over: "
                "connect to the agency service to update it",
                reason=TrustReason.TRUST_LIST_EXPIRED,
            )
        return f


def freshness_at(next_update: int, grace: int, now: int) -> Freshness:
    """Fresh before ``next_update``, stale for ``grace`` seconds after it, then expired
    (the same rule for the trust list and for revocation updates)."""
    grace_ends = next_update + grace
    if now < next_update:
        state = FreshnessState.FRESH
    elif now < grace_ends:
        state = FreshnessState.STALE
    else:
        state = FreshnessState.EXPIRED
    return Freshness(state, next_update, grace_ends, now)


class SignedSequence(Protocol):
    """What the roll-back rule looks at: a sequence number and the exact signed bytes."""

    @property
    def sequence(self) -> int: ...

    @property
    def signed(self) -> bytes: ...


def check_update(current: SignedSequence | None, new: SignedSequence, *, kind: str = "trust list") -> None:
    """Refuse a roll-back (specs/trust-list.md §8): a list with a lower sequence than the one
    in use, or the same sequence with other content, would let anyone holding an old file
    bring back a revoked key (or, for a revocation update, a withdrawn card).
    Raises TrustListError(reason="rollback")."""
    if current is None:
        return
    if new.sequence < current.sequence or (new.sequence == current.sequence and new.signed != current.signed):
        raise TrustListError(
            f"this {kind} (number {new.sequence}) does not replace the one in use "
            f"(number {current.sequence})",
            reason=TrustReason.ROLLBACK,
        )


def sign_trust_list(payload: TrustListPayload, key: Ed25519PrivateKey) -> bytes:
    """Sign a trust list payload with the trust-list key (COSE_Sign1, Ed25519)."""
    from cryptography.hazmat.primitives import serialization

    pub = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return sign1(encode(payload), key, ed25519_kid(pub))


def _check_payload(iss: Sequence[IssuerEntry], ver: Sequence[VerifierEntry], sch: Sequence[SchemaDef],
                   issued_at: int, next_update: int, rkeys: Sequence[ReferralKeyEntry] = (),
                   rtypes: Sequence[ReferralTypeDef] = ()) -> None:
    if len({i.kid for i in iss}) != len(iss) or len({v.kid for v in ver}) != len(ver):
        raise TrustListError("duplicate key id in trust list", reason=TrustReason.DUPLICATE_KEY)
    if len({(s.id, s.version) for s in sch}) != len(sch):
        raise TrustListError("duplicate schema in trust list", reason=TrustReason.DUPLICATE_SCHEMA)
    if next_update < issued_at:
        raise TrustListError("next_update is before issued_at", reason=TrustReason.INVALID_DATES)
    for i in iss:
        if bbs_kid(i.public_key) != i.kid or i.not_after <= i.not_before:
            raise TrustListError(f"issuer entry '{i.name}' is inconsistent", reason=TrustReason.MALFORMED)
    for v in ver:
        for pattern in v.scopes or ():
            try:
                ok = normalize_scope_pattern(pattern) == pattern
            except ScopeError:
                ok = False
            if not ok:
                raise TrustListError(f"verifier entry '{v.name}' lists a scope that is not normalised",
                                     reason=TrustReason.MALFORMED)
        if ed25519_kid(v.public_key) != v.kid or v.not_after <= v.not_before:
            raise TrustListError(f"verifier entry '{v.name}' is inconsistent", reason=TrustReason.MALFORMED)
    if len({k.kid for k in rkeys}) != len(rkeys) or len({t.id for t in rtypes}) != len(rtypes):
        raise TrustListError("duplicate referral key or referral type", reason=TrustReason.DUPLICATE_KEY)
    for k in rkeys:
        if referral_kid(k.suite, k.public_key) != k.kid or k.not_after <= k.not_before:
            raise TrustListError(f"referral key entry '{k.name}' is inconsistent", reason=TrustReason.MALFORMED)


def build_payload(
    *, sequence: int, issued_at: int, next_update: int, grace: int,
    issuers: Iterable[IssuerEntry], verifiers: Iterable[VerifierEntry] = (),
    schemas: Iterable[SchemaDef] = (), referral_keys: Iterable[ReferralKeyEntry] = (),
    referral_types: Iterable[ReferralTypeDef] = (),
) -> TrustListPayload:
    """Assemble a payload, refusing duplicate key ids or schema versions."""
    iss, ver, sch = tuple(issuers), tuple(verifiers), tuple(schemas)
    rk, rt = tuple(referral_keys), tuple(referral_types)
    _check_payload(iss, ver, sch, issued_at, next_update, rk, rt)
    return TrustListPayload(sequence, issued_at, next_update, grace, iss, ver, sch, rk or None, rt or None)


def load_trust_list(data: bytes, anchors: Sequence[TrustAnchor]) -> TrustList:
    """Parse and verify a signed trust list against the pinned anchors.

    Raises TrustListError with reason "malformed", "unknown_signer" or "bad_signature".
    Freshness is checked separately (:meth:`TrustList.require_usable`) because a stale
    list is still useful, with a warning.
    """
    try:
        env = parse_sign1(data, max_bytes=MAX_TRUST_LIST_BYTES)
    except WireError as exc:
        raise TrustListError(f"the trust list is unreadable: {exc}", reason=TrustReason.MALFORMED) from exc
    anchor = next((a for a in anchors if a.kid == env.kid), None)
    if anchor is None:
        raise TrustListError(
            "the trust list is signed by a key this app does not trust", reason=TrustReason.UNKNOWN_SIGNER
        )
    if not verify_sign1(env, anchor.public_key):
        raise TrustListError("the trust list signature is invalid", reason=TrustReason.BAD_SIGNATURE)
    try:
        payload = decode(env.payload, TrustListPayload)
    except WireError as exc:
        raise TrustListError(f"the trust list content is malformed: {exc}", reason=TrustReason.MALFORMED) from exc
    _check_payload(payload.issuers, payload.verifiers, payload.schemas, payload.issued_at, payload.next_update,
                   payload.referral_keys or (), payload.referral_types or ())
    return TrustList(payload, bytes(data), env.kid)
