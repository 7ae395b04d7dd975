"""The zkaid BBS profile: how credentials bind to schemas, keys, requests and scopes
(specs/credential-profile.md).

- Ciphersuite: BLS12-381-SHA-256 by default (the issuer entry names the suite).
- Pseudonym interface of draft-irtf-cfrg-bbs-per-verifier-linkability-02, with no
  committed messages besides the N prover nyms (N fixed per issuer key).
- header = "zkaid/credential/v1" || I2OSP(len(schema_id), 2) || schema_id
           || I2OSP(schema_version, 4) || issuer_kid
- request digest = SHA-256("zkaid/request/v1" || the request message bytes, signed or not)
- presentation header ph = the request digest, or with predicates a hash of it and of the
  predicates' first-round values (``presentation_header``)
- context_id = "zkaid/scope/v1:" || UTF-8(normalize_scope(scope))
"""

from __future__ import annotations

import hashlib

from sdk.bbs.ciphersuite import Ciphersuite, resolve_suite
from sdk.curves import CurveBackend, get_backend
from sdk.curves.hashing import i2osp
from sdk.wire.scope import normalize_scope

__all__ = [
    "check_pseudonym",
    "context_id",
    "credential_header",
    "presentation_header",
    "request_digest",
    "suite_of",
]


def credential_header(schema_id: str, schema_version: int, issuer_kid: bytes) -> bytes:
    sid = schema_id.encode("utf-8")
    return b"zkaid/credential/v1" + i2osp(len(sid), 2) + sid + i2osp(schema_version, 4) + issuer_kid


def request_digest(request_payload: bytes) -> bytes:
    return hashlib.sha256(b"zkaid/request/v1" + request_payload).digest()


def presentation_header(digest: bytes, predicate_transcripts: list[bytes]) -> bytes:
    """The BBS presentation header: the request digest alone, or, with predicates,
    SHA-256("zkaid/presentation-header/v1" || digest || (I2OSP(len(t), 4) || t)...) so
    that the BBS challenge covers every predicate's first-round values."""
    if not predicate_transcripts:
        return digest
    h = hashlib.sha256(b"zkaid/presentation-header/v1" + digest)
    for t in predicate_transcripts:
        h.update(i2osp(len(t), 4) + t)
    return h.digest()


def context_id(scope: str) -> bytes:
    """The pseudonym context id of a scope, after :func:`sdk.wire.scope.normalize_scope`
    (so NFC and NFD spellings of one round give one pseudonym); ScopeError otherwise."""
    return b"zkaid/scope/v1:" + normalize_scope(scope).encode("utf-8")


def suite_of(name: str) -> Ciphersuite:
    return resolve_suite(name)


def check_pseudonym(pseudonym: bytes, *, backend: str | CurveBackend | None = None) -> bytes:
    """A pseudonym as a registry must accept it: a 48-byte compressed G1 point on the curve,
    in the subgroup and not the identity. Returns it; raises InvalidPointError otherwise."""
    be = get_backend(backend)
    be.g1_from_bytes(bytes(pseudonym))
    return bytes(pseudonym)
