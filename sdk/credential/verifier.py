"""The verifier role: check a presentation against the request it answers and a trust list.

``verify_presentation`` returns a typed :class:`VerifiedPresentation` or raises a
:class:`~sdk.errors.VerificationError` whose ``reason`` is one of :data:`REASONS`; it
never returns a bare bool. Checks run cheapest first; no pairing runs on malformed input.
The BBS proof is decoded once (:func:`sdk.bbs.prover.parse_proof`); the predicate parts
read their m^ and the challenge from that parsed proof.

``verify_presentations`` checks many at once: every check but the pairings runs per item,
then all pairing equations go into one small-exponent batch (sdk.bbs.batch); if the batch
fails, bisection finds the bad items, which get the same reason they would get alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sdk.bbs.batch import Equation, PairingBatch, check_equations, find_failures
from sdk.bbs.ciphersuite import Ciphersuite
from sdk.bbs.prover import BbsProof, Layout, parse_proof, proof_verify_start
from sdk.credential.profile import credential_header, presentation_header, suite_of
from sdk.credential.request import ReceivedRequest, read_request
from sdk.credential.revocation import short_token
from sdk.credential.revocation_part import fold_revocation, revocation_first_round
from sdk.credential.schema import Schema
from sdk.curves import CurveBackend, get_backend
from sdk.errors import (
    CredentialError,
    EncodingError,
    InvalidProofError,
    ParameterError,
    VerificationError,
    WireError,
)
from sdk.predicates import (
    PredicateStatement,
    load_range_params,
    verify_predicate_part,
)
from sdk.reasons import VerifyReason
from sdk.trust import Freshness, TrustList
from sdk.wire import IssuerEntry, PredicateSpec, Presentation, decode
from sdk.wire.scope import request_scope

__all__ = [
    "REASONS",
    "PendingPresentation",
    "VerifiedPresentation",
    "prepare_presentation",
    "reject",
    "verify_presentation",
    "verify_presentations",
]

# The fixed list of rejection reasons, with a sentence a field worker can act on.
REASONS: dict[VerifyReason, str] = {
    VerifyReason.MALFORMED: "The code could not be read as a zkaid presentation. Ask the person to show it again.",
    VerifyReason.UNKNOWN_ISSUER: "The credential comes from an issuer this device does not know.",
    VerifyReason.ISSUER_NOT_ACCEPTED: "The credential comes from an issuer this programme does not accept.",
    VerifyReason.ISSUER_NOT_VALID: "The issuer's key is not valid at this time (revoked, expired or not yet valid).",
    VerifyReason.TRUST_LIST_EXPIRED: "The trust list has expired. Connect to sync before checking anyone.",
    VerifyReason.REQUEST_MISMATCH: "This answer belongs to another request (old or copied code). Show a new request.",
    VerifyReason.SCHEMA_MISMATCH: "The credential is of another kind than the one requested.",
    VerifyReason.UNKNOWN_SCHEMA: "The trust list does not describe this kind of credential.",
    VerifyReason.DISCLOSURE_MISMATCH: "The answer does not show exactly what was requested.",
    VerifyReason.INVALID_PROOF: "The proof is invalid: the credential was altered or is not genuine.",
    VerifyReason.UNSUPPORTED_PREDICATE: "The request asks for a condition this version cannot check.",
    VerifyReason.PREDICATE_FAILED: "A required condition (such as age or expiry) is not met.",
    VerifyReason.ALREADY_ENROLLED: "This person is already enrolled in this round.",
    VerifyReason.CARD_REVOKED: "This card has been withdrawn by the agency that issued it. Do not enroll; "
                    "send the person to a registration desk.",
    VerifyReason.CARD_REPLACED: "This card replaced a lost one and cannot be used in this round, because the lost "
                     "card may already have been. It works from the next round; a registration desk can help.",
}


def reject(reason: VerifyReason, detail: str | None = None) -> VerificationError:
    """A VerificationError with a reason from REASONS (and an optional technical detail)."""
    msg = REASONS[reason]
    return VerificationError(f"{msg} ({detail})" if detail else msg, reason=reason)


@dataclass(frozen=True)
class VerifiedPresentation:
    issuer: IssuerEntry
    schema: Schema
    disclosed: dict[str, Any]
    scope: str
    pseudonym: bytes
    request_digest: bytes
    freshness: Freshness
    predicates: tuple[tuple[str, str, tuple[int, ...]], ...] = ()
    # the card's 8-byte token in this scope (specs/revocation.md); None for cards without a handle
    revocation_token: bytes | None = None


@dataclass(frozen=True)
class PendingPresentation:
    """A presentation with every check done except the pairing equations: the BBS one
    (e(Abar, W) * e(Bbar, -BP2) == 1) and one per predicate digit. ``finish`` checks them
    alone; ``verify_presentations`` batches them across presentations."""

    result: VerifiedPresentation
    proof: BbsProof
    bbs_equation: Equation
    predicate_equations: tuple[Equation, ...]
    backend: CurveBackend

    @property
    def equations(self) -> tuple[Equation, ...]:
        return (self.bbs_equation, *self.predicate_equations)

    def failure(self) -> VerificationError:
        """The reason this presentation's pairings fail (call only when they do)."""
        if not check_equations([self.bbs_equation], self.backend):
            return reject(VerifyReason.INVALID_PROOF)
        return reject(VerifyReason.PREDICATE_FAILED, "a digit is not one the issuer signed")

    def finish(self) -> VerifiedPresentation:
        """One multi-pairing over this presentation's equations (small-exponent batch)."""
        if check_equations(self.equations, self.backend):
            return self.result
        raise self.failure()


def verify_presentation(
    presentation: bytes | Presentation, request: bytes | ReceivedRequest, trust_list: TrustList,
    *, now: int, backend: str | CurveBackend | None = None,
) -> VerifiedPresentation:
    """Verify that ``presentation`` (bytes, or already decoded) answers ``request`` under
    ``trust_list`` at time ``now``."""
    return prepare_presentation(presentation, request, trust_list, now=now, backend=backend).finish()


def verify_presentations(
    items: Sequence[tuple[bytes | Presentation, bytes | ReceivedRequest]], trust_list: TrustList,
    *, now: int, backend: str | CurveBackend | None = None,
) -> list[VerifiedPresentation | VerificationError]:
    """Verify many presentations, one result per item in order: a VerifiedPresentation or
    the VerificationError that ``verify_presentation`` would raise for it.

    The pairing equations of every item that passes the other checks are checked with one
    multi-pairing (specs/prover.md, "Batches"); if that fails, bisection names the bad
    items (about 2 log2(n) extra batch checks per bad item).
    """
    be = get_backend(backend)
    results: list[VerifiedPresentation | VerificationError] = []
    pending: dict[int, PendingPresentation] = {}
    for k, (pres, req) in enumerate(items):
        try:
            pending[k] = prepare_presentation(pres, req, trust_list, now=now, backend=be)
        except VerificationError as exc:
            results.append(exc)
            continue
        results.append(pending[k].result)

    def holds(keys: Sequence[int]) -> bool:
        batch = PairingBatch(be)
        for key in keys:
            for eq in pending[key].equations:
                batch.add(eq)
        return batch.check()

    for key in find_failures(sorted(pending), holds):
        results[key] = pending[key].failure()
    return results


def prepare_presentation(
    presentation: bytes | Presentation, request: bytes | ReceivedRequest, trust_list: TrustList,
    *, now: int, backend: str | CurveBackend | None = None,
) -> PendingPresentation:
    """Every check of ``verify_presentation`` but the pairings, cheapest first; raises
    VerificationError on the first that fails."""
    be = get_backend(backend)
    freshness = trust_list.require_usable(now)
    if isinstance(request, ReceivedRequest):
        rr = request
    else:
        try:
            rr = read_request(request, trust_list, now=now)
        except CredentialError as exc:
            raise reject(VerifyReason.REQUEST_MISMATCH, f"own request unreadable: {exc}") from exc
    req = rr.request
    if isinstance(presentation, Presentation):
        pres = presentation
    else:
        try:
            pres = decode(presentation, Presentation)
        except WireError as exc:
            raise reject(VerifyReason.MALFORMED, str(exc)) from exc
    if pres.request_digest != rr.digest:
        raise reject(VerifyReason.REQUEST_MISMATCH)
    if pres.scope is not None:  # the wallet answered in this request's one-time scope (scope_policy)
        if pres.scope != request_scope(rr.digest):
            raise reject(VerifyReason.REQUEST_MISMATCH, "the answer names a scope that is not this request's")
        rr = replace(rr, answer_scope=pres.scope)
    issuer = trust_list.issuer(pres.issuer_kid)
    if issuer is None:
        raise reject(VerifyReason.UNKNOWN_ISSUER)
    if pres.issuer_kid not in req.issuers:
        raise reject(VerifyReason.ISSUER_NOT_ACCEPTED, issuer.name)
    if not issuer.valid_at(now):
        raise reject(VerifyReason.ISSUER_NOT_VALID, issuer.name)
    if (pres.schema_id, pres.schema_version) != (req.schema_id, req.schema_version):
        raise reject(VerifyReason.SCHEMA_MISMATCH)
    ref = f"{pres.schema_id}@{pres.schema_version}"
    if ref not in issuer.schemas:
        raise reject(VerifyReason.SCHEMA_MISMATCH, f"{issuer.name} does not issue {ref}")
    sdef = trust_list.schema(pres.schema_id, pres.schema_version)
    if sdef is None:
        raise reject(VerifyReason.UNKNOWN_SCHEMA, ref)
    try:
        schema = Schema.from_def(sdef)
        wanted = sorted(schema.index(n) for n in req.disclose)
    except CredentialError as exc:
        raise reject(VerifyReason.SCHEMA_MISMATCH, str(exc)) from exc
    if sorted(pres.disclosed) != wanted:
        raise reject(VerifyReason.DISCLOSURE_MISMATCH)
    try:
        suite = suite_of(issuer.suite)
    except ParameterError as exc:
        raise reject(VerifyReason.ISSUER_NOT_VALID, f"unknown ciphersuite {issuer.suite!r}") from exc
    try:
        disclosed = {schema.attributes[i].name: schema.attributes[i].from_wire(pres.disclosed[i]) for i in wanted}
        dscalars = [schema.attributes[i].raw_to_scalar(pres.disclosed[i], suite) for i in wanted]
    except CredentialError as exc:
        raise reject(VerifyReason.MALFORMED, str(exc)) from exc
    if len(pres.predicate_proofs or ()) != len(req.predicates):
        raise reject(VerifyReason.MALFORMED, "wrong number of predicate proofs")
    # Decode the BBS proof and the pseudonym once: curve and subgroup checks on every point.
    try:
        layout = Layout.for_nym(len(schema.attributes), issuer.nym_count, wanted)
        proof = parse_proof(pres.proof, layout, pseudonym=pres.pseudonym, backend=be)
    except (EncodingError, ParameterError) as exc:
        raise reject(VerifyReason.INVALID_PROOF, str(exc)) from exc
    ph, pred_equations = _predicate_parts(pres, req.predicates, schema, proof, issuer, be)
    ph, token = _revocation_part(pres, schema, proof, rr.scope, suite, ph, be)
    header = credential_header(schema.id, schema.version, issuer.kid)
    try:
        check = proof_verify_start(
            issuer.public_key, proof, header, dscalars, context_id=rr.context_id, suite=suite
        )
    except (EncodingError, ParameterError) as exc:
        raise reject(VerifyReason.INVALID_PROOF, str(exc)) from exc
    # The Fiat-Shamir check: c covers the BBS proof, the pseudonym and every predicate's
    # first round (folded into ph), so a moved or altered part fails here.
    if not check.challenge_matches(ph):
        raise reject(VerifyReason.INVALID_PROOF)
    held = tuple((p.attribute, p.op, tuple(p.bounds)) for p in req.predicates)
    result = VerifiedPresentation(
        issuer, schema, disclosed, rr.scope, pres.pseudonym, rr.digest, freshness, held, token,
    )
    return PendingPresentation(result, proof, check.pairing_equation(), tuple(pred_equations), be)


def _revocation_part(
    pres: Presentation, schema: Schema, proof: BbsProof, scope: str, suite: Ciphersuite, ph: bytes,
    be: CurveBackend,
) -> tuple[bytes, bytes | None]:
    """A card with a revocation handle must carry its tag T (specs/revocation.md): rebuild
    T~ from the BBS m^ and c and fold T || T~ into ph; return ph and the card's token."""
    if not schema.hidden:
        if pres.revocation_tag is not None:
            raise reject(VerifyReason.MALFORMED, "a revocation tag for a card without a handle")
        return ph, None
    if pres.revocation_tag is None:
        raise reject(VerifyReason.MALFORMED, "the card's revocation tag is missing")
    index = schema.index(schema.hidden[0])
    if index not in proof.layout.undisclosed:
        raise reject(VerifyReason.DISCLOSURE_MISMATCH, "the revocation handle is never disclosed")
    try:
        first = revocation_first_round(pres.revocation_tag, proof, index, scope, suite, be)
    except EncodingError as exc:
        raise reject(VerifyReason.INVALID_PROOF, f"revocation tag: {exc}") from exc
    return fold_revocation(ph, first), short_token(pres.revocation_tag)


def _predicate_parts(
    pres: Presentation, predicates: tuple[PredicateSpec, ...], schema: Schema, proof: BbsProof,
    issuer: IssuerEntry, be: CurveBackend,
) -> tuple[bytes, list[Equation]]:
    """Rebuild each predicate's first round from its responses and the BBS proof's c and
    m^; return the presentation header that folds them in and their pairing equations."""
    if not predicates:
        return pres.request_digest, []
    if issuer.range_params is None:
        raise reject(VerifyReason.UNSUPPORTED_PREDICATE, f"{issuer.name} publishes no range parameters")
    try:
        params = load_range_params(issuer.range_params, be)
    except (EncodingError, InvalidProofError) as exc:
        raise reject(VerifyReason.UNSUPPORTED_PREDICATE, f"range parameters of {issuer.name} are invalid") from exc
    transcripts: list[bytes] = []
    equations: list[Equation] = []
    for spec, blob in zip(predicates, pres.predicate_proofs or (), strict=True):
        try:
            attr = schema.attribute(spec.attribute)
            stmt = PredicateStatement(schema.index(spec.attribute), spec.op, tuple(spec.bounds))
        except (CredentialError, ParameterError) as exc:
            raise reject(VerifyReason.UNSUPPORTED_PREDICATE, str(exc)) from exc
        if not attr.is_integer or stmt.index not in proof.layout.undisclosed:
            raise reject(VerifyReason.UNSUPPORTED_PREDICATE, spec.attribute)
        try:
            v = verify_predicate_part(stmt, blob, proof, params, be)
        except EncodingError as exc:
            raise reject(VerifyReason.MALFORMED, f"predicate proof: {exc}") from exc
        transcripts.append(v.transcript)
        equations.extend(v.equations(params, be))
    return presentation_header(pres.request_digest, transcripts), equations
