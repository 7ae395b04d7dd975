"""Scope names: one spelling per round (specs/revocation.md, "Scopes").

A scope is the pseudonym context of draft-irtf-cfrg-bbs-per-verifier-linkability-02: two
spellings of one round give a person two pseudonyms, and the registry would count them as
two people. Every component (wallet, field app, service) therefore passes a scope through
:func:`normalize_scope` before it derives a context id, stores a row or compares names.

Rules, in order:

1. the value is text; it is put in Unicode Normalization Form C (UAX #15), so an NFD
   spelling typed on one keyboard and an NFC one typed on another become the same scope;
2. it must already be stable under NFKC: compatibility characters (full-width digits,
   ligatures, superscripts) look like plain ones but are different code points, so they are
   refused rather than silently folded;
3. it must be lower case (``s == s.lower()``): ``CVA/round-1`` and ``cva/round-1`` would be
   two rounds that look like one;
4. 1..128 characters and at most 256 UTF-8 bytes (the wire field allows 256 characters);
5. only letters, combining marks after a letter or digit, decimal digits and ``- _ . : /``;
   no spaces, control or invisible format characters (a zero-width joiner would make two
   scopes that print identically);
6. ``/`` separates non-empty segments: no leading, trailing or doubled ``/``.

A *scope pattern* (trust-list policy: which verifier keys may ask for which registry scopes)
is either a scope, matching itself, or a scope followed by ``/``, matching every scope below
it at a segment boundary (``cva/2026-12/`` matches ``cva/2026-12/round-1`` but not
``cva/2026-120``).
"""

from __future__ import annotations

import hashlib
import unicodedata

from sdk.errors import ScopeError

__all__ = [
    "MAX_SCOPE_BYTES",
    "MAX_SCOPE_CHARS",
    "REQUEST_SCOPE_PREFIX",
    "is_request_scope",
    "normalize_scope",
    "normalize_scope_pattern",
    "request_scope",
    "scope_matches",
]

MAX_SCOPE_CHARS = 128
MAX_SCOPE_BYTES = 256
_PUNCT = frozenset("-_.:/")
#: Scopes the wallet makes up for a single request (see :func:`request_scope`); no registry
#: scope may live under this prefix, so a pseudonym in it can never match a registry row.
REQUEST_SCOPE_PREFIX = "request/"


def _char_ok(ch: str, prev: str | None) -> bool:
    cat = unicodedata.category(ch)
    if ch in _PUNCT or cat == "Nd" or cat.startswith("L"):
        return True
    if cat.startswith("M"):  # a combining mark only decorates a letter or digit
        return prev is not None and prev not in _PUNCT
    return False


def normalize_scope(scope: object) -> str:
    """The one spelling of ``scope`` (NFC), or :class:`ScopeError` saying what to change."""
    if not isinstance(scope, str):
        raise ScopeError("a scope is text, such as cva/2026-12/round-1")
    s = unicodedata.normalize("NFC", scope)
    if not s:
        raise ScopeError("a scope is required, such as cva/2026-12/round-1")
    if len(s) > MAX_SCOPE_CHARS or len(s.encode("utf-8")) > MAX_SCOPE_BYTES:
        raise ScopeError(f"the scope is too long: at most {MAX_SCOPE_CHARS} characters")
    if unicodedata.normalize("NFKC", s) != s:
        raise ScopeError(
            "the scope contains a compatibility character (full-width, ligature or superscript): "
            "type the plain character instead"
        )
    if s != s.lower():
        raise ScopeError("write the scope in lower case, so that one round has one spelling")
    prev: str | None = None
    for ch in s:
        if not _char_ok(ch, prev):
            shown = ch if ch.isprintable() and not ch.isspace() else f"U+{ord(ch):04X}"
            raise ScopeError(
                f"the scope may hold letters, digits and - _ . : / only, not {shown!r}"
            )
        prev = ch
    if any(part == "" for part in s.split("/")):
        raise ScopeError("the scope has an empty part: no leading, trailing or doubled '/'")
    return s


def normalize_scope_pattern(pattern: object) -> str:
    """A scope, or a scope followed by ``/`` meaning "every scope below it"."""
    if isinstance(pattern, str) and pattern.endswith("/") and len(pattern) > 1:
        return normalize_scope(pattern[:-1]) + "/"
    return normalize_scope(pattern)


def scope_matches(scope: str, pattern: str) -> bool:
    """Whether the (normalised) ``scope`` falls under the (normalised) ``pattern``."""
    if pattern.endswith("/"):
        return scope.startswith(pattern)
    return scope == pattern


def request_scope(request_digest: bytes) -> str:
    """A scope used for one request only: ``request/<32 hex digits of the digest>``.

    The wallet answers an unverified or unauthorised request for a registry scope in this
    scope instead: the verifier still gets a valid proof, but the pseudonym is fresh for
    every request (the digest covers the request nonce), so it links to nothing.
    """
    if not isinstance(request_digest, bytes | bytearray) or len(request_digest) < 16:
        raise ScopeError("a request scope is derived from a request digest of at least 16 bytes")
    tag = hashlib.sha256(b"zkaid/request-scope/v1" + bytes(request_digest)).hexdigest()[:32]
    return REQUEST_SCOPE_PREFIX + tag


def is_request_scope(scope: str) -> bool:
    """Whether a (normalised) scope is one the wallet made up for a single request; a
    registry must refuse to create a round under this prefix."""
    return scope.startswith(REQUEST_SCOPE_PREFIX)
