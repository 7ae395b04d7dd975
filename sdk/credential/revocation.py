"""Per-card revocation, checked offline: verifier-local revocation with per-scope tokens
(specs/revocation.md; Boneh and Shacham, "Group signatures with verifier-local
revocation", CCS 2004, §5, adapted to BBS pseudonyms).

Every card signs a hidden *revocation handle* (a schema attribute of type ``handle``,
32 random bytes chosen by the registrar and sealed by it). A presentation in scope ``s``
carries the tag

    T = H_s * rh,   H_s = hash_to_curve_g1(context_id(s), suite.api_id || "ZKAID_REVOCATION_")

where rh is the handle's message scalar, proven equal to the signed message with the BBS
blinding of that message (:mod:`sdk.credential.revocation_part`). A field device refuses
the card when ``short_token(T)`` is in the signed update for its scope. Tags of one card in
two scopes are unlinkable under DDH in G1, exactly like its pseudonyms; only a holder of rh
can compute a card's tags, which is why rh stays sealed until the card is revoked.

The update (:class:`~sdk.wire.RevocationUpdate`) is signed like the trust list, by the
trust-list key, with the same roll-back rule (:func:`sdk.trust.check_update`) and the same
fresh / stale / expired states.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sdk.bbs.ciphersuite import Ciphersuite
from sdk.bbs.generators import hash_to_curve_g1
from sdk.bbs.utils import R, messages_to_scalars
from sdk.credential.profile import context_id, suite_of
from sdk.curves import CurveBackend, get_backend
from sdk.curves.base import G1
from sdk.errors import EncodingError, ScopeError, TrustListError, WireError
from sdk.reasons import CredentialReason, TrustReason, WireReason
from sdk.trust import Freshness, TrustAnchor, check_update, freshness_at
from sdk.wire import RevocationUpdate, decode, ed25519_kid, encode, parse_sign1, sign1, verify_sign1
from sdk.wire.messages import MAX_REVOCATION_TOKENS, REVOCATION_TOKEN_LEN
from sdk.wire.scope import normalize_scope

__all__ = [
    "HANDLE_LEN",
    "MAX_UPDATE_BYTES",
    "TOKEN_LEN",
    "RevocationList",
    "build_update",
    "handle_scalar",
    "load_revocation_update",
    "revocation_base",
    "revocation_tag",
    "short_token",
    "sign_revocation_update",
    "token_for",
]

HANDLE_LEN = 32
TOKEN_LEN = REVOCATION_TOKEN_LEN
MAX_UPDATE_BYTES = RevocationUpdate.MAX_BYTES + 256  # the COSE_Sign1 envelope around it
_TOKEN_DST = b"zkaid/revocation-token/v1"


def _suite(suite: str | Ciphersuite) -> Ciphersuite:
    return suite if isinstance(suite, Ciphersuite) else suite_of(suite)


def handle_scalar(handle: bytes, suite: str | Ciphersuite) -> int:
    """The BBS message scalar of a revocation handle: the ``bytes`` mapping of the profile
    (MapMessageToScalarAsHash with the pseudonym interface's api_id), as the schema signs it."""
    if not isinstance(handle, bytes | bytearray) or len(handle) != HANDLE_LEN:
        raise EncodingError(f"a revocation handle is {HANDLE_LEN} bytes", reason=CredentialReason.INVALID_HANDLE)
    cs = _suite(suite)
    return messages_to_scalars([bytes(handle)], cs.nym_api_id, cs)[0]


def revocation_base(scope: str, suite: str | Ciphersuite, backend: CurveBackend | str | None = None) -> G1:
    """H_s = hash_to_curve_g1(context_id(scope), api_id || "ZKAID_REVOCATION_") (RFC 9380 via
    the suite's hash_to_curve; a DST of its own, so H_s is never a pseudonym base OP)."""
    return _base(context_id(scope), _suite(suite), get_backend(backend))


@lru_cache(maxsize=64)
def _base(ctx: bytes, cs: Ciphersuite, be: CurveBackend) -> G1:
    # a field device works in one scope: H_s is hashed to the curve once, not per card
    return hash_to_curve_g1(ctx, cs.api_id + b"ZKAID_REVOCATION_", cs, be)


def revocation_tag(scope: str, rh: int, suite: str | Ciphersuite,
                   backend: CurveBackend | str | None = None) -> bytes:
    """T = H_s * rh, compressed (48 bytes)."""
    be = get_backend(backend)
    if not 0 < rh < R:
        raise EncodingError("a revocation handle scalar is in 1..r-1", reason=CredentialReason.INVALID_HANDLE)
    return be.g1_to_bytes(be.g1_mul(revocation_base(scope, suite, be), rh))


def short_token(tag: bytes) -> bytes:
    """The 8-byte token a list carries: SHA-256("zkaid/revocation-token/v1" || T)[:8].

    8 bytes keep 10,000 revoked cards at 80 KB; a card that is not revoked collides with
    one of n listed tokens with probability n / 2^64 per presentation."""
    return hashlib.sha256(_TOKEN_DST + bytes(tag)).digest()[:TOKEN_LEN]


def token_for(scope: str, handle: bytes, suite: str | Ciphersuite,
              backend: CurveBackend | str | None = None) -> bytes:
    """The token of a card (given its handle) in a scope: what the authority lists."""
    return short_token(revocation_tag(scope, handle_scalar(handle, suite), suite, backend))


def _pack(tokens: Iterable[bytes], what: str) -> bytes:
    items = sorted(set(bytes(t) for t in tokens))
    for t in items:
        if len(t) != TOKEN_LEN:
            raise WireError(f"a {what} token is {TOKEN_LEN} bytes", reason=WireReason.MALFORMED)
    if len(items) > MAX_REVOCATION_TOKENS:
        raise WireError(f"at most {MAX_REVOCATION_TOKENS} {what} tokens per scope", reason=WireReason.TOO_LARGE)
    return b"".join(items)


def _unpack(data: bytes, what: str) -> tuple[bytes, ...]:
    if len(data) % TOKEN_LEN:
        raise TrustListError(f"the {what} list is not a whole number of tokens", reason=TrustReason.MALFORMED)
    items = tuple(data[i:i + TOKEN_LEN] for i in range(0, len(data), TOKEN_LEN))
    if any(a >= b for a, b in itertools.pairwise(items)):
        raise TrustListError(f"the {what} tokens are not in strictly increasing order", reason=TrustReason.MALFORMED)
    return items


def build_update(*, scope: str, sequence: int, issued_at: int, next_update: int, grace: int,
                 revoked: Iterable[bytes] = (), blocked: Iterable[bytes] = ()) -> RevocationUpdate:
    """Assemble an update for one scope (tokens sorted, duplicates dropped)."""
    if next_update < issued_at:
        raise TrustListError("next_update is before issued_at", reason=TrustReason.INVALID_DATES)
    b = _pack(blocked, "blocked")
    return RevocationUpdate(sequence, issued_at, next_update, grace, normalize_scope(scope),
                            _pack(revoked, "revoked"), b or None)


def sign_revocation_update(update: RevocationUpdate, key: Ed25519PrivateKey) -> bytes:
    """COSE_Sign1 (Ed25519) with the trust-list key, as :func:`sdk.trust.sign_trust_list`."""
    pub = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return sign1(encode(update), key, ed25519_kid(pub))


@dataclass(frozen=True)
class RevocationList:
    """A verified revocation update for one scope: look tokens up, check freshness."""

    payload: RevocationUpdate
    signed: bytes
    signer_kid: bytes
    revoked: tuple[bytes, ...]
    blocked: tuple[bytes, ...]

    @property
    def sequence(self) -> int:
        return self.payload.sequence

    @property
    def scope(self) -> str:
        return self.payload.scope

    def is_revoked(self, token: bytes) -> bool:
        return _contains(self.revoked, token)

    def is_blocked(self, token: bytes) -> bool:
        return _contains(self.blocked, token)

    def freshness(self, now: int) -> Freshness:
        return freshness_at(self.payload.next_update, self.payload.grace, now)

    def require_usable(self, now: int) -> Freshness:
        """Freshness, or TrustListError(reason="revocation_expired") past the grace period:
        a device that cannot know which cards are withdrawn stops checking."""
        f = self.freshness(now)
        if not f.usable:
            raise TrustListError(
                "the list of withdrawn cards expired and its grace period is over: "
                "connect to the agency service to update it",
                reason=TrustReason.REVOCATION_EXPIRED,
            )
        return f

    def replaces(self, current: RevocationList | None) -> None:
        """Refuse a roll-back or a list for another scope (TrustListError)."""
        if current is not None and current.scope != self.scope:
            raise TrustListError(
                f"this list is for {self.scope!r}, not {current.scope!r}", reason=TrustReason.WRONG_SCOPE
            )
        check_update(current, self, kind="list of withdrawn cards")


def _contains(items: Sequence[bytes], token: bytes) -> bool:
    i = bisect.bisect_left(items, token)
    return i < len(items) and items[i] == token


def load_revocation_update(data: bytes, anchors: Sequence[TrustAnchor]) -> RevocationList:
    """Parse and verify a signed update against the pinned trust-list anchors.

    Raises TrustListError with reason "too_large", "malformed", "unknown_signer" or
    "bad_signature"; freshness is checked separately (:meth:`RevocationList.require_usable`).
    """
    if not isinstance(data, bytes | bytearray):
        raise TrustListError("a revocation update is bytes", reason=TrustReason.MALFORMED)
    if len(data) > MAX_UPDATE_BYTES:
        raise TrustListError(
            f"the revocation update is {len(data)} bytes, more than the {MAX_UPDATE_BYTES} allowed",
            reason=TrustReason.TOO_LARGE,
        )
    try:
        env = parse_sign1(bytes(data), max_bytes=MAX_UPDATE_BYTES)
    except WireError as exc:
        raise TrustListError(f"the revocation update is unreadable: {exc}", reason=TrustReason.MALFORMED) from exc
    anchor = next((a for a in anchors if a.kid == env.kid), None)
    if anchor is None:
        raise TrustListError("the revocation update is signed by a key this app does not trust",
                             reason=TrustReason.UNKNOWN_SIGNER)
    if not verify_sign1(env, anchor.public_key):
        raise TrustListError("the revocation update signature is invalid", reason=TrustReason.BAD_SIGNATURE)
    try:
        payload = decode(env.payload, RevocationUpdate)
    except WireError as exc:
        raise TrustListError(f"the revocation update content is malformed: {exc}", reason=TrustReason.MALFORMED) from exc
    if payload.next_update < payload.issued_at:
        raise TrustListError("next_update is before issued_at", reason=TrustReason.INVALID_DATES)
    try:
        normal = normalize_scope(payload.scope) == payload.scope
    except ScopeError:
        normal = False
    if not normal:
        raise TrustListError("the revocation update names a scope in a non-normal spelling", reason=TrustReason.MALFORMED)
    return RevocationList(payload, bytes(data), env.kid, _unpack(payload.revoked, "revoked"),
                          _unpack(payload.blocked or b"", "blocked"))
