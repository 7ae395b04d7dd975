"""The issuer role: keys, offers and BlindSignWithNym issuance.

The issuer never sees the holder's nym secrets: it checks the commitment's proof of
knowledge, adds fresh signer entropy to the last nym (or reuses the entropy it stored for
this person on re-issue, so pseudonyms survive a lost phone) and signs the household's
attributes in schema order.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sdk.bbs.keys import keygen, octets_to_secret_key, sk_to_pk
from sdk.bbs.pseudonym import blind_sign_with_nym_scalars
from sdk.bbs.utils import R
from sdk.credential.profile import credential_header, suite_of
from sdk.credential.schema import Schema
from sdk.curves import CurveBackend, get_backend
from sdk.errors import CredentialError, EncodingError, InvalidProofError, ParameterError
from sdk.predicates import DEFAULT_ELL, DEFAULT_U, generate_range_params
from sdk.reasons import CredentialReason
from sdk.trust import bbs_kid
from sdk.wire import IssuanceRequest, IssuedCredential, IssuerEntry, Offer
from sdk.wire.messages import MAX_NYMS

__all__ = ["IssuerKey", "issue", "make_offer", "new_signer_entropy"]


@dataclass(frozen=True)
class IssuerKey:
    """A BBS issuer key with its public parameters (N, suite, schemas)."""

    name: str
    secret_key: bytes = field(repr=False)
    public_key: bytes
    suite: str = "BLS12-381-SHA-256"
    nym_count: int = 1
    schemas: tuple[str, ...] = ()
    range_params: bytes | None = field(default=None, repr=False)

    @property
    def kid(self) -> bytes:
        return bbs_kid(self.public_key)

    @classmethod
    def generate(
        cls, name: str, *, schemas: tuple[str, ...] = (), nym_count: int = 1,
        suite: str = "BLS12-381-SHA-256", randbytes: Callable[[int], bytes] = os.urandom,
        backend: str | CurveBackend | None = None, range_u: int | None = DEFAULT_U,
        range_ell: int = DEFAULT_ELL,
    ) -> IssuerKey:
        """A new key; with range parameters (signatures on the digits 0..u-1) unless
        ``range_u`` is None. The range key itself is discarded once the digits are signed."""
        if not 1 <= nym_count <= MAX_NYMS:
            raise ParameterError(f"nym_count must be in 1..{MAX_NYMS}")
        sk = keygen(randbytes(32), b"zkaid issuer key", suite=suite)
        params = None
        if range_u is not None:
            x = int.from_bytes(randbytes(48), "big") % R
            params = generate_range_params(range_u, range_ell, x=x or 1, backend=backend)
        return cls(name, sk, sk_to_pk(sk, suite=suite, backend=backend), suite, nym_count, schemas, params)

    def entry(self, not_before: int, not_after: int) -> IssuerEntry:
        """This key as a trust-list issuer entry (with its range parameters)."""
        return IssuerEntry(
            self.kid, self.name, self.public_key, self.suite, self.nym_count, self.schemas,
            not_before, not_after, self.range_params,
        )


def new_signer_entropy() -> int:
    """Fresh signer_nym_entropy (§10.1 of the pseudonym draft: fresh per prover)."""
    while True:
        x = secrets.randbelow(R)
        if x:
            return x


def make_offer(
    key: IssuerKey, schema: Schema, *, token: bytes, endpoint: str, expires: int
) -> Offer:
    """An offer for one household: which key and schema, and the one-time token."""
    if schema.ref not in key.schemas:
        raise CredentialError(f"issuer key '{key.name}' does not issue {schema.ref}", reason=CredentialReason.SCHEMA_MISMATCH)
    return Offer(key.kid, schema.id, schema.version, token, endpoint, expires, key.nym_count)


def issue(
    key: IssuerKey, schema: Schema, request: IssuanceRequest, values: Mapping[str, Any], *,
    signer_entropy: int | None = None, backend: str | CurveBackend | None = None,
) -> tuple[IssuedCredential, int]:
    """BlindSignWithNym over the household's values; returns (issued message, entropy used).

    Store the returned entropy (encrypted) to re-issue the same pseudonyms later.
    Raises CredentialError (wrong key, schema, N) or InvalidProofError (bad commitment).
    """
    be = get_backend(backend)
    if request.issuer_kid != key.kid:
        raise CredentialError("the request is for another issuer key", reason=CredentialReason.WRONG_ISSUER)
    if request.nym_count != key.nym_count:
        raise CredentialError(
            f"this issuer key uses {key.nym_count} nym secret(s), the request has {request.nym_count}",
            reason=CredentialReason.NYM_COUNT_MISMATCH,
        )
    if schema.ref not in key.schemas:
        raise CredentialError(f"issuer key '{key.name}' does not issue {schema.ref}", reason=CredentialReason.SCHEMA_MISMATCH)
    # the commitment must hold exactly the N nyms (zkaid commits to nothing else)
    if len(request.commitment) != 48 + 32 * (key.nym_count + 2):
        raise CredentialError("the commitment does not match the issuer's nym count", reason=CredentialReason.NYM_COUNT_MISMATCH)
    suite = suite_of(key.suite)
    raw = schema.encode_values(schema.with_handles(values))  # handles: drawn here unless given
    scalars = schema.scalars(raw, suite)
    entropy = new_signer_entropy() if signer_entropy is None else signer_entropy
    if not 0 < entropy < R:
        raise ParameterError("signer entropy must be a scalar in 1..r-1")
    header = credential_header(schema.id, schema.version, key.kid)
    try:
        sig = blind_sign_with_nym_scalars(
            octets_to_secret_key(key.secret_key), key.public_key, request.commitment,
            key.nym_count, entropy, header, scalars, suite, be,
        )
    except EncodingError as exc:
        raise InvalidProofError(f"the wallet's commitment is malformed: {exc}", reason=CredentialReason.INVALID_COMMITMENT) from exc
    issued = IssuedCredential(key.kid, schema.id, schema.version, raw, sig, entropy.to_bytes(32, "big"))
    return issued, entropy
