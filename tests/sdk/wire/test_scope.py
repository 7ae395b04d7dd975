"""Scope names have one spelling (sdk.wire.scope): NFC, lower case, a small character set."""

from __future__ import annotations

import re
import unicodedata

import pytest

from sdk.credential.profile import context_id
from sdk.errors import CredentialError, ScopeError
from sdk.wire.scope import (
    MAX_SCOPE_CHARS,
    is_request_scope,
    normalize_scope,
    normalize_scope_pattern,
    request_scope,
    scope_matches,
)

NFC = "cva/2026-12/région-1"
NFD = unicodedata.normalize("NFD", NFC)


def test_nfc_and_nfd_spellings_are_one_scope_and_one_context() -> None:
    assert NFC != NFD
    assert normalize_scope(NFD) == normalize_scope(NFC) == NFC
    assert context_id(NFD) == context_id(NFC)


def test_plain_scopes_are_unchanged() -> None:
    for s in ("cva/2026-12/round-1", "a", "agency_b:pilot.3", "تموين/٢٠٢٦/جولة-١"):
        assert normalize_scope(s) == s


@pytest.mark.parametrize(("bad", "says"), [
    ("", "required"),
    ("CVA/round-1", "lower case"),
    ("cva/round 1", "letters, digits"),
    ("cva/round\u200d1", "U+200D"),
    ("cva/round\t1", "U+0009"),
    ("cva/２０２６", "compatibility"),
    ("cva/ﬁnal", "compatibility"),
    ("/cva", "empty part"),
    ("cva/", "empty part"),
    ("cva//r1", "empty part"),
    ("cva/r1;drop", "letters, digits"),
    ("x" * (MAX_SCOPE_CHARS + 1), "too long"),
    ("\u0301abc", "letters, digits"),
])
def test_bad_scopes_are_refused_with_a_reason(bad: str, says: str) -> None:
    with pytest.raises(ScopeError, match=re.escape(says)) as err:
        normalize_scope(bad)
    assert err.value.reason == "invalid_scope"
    assert isinstance(err.value, CredentialError) and isinstance(err.value, ValueError)


@pytest.mark.parametrize("bad", [None, 3, b"cva/r1"])
def test_non_text_is_refused(bad: object) -> None:
    with pytest.raises(ScopeError):
        normalize_scope(bad)


def test_patterns_match_at_segment_boundaries() -> None:
    p = normalize_scope_pattern("cva/2026-12/")
    assert scope_matches("cva/2026-12/round-1", p)
    assert not scope_matches("cva/2026-120", p)
    assert not scope_matches("cva/2026-12", p)
    exact = normalize_scope_pattern("cva/2026-12/round-1")
    assert scope_matches("cva/2026-12/round-1", exact)
    assert not scope_matches("cva/2026-12/round-10", exact)
    with pytest.raises(ScopeError):
        normalize_scope_pattern("CVA/")
    with pytest.raises(ScopeError):
        normalize_scope_pattern("/")


def test_request_scopes_differ_per_request_and_are_recognisable() -> None:
    a, b = request_scope(b"\x01" * 32), request_scope(b"\x02" * 32)
    assert a != b and normalize_scope(a) == a
    assert is_request_scope(a) and not is_request_scope("cva/2026-12/round-1")
    with pytest.raises(ScopeError):
        request_scope(b"short")
