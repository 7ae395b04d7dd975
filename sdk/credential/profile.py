"""The zkaid BBS profile: how credentials bind to schemas, keys, requests and scopes
(specs/credential-profile.md).

- Ciphersuite: BLS12-381-SHA-256 by default (the issuer entry names the suite).
- Pseudonym interface of draft-irtf-cfrg-bbs-per-verifier-linkability-02, with no
  committed messages besides the N prover nyms (N fixed per issuer key).
- header = "zkaid/credential/v1" || I2OSP(len(schema_id), 2) || schema_id
           || I2OSP(schema_version, 4) || issuer_kid
- presentation header ph = request digest
         = SHA-256("zkaid/request/v1" || the request message bytes as sent, or as signed)
- context_id = "zkaid/scope/v1:" || UTF-8(scope)
"""

from __future__ import annotations

import hashlib

from sdk.bbs.ciphersuite import Ciphersuite, resolve_suite
from sdk.curves.hashing import i2osp
from sdk.errors import CredentialError

__all__ = ["context_id", "credential_header", "request_digest", "suite_of"]


def credential_header(schema_id: str, schema_version: int, issuer_kid: bytes) -> bytes:
    sid = schema_id.encode("utf-8")
    return b"zkaid/credential/v1" + i2osp(len(sid), 2) + sid + i2osp(schema_version, 4) + issuer_kid


def request_digest(request_payload: bytes) -> bytes:
    return hashlib.sha256(b"zkaid/request/v1" + request_payload).digest()


def context_id(scope: str) -> bytes:
    if not scope:
        raise CredentialError("a scope is required", reason="invalid_scope")
    return b"zkaid/scope/v1:" + scope.encode("utf-8")


def suite_of(name: str) -> Ciphersuite:
    return resolve_suite(name)
