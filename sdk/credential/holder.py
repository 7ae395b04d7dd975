"""The holder role (the beneficiary's wallet): request, store and present credentials.

Nothing leaves the wallet but the issuance commitment and, per presentation, the values
the person agreed to disclose, the scope pseudonym and a zero-knowledge proof.
"""

from __future__ import annotations

import time as _time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sdk.bbs.prover import NymInputs, proof_commit
from sdk.bbs.pseudonym import commit_with_nym, verify_finalize_with_nym_scalars
from sdk.bbs.utils import RNG
from sdk.credential.profile import credential_header, presentation_header, suite_of
from sdk.credential.request import ReceivedRequest
from sdk.credential.revocation_part import RevocationProver, fold_revocation
from sdk.credential.schema import Schema
from sdk.credential.seed import WalletSeed
from sdk.curves import CurveBackend, get_backend
from sdk.errors import CredentialError, InvalidSignatureError
from sdk.predicates import PredicateProver, PredicateStatement, RangeParams, load_range_params
from sdk.reasons import CredentialReason
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
    def start_issuance(
        self, offer: Offer, issuer: IssuerEntry | None = None, *, rng: RNG | None = None
    ) -> tuple[IssuanceRequest, PendingIssuance]:
        """CommitWithNym over this wallet's nyms for the offer's issuer key.

        Pass the issuer's trust-list entry when the wallet has one: the offer is then checked
        against it (key, nym count) and the commitment uses the issuer's ciphersuite.
        """
        suite = "BLS12-381-SHA-256"
        if issuer is not None:
            if issuer.kid != offer.issuer_kid:
                raise CredentialError("the offer names another issuer key than expected", reason=CredentialReason.WRONG_ISSUER)
            if issuer.nym_count != offer.nym_count:
                raise CredentialError("the offer's nym count does not match the issuer", reason=CredentialReason.NYM_COUNT_MISMATCH)
            suite = issuer.suite
        nyms = self._seed.prover_nyms(offer.issuer_kid, offer.nym_count)
        cwp, blind = commit_with_nym([], nyms, suite=suite, backend=self._backend, rng=rng)
        req = IssuanceRequest(offer.token, offer.issuer_kid, offer.nym_count, cwp)
        return req, PendingIssuance(offer, tuple(nyms), blind)

    def finish_issuance(
        self, pending: PendingIssuance, issued: IssuedCredential, issuer: IssuerEntry, schema: Schema,
        *, now: int | None = None,
    ) -> Credential:
        """VerifyFinalizeWithNym: keep the credential only if the signature verifies."""
        offer = pending.offer
        if issued.issuer_kid != offer.issuer_kid or issuer.kid != offer.issuer_kid:
            raise CredentialError("the credential comes from another issuer than offered", reason=CredentialReason.WRONG_ISSUER)
        if (issued.schema_id, issued.schema_version) != (schema.id, schema.version) or (
            schema.id, schema.version) != (offer.schema_id, offer.schema_version):
            raise CredentialError("the credential has another schema than offered", reason=CredentialReason.SCHEMA_MISMATCH)
        if issuer.nym_count != offer.nym_count:
            raise CredentialError("the issuer's nym count does not match the offer", reason=CredentialReason.NYM_COUNT_MISMATCH)
        if schema.ref not in issuer.schemas:
            raise CredentialError("this issuer does not issue this kind of card", reason=CredentialReason.SCHEMA_MISMATCH)
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
                "the credential received does not verify: it was not stored", reason=CredentialReason.INVALID_CREDENTIAL
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
                reason=CredentialReason.NO_MATCHING_CREDENTIAL,
            )
        first_error: CredentialError | None = None
        for cred in candidates:  # the first card whose issuer is valid and that meets every condition
            try:
                issuer = self._usable_issuer(cred, trust_list, now)
                for name in req.disclose:
                    if cred.schema.attribute(name).hidden:
                        raise CredentialError(
                            "this request asks for your card's hidden revocation handle, which no "
                            "genuine agency asks for: do not answer it", reason=CredentialReason.HIDDEN_ATTRIBUTE)
                if req.predicates:
                    self._check_predicates(req.predicates, cred, issuer)
            except CredentialError as exc:
                first_error = first_error or exc
                continue
            return Assessment(
                request, cred, issuer, request.signer.name if request.signer else None,
                tuple(req.disclose), tuple(req.predicates),
            )
        assert first_error is not None
        raise first_error

    @staticmethod
    def _usable_issuer(cred: Credential, trust_list: TrustList, now: int | None) -> IssuerEntry:
        entry = trust_list.issuer(cred.issuer_kid)
        if entry is None:
            raise CredentialError("the issuer of your credential is not in the trust list", reason=CredentialReason.UNKNOWN_ISSUER)
        if now is not None and not entry.valid_at(now):
            raise CredentialError(
                "your card's issuer key is not valid today: ask the agency to renew your card",
                reason=CredentialReason.ISSUER_NOT_VALID,
            )
        return entry

    def _check_predicates(
        self, predicates: Sequence[PredicateSpec], cred: Credential, issuer: IssuerEntry
    ) -> None:
        """Refuse, in words a person can act on, any predicate the card cannot prove.
        The wallet never produces a proof it knows to be false."""
        if issuer.range_params is None:
            raise CredentialError(
                "the agency asks for a condition your card's issuer does not support",
                reason=CredentialReason.UNSUPPORTED_PREDICATE,
            )
        params = load_range_params(issuer.range_params, self._backend)
        values = cred.schema.scalars(cred.stored.values, suite_of(issuer.suite))
        for p in predicates:
            attr = cred.schema.attribute(p.attribute)
            if not attr.is_integer:
                raise CredentialError(
                    f"the condition on '{attr.label()}' cannot be proven", reason=CredentialReason.UNSUPPORTED_PREDICATE
                )
            stmt = PredicateStatement(cred.schema.index(p.attribute), p.op, tuple(p.bounds))
            m = values[stmt.index]
            if not stmt.holds(m):
                raise CredentialError(
                    f"your card does not meet the condition on '{attr.label()}'",
                    reason=CredentialReason.PREDICATE_NOT_SATISFIED,
                )
            if any(s * (m - b) > params.max_delta for s, b in stmt.sides):
                raise CredentialError(
                    f"the condition on '{attr.label()}' is too far from your card's value to prove",
                    reason=CredentialReason.PREDICATE_OUT_OF_RANGE,
                )

    def present(self, assessment: Assessment, *, rng: RNG | None = None) -> bytes:
        """ProofGenWithNym with the predicate parts attached (specs/prover.md).

        commit: the BBS pseudonym proof's first round, then each predicate's, using the BBS
        blinding of the message it is about; challenge: one hash over all first rounds
        (folded into the presentation header); respond: BBS, then each predicate.
        ``rng`` is for the reproducible vectors of specs/vectors only.
        """
        cred, req, issuer = assessment.credential, assessment.request, assessment.issuer
        schema, be = cred.schema, self._backend
        suite = suite_of(issuer.suite)
        raw = cred.stored.values
        scalars = schema.scalars(raw, suite)
        disclosed = sorted(schema.index(n) for n in assessment.disclose)
        nym = NymInputs(cred.nym_secrets, req.context_id, int.from_bytes(cred.stored.prover_blind, "big"))
        state = proof_commit(
            issuer.public_key, cred.stored.signature, credential_header(schema.id, schema.version, issuer.kid),
            scalars, disclosed, nym=nym, suite=suite, backend=be, rng=rng,
        )
        parts = [
            PredicateProver.attach(state, stmt, scalars[stmt.index], params, be, rng)
            for stmt, params in self._predicate_statements(assessment)
        ]
        ph = presentation_header(req.digest, [part.commit() for part in parts])
        revocation = None
        if schema.hidden:  # a card with a revocation handle proves T = H_s * rh (specs/revocation.md)
            h = schema.index(schema.hidden[0])
            revocation = RevocationProver.attach(state, h, scalars[h], req.scope, suite, be)
            ph = fold_revocation(ph, revocation.first_round)
        proof = state.respond(ph)
        pred_proofs = tuple(part.respond(proof.challenge) for part in parts) or None
        pres = Presentation(
            req.digest, issuer.kid, schema.id, schema.version, {i: raw[i] for i in disclosed},
            proof.pseudonym_octets(), proof.to_octets(), pred_proofs,
            revocation.tag if revocation is not None else None, req.answer_scope,
        )
        return encode(pres)

    def _predicate_statements(self, assessment: Assessment) -> list[tuple[PredicateStatement, RangeParams]]:
        if not assessment.predicates:
            return []
        issuer, schema = assessment.issuer, assessment.credential.schema
        if issuer.range_params is None:
            raise CredentialError("the issuer publishes no range parameters", reason=CredentialReason.UNSUPPORTED_PREDICATE)
        params = load_range_params(issuer.range_params, self._backend)
        return [
            (PredicateStatement(schema.index(p.attribute), p.op, tuple(p.bounds)), params)
            for p in assessment.predicates
        ]
