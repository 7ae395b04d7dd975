"""Presentation requests: building them (verifier), reading them (wallet and verifier).

A request travels either as a plain :class:`~sdk.wire.PresentationRequest` or inside a
COSE_Sign1 envelope signed by a verifier key listed in the trust list, so that a wallet
can tell a real agency from anyone with a printer. The request digest (the BBS
presentation header) is taken over the request message bytes, signed or not.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sdk.credential.profile import context_id, request_digest
from sdk.credential.schema import Schema
from sdk.errors import CredentialError, ScopeError, WireError
from sdk.reasons import CredentialReason
from sdk.trust import TrustList
from sdk.wire import (
    MAGIC,
    PredicateSpec,
    PresentationRequest,
    VerifierEntry,
    decode,
    ed25519_kid,
    encode,
    is_sign1,
    parse_sign1,
    sign1,
    verify_sign1,
)
from sdk.wire.scope import is_request_scope, normalize_scope, request_scope

__all__ = [
    "PREDICATE_OPS",
    "ReceivedRequest",
    "VerifierKey",
    "build_request",
    "read_request",
    "scope_policy",
]

PREDICATE_OPS = ("ge", "le", "between")


@dataclass(frozen=True)
class VerifierKey:
    """An agency's (or a field device's) Ed25519 key for signing requests."""

    name: str
    private_key: Ed25519PrivateKey = field(repr=False)

    @classmethod
    def generate(cls, name: str) -> VerifierKey:
        return cls(name, Ed25519PrivateKey.generate())

    @property
    def public_key(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @property
    def kid(self) -> bytes:
        return ed25519_kid(self.public_key)

    def entry(self, not_before: int, not_after: int) -> VerifierEntry:
        return VerifierEntry(self.kid, self.name, self.public_key, not_before, not_after)


@dataclass(frozen=True)
class ReceivedRequest:
    """A decoded request with its digest and who (verifiably) sent it."""

    request: PresentationRequest
    payload: bytes
    digest: bytes
    signer_kid: bytes | None = None
    signer: VerifierEntry | None = None  # set only when the signature verified against the trust list
    # the scope the wallet answers in when it is not the requested one (scope_policy)
    answer_scope: str | None = None

    @property
    def verified(self) -> bool:
        return self.signer is not None

    @property
    def scope(self) -> str:
        """The scope the pseudonym is computed in: the requested one, or the one-time scope."""
        return self.answer_scope if self.answer_scope is not None else self.request.scope

    @property
    def one_time(self) -> bool:
        return self.answer_scope is not None

    @property
    def context_id(self) -> bytes:
        return context_id(self.scope)


def scope_policy(received: ReceivedRequest, trust_list: TrustList) -> ReceivedRequest:
    """Scopes belong to verifiers (specs/revocation.md §6): the wallet answers in the
    requested scope only when the request is signed by a trust-list key that may ask for
    it; otherwise in the request's one-time scope (:func:`sdk.wire.scope.request_scope`),
    whose pseudonym is fresh for every request and matches no registry row. The returned
    request says which (``one_time``); the wallet tells the person in plain words."""
    signer = received.signer
    try:
        scope = normalize_scope(received.request.scope)
    except ScopeError:
        scope = ""
    if signer is not None and scope and not is_request_scope(scope) and trust_list.scope_allowed(signer.kid, scope):
        return replace(received, answer_scope=None)
    return replace(received, answer_scope=request_scope(received.digest))


def _check_request(disclose: Sequence[str], preds: Sequence[PredicateSpec]) -> None:
    """Structural rules every request obeys, checked when building and when reading one."""
    if len(set(disclose)) != len(disclose):
        raise CredentialError("the request names an attribute twice", reason=CredentialReason.MALFORMED)
    for p in preds:
        if p.attribute in disclose:
            raise CredentialError(
                f"'{p.attribute}' is disclosed: check it directly instead of asking for a predicate",
                reason=CredentialReason.UNSUPPORTED_PREDICATE,
            )
        if p.op not in PREDICATE_OPS:
            raise CredentialError(f"unsupported predicate operator '{p.op}'", reason=CredentialReason.UNSUPPORTED_PREDICATE)
        want = 2 if p.op == "between" else 1
        if len(p.bounds) != want:
            raise CredentialError(f"predicate '{p.op}' needs {want} bound(s)", reason=CredentialReason.UNSUPPORTED_PREDICATE)
        if p.op == "between" and p.bounds[0] > p.bounds[1]:
            raise CredentialError("predicate 'between' has its bounds reversed", reason=CredentialReason.UNSUPPORTED_PREDICATE)


def build_request(
    *, verifier_id: str, scope: str, issuers: Sequence[bytes], schema: Schema,
    disclose: Sequence[str] = (), predicates: Sequence[PredicateSpec] = (),
    purpose: Mapping[str, str], now: int, nonce: bytes | None = None,
    signing_key: VerifierKey | None = None,
) -> bytes:
    """Build (and optionally sign) a presentation request; returns the bytes for the QR."""
    for name in (*disclose, *(p.attribute for p in predicates)):
        if schema.attribute(name).hidden:
            raise CredentialError(f"'{name}' is a hidden card handle: no request may ask about it",
                                  reason=CredentialReason.HIDDEN_ATTRIBUTE)
    for p in predicates:
        attr = schema.attribute(p.attribute)
        if not attr.is_integer:
            raise CredentialError(
                f"predicates apply to number and date attributes, not '{p.attribute}' ({attr.type})",
                reason=CredentialReason.UNSUPPORTED_PREDICATE,
            )
    _check_request(disclose, predicates)
    scope = normalize_scope(scope)  # the one spelling goes on the wire (sdk.wire.scope)
    req = PresentationRequest(
        verifier_id, nonce if nonce is not None else secrets.token_bytes(16), scope,
        tuple(issuers), schema.id, schema.version, tuple(disclose), tuple(predicates), now,
        dict(purpose),
    )
    payload = encode(req)
    if signing_key is None:
        return payload
    return sign1(payload, signing_key.private_key, signing_key.kid)


def read_request(data: bytes, trust_list: TrustList | None = None, *, now: int | None = None) -> ReceivedRequest:
    """Decode a request QR payload, verifying its signature when it is signed.

    A signed request whose key is in the trust list and valid at ``now`` is *verified*;
    a signed request whose signature does not verify is refused (a forgery); an unsigned
    request, or one signed by a key the trust list does not know, is read as unverified.
    """
    if not isinstance(data, (bytes, bytearray)) or not bytes(data).startswith(MAGIC):
        raise CredentialError("this code is not a zkaid request", reason=CredentialReason.FOREIGN)
    data = bytes(data)
    signer_kid = signer = None
    if is_sign1(data):
        try:
            env = parse_sign1(data, max_bytes=PresentationRequest.MAX_BYTES + 256)
        except WireError as exc:
            raise CredentialError(f"the request is unreadable: {exc}", reason=CredentialReason.MALFORMED) from exc
        payload, signer_kid = env.payload, env.kid
        entry = trust_list.verifier(env.kid) if trust_list is not None else None
        if entry is not None:
            if not verify_sign1(env, entry.public_key):
                raise CredentialError(
                    f"the request claims to come from {entry.name} but its signature is wrong",
                    reason=CredentialReason.REQUEST_BAD_SIGNATURE,
                )
            if now is None or entry.valid_at(now):
                signer = entry
    else:
        payload = data
    try:
        req = decode(payload, PresentationRequest)
    except WireError as exc:
        raise CredentialError(f"the request is unreadable: {exc}", reason=CredentialReason.MALFORMED) from exc
    _check_request(req.disclose, req.predicates)
    return ReceivedRequest(req, payload, request_digest(payload), signer_kid, signer)
