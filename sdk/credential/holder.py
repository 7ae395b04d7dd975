"""The holder role (the beneficiary's wallet): request, store and present credentials.

Nothing leaves the wallet but the issuance commitment and, per presentation, the values
the person agreed to disclose, the scope pseudonym and a zero-knowledge proof.
"""

from __future__ import annotations

import time as _time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sdk.bbs.pseudonym import (
    commit_with_nym,
    proof_gen_with_nym_scalars,
    verify_finalize_with_nym_scalars,
)
from sdk.bbs.utils import RNG
from sdk.credential.profile import credential_header, suite_of
from sdk.credential.request import ReceivedRequest
from sdk.credential.schema import Schema
from sdk.credential.seed import WalletSeed
from sdk.curves import CurveBackend, get_backend
from sdk.errors import CredentialError, InvalidSignatureError
from sdk.trust import TrustList
from sdk.wire import (
    IssuanceRequest,
    IssuedCredential,
    IssuerEntry,
    Offer,
    PredicateSpec,
    Presentation,
    StoredCredential,
    encode,
)

__all__ = ["Assessment", "Credential", "Holder", "PendingIssuance"]


@dataclass(frozen=True)
class PendingIssuance:
    """What the wallet keeps between sending its request and receiving the credential."""

    offer: Offer
    prover_nyms: tuple[int, ...] = field(repr=False)
    prover_blind: int = field(repr=False)


@dataclass(frozen=True)
class Credential:
    """A stored credential with its schema: what the wallet shows as a card."""

    stored: StoredCredential = field(repr=False)
    schema: Schema

    @property
    def issuer_kid(self) -> bytes:
        return self.stored.issuer_kid

    @property
    def values(self) -> dict[str, Any]:
        return self.schema.decode_values(self.stored.values)

    @property
    def nym_secrets(self) -> list[int]:
        return [int.from_bytes(x, "big") for x in self.stored.nym_secrets]


@dataclass(frozen=True)
class Assessment:
    """What a request asks of one credential, for the consent screen; then present()."""

    request: ReceivedRequest
    credential: Credential
    issuer: IssuerEntry
    verifier_name: str | None  # verified agency name, or None when unverified
    disclose: tuple[str, ...]
    predicates: tuple[PredicateSpec, ...]

    def purpose(self, lang: str = "en") -> str:
        p = self.request.request.purpose
        return p.get(lang) or p.get("en") or next(iter(p.values()), "")


class Holder:
    """Wallet-side protocol logic over a :class:`WalletSeed` (no storage, no UI)."""

    def __init__(self, seed: WalletSeed, *, backend: str | CurveBackend | None = None) -> None:
        self._seed = seed
        self._backend = get_backend(backend)

    def __repr__(self) -> str:
        return "Holder(<seed>)"

    # -- issuance ---------------------------------------------------------------
    def start_issuance(self, offer: Offer, *, rng: RNG | None = None) -> tuple[IssuanceRequest, PendingIssuance]:
        """CommitWithNym over this wallet's nyms for the offer's issuer key."""
        nyms = self._seed.prover_nyms(offer.issuer_kid, offer.nym_count)
        cwp, blind = commit_with_nym([], nyms, suite="BLS12-381-SHA-256", backend=self._backend, rng=rng)
        req = IssuanceRequest(offer.token, offer.issuer_kid, offer.nym_count, cwp)
        return req, PendingIssuance(offer, tuple(nyms), blind)

    def finish_issuance(
        self, pending: PendingIssuance, issued: IssuedCredential, issuer: IssuerEntry, schema: Schema,
        *, now: int | None = None,
    ) -> Credential:
        """VerifyFinalizeWithNym: keep the credential only if the signature verifies."""
        offer = pending.offer
        if issued.issuer_kid != offer.issuer_kid or issuer.kid != offer.issuer_kid:
            raise CredentialError("the credential comes from another issuer than offered", reason="wrong_issuer")
        if (issued.schema_id, issued.schema_version) != (schema.id, schema.version) or (
            schema.id, schema.version) != (offer.schema_id, offer.schema_version):
            raise CredentialError("the credential has another schema than offered", reason="schema_mismatch")
        if issuer.nym_count != offer.nym_count:
            raise CredentialError("the issuer's nym count does not match the offer", reason="nym_count_mismatch")
        suite = suite_of(issuer.suite)
        schema.decode_values(issued.values)  # typed values, or CredentialError
        scalars = schema.scalars(issued.values, suite)
        entropy = int.from_bytes(issued.signer_entropy, "big")
        header = credential_header(schema.id, schema.version, issuer.kid)
        try:
            nym_secrets = verify_finalize_with_nym_scalars(
                issuer.public_key, issued.signature, header, scalars, [], list(pending.prover_nyms),
                entropy, pending.prover_blind, suite, self._backend,
            )
        except InvalidSignatureError as exc:
            raise CredentialError(
                "the credential received does not verify: it was not stored", reason="invalid_credential"
            ) from exc
        stored = StoredCredential(
            issuer.kid, schema.id, schema.version, issuer.suite, tuple(issued.values), issued.signature,
            tuple(s.to_bytes(32, "big") for s in nym_secrets), pending.prover_blind.to_bytes(32, "big"),
            issued.signer_entropy, int(_time.time()) if now is None else now,
        )
        return Credential(stored, schema)

    # -- presentation -------------------------------------------------------------
    def assess(
        self, request: ReceivedRequest, credentials: Sequence[Credential], trust_list: TrustList,
        *, now: int | None = None,
    ) -> Assessment:
        """Pick a credential that can answer the request, or say in plain words why none can."""
        req = request.request
        candidates = [
            c for c in credentials
            if c.issuer_kid in req.issuers and (c.schema.id, c.schema.version) == (req.schema_id, req.schema_version)
        ]
        if not candidates:
            raise CredentialError(
                "none of your credentials is accepted by this request (other agency or other kind of card)",
                reason="no_matching_credential",
            )
        cred = candidates[0]
        issuer = trust_list.issuer(cred.issuer_kid)
        if issuer is None:
            raise CredentialError("the issuer of your credential is not in the trust list", reason="unknown_issuer")
        for name in req.disclose:
            cred.schema.index(name)
        for p in req.predicates:
            cred.schema.index(p.attribute)
        if req.predicates:
            raise CredentialError(
                "this request asks for a condition (predicate) this wallet cannot prove yet",
                reason="unsupported_predicate",
            )
        return Assessment(
            request, cred, issuer, request.signer.name if request.signer else None,
            tuple(req.disclose), tuple(req.predicates),
        )

    def present(self, assessment: Assessment, *, rng: RNG | None = None) -> bytes:
        """ProofGenWithNym for the assessed request: the presentation bytes for the QR."""
        cred, req, issuer = assessment.credential, assessment.request, assessment.issuer
        schema = cred.schema
        suite = suite_of(issuer.suite)
        raw = cred.stored.values
        scalars = schema.scalars(raw, suite)
        disclosed = sorted(schema.index(n) for n in assessment.disclose)
        header = credential_header(schema.id, schema.version, issuer.kid)
        proof, nym = proof_gen_with_nym_scalars(
            issuer.public_key, cred.stored.signature, header, req.digest, cred.nym_secrets,
            req.context_id, scalars, [], disclosed, [], int.from_bytes(cred.stored.prover_blind, "big"),
            suite, self._backend, rng,
        )
        pres = Presentation(
            req.digest, issuer.kid, schema.id, schema.version, {i: raw[i] for i in disclosed}, nym, proof,
            None,
        )
        return encode(pres)
