"""The verifier role: check a presentation against the request it answers and a trust list.

``verify_presentation`` returns a typed :class:`VerifiedPresentation` or raises a
:class:`~sdk.errors.VerificationError` whose ``reason`` is one of :data:`REASONS`; it
never returns a bare bool. Checks run cheapest first; no pairing runs on malformed input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sdk.bbs.encoding import octets_to_proof
from sdk.bbs.pseudonym import proof_verify_with_nym_scalars
from sdk.credential.profile import credential_header, presentation_header, suite_of
from sdk.credential.request import ReceivedRequest, read_request
from sdk.credential.schema import Schema
from sdk.curves import CurveBackend, get_backend
from sdk.errors import (
    CredentialError,
    EncodingError,
    InvalidProofError,
    ParameterError,
    VerificationError,
    WireError,
    ZkaidError,
)
from sdk.predicates import (
    PredicateStatement,
    RangeParams,
    batch_pairing_check,
    load_range_params,
    verify_predicate,
)
from sdk.trust import Freshness, TrustList
from sdk.wire import IssuerEntry, PredicateSpec, Presentation, decode

__all__ = ["REASONS", "VerifiedPresentation", "reject", "verify_presentation"]

# The fixed list of rejection reasons, with a sentence a field worker can act on.
REASONS: dict[str, str] = {
    "malformed": "The code could not be read as a zkaid presentation. Ask the person to show it again.",
    "unknown_issuer": "The credential comes from an issuer this device does not know.",
    "issuer_not_accepted": "The credential comes from an issuer this programme does not accept.",
    "issuer_not_valid": "The issuer's key is not valid at this time (revoked, expired or not yet valid).",
    "trust_list_expired": "The trust list has expired. Connect to sync before checking anyone.",
    "request_mismatch": "This answer belongs to another request (old or copied code). Show a new request.",
    "schema_mismatch": "The credential is of another kind than the one requested.",
    "unknown_schema": "The trust list does not describe this kind of credential.",
    "disclosure_mismatch": "The answer does not show exactly what was requested.",
    "invalid_proof": "The proof is invalid: the credential was altered or is not genuine.",
    "unsupported_predicate": "The request asks for a condition this version cannot check.",
    "predicate_failed": "A required condition (such as age or expiry) is not met.",
    "already_enrolled": "This person is already enrolled in this round.",
}


def reject(reason: str, detail: str | None = None) -> VerificationError:
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


def verify_presentation(
    presentation: bytes, request: bytes | ReceivedRequest, trust_list: TrustList, *, now: int,
    backend: str | CurveBackend | None = None,
) -> VerifiedPresentation:
    """Verify that ``presentation`` answers ``request`` under ``trust_list`` at time ``now``."""
    be = get_backend(backend)
    freshness = trust_list.require_usable(now)
    if isinstance(request, ReceivedRequest):
        rr = request
    else:
        try:
            rr = read_request(request, trust_list, now=now)
        except CredentialError as exc:
            raise reject("request_mismatch", f"own request unreadable: {exc}") from exc
    req = rr.request
    try:
        pres = decode(presentation, Presentation)
    except WireError as exc:
        raise reject("malformed", str(exc)) from exc
    if pres.request_digest != rr.digest:
        raise reject("request_mismatch")
    issuer = trust_list.issuer(pres.issuer_kid)
    if issuer is None:
        raise reject("unknown_issuer")
    if pres.issuer_kid not in req.issuers:
        raise reject("issuer_not_accepted", issuer.name)
    if not issuer.not_before <= now < issuer.not_after:
        raise reject("issuer_not_valid", issuer.name)
    if (pres.schema_id, pres.schema_version) != (req.schema_id, req.schema_version):
        raise reject("schema_mismatch")
    ref = f"{pres.schema_id}@{pres.schema_version}"
    if ref not in issuer.schemas:
        raise reject("schema_mismatch", f"{issuer.name} does not issue {ref}")
    sdef = trust_list.schema(pres.schema_id, pres.schema_version)
    if sdef is None:
        raise reject("unknown_schema", ref)
    try:
        schema = Schema.from_def(sdef)
        wanted = sorted(schema.index(n) for n in req.disclose)
    except CredentialError as exc:
        raise reject("schema_mismatch", str(exc)) from exc
    if sorted(pres.disclosed) != wanted:
        raise reject("disclosure_mismatch")
    try:
        suite = suite_of(issuer.suite)
    except ParameterError as exc:
        raise reject("issuer_not_valid", f"unknown ciphersuite {issuer.suite!r}") from exc
    try:
        disclosed = {schema.attributes[i].name: schema.attributes[i].from_wire(pres.disclosed[i]) for i in wanted}
        dscalars = [schema.attributes[i].raw_to_scalar(pres.disclosed[i], suite) for i in wanted]
    except CredentialError as exc:
        raise reject("malformed", str(exc)) from exc
    ph: bytes = rr.digest
    pairs: list[tuple[Any, Any]] = []
    params: RangeParams | None = None
    proofs = pres.predicate_proofs or ()
    if len(proofs) != len(req.predicates):
        raise reject("malformed", "wrong number of predicate proofs")
    if req.predicates:
        ph, pairs, params = _predicate_transcripts(pres, req.predicates, schema, wanted, issuer, be)
    header = credential_header(schema.id, schema.version, issuer.kid)
    try:
        ok = proof_verify_with_nym_scalars(
            issuer.public_key, pres.proof, header, ph, pres.pseudonym, rr.context_id,
            issuer.nym_count, len(schema.attributes), dscalars, [], wanted, [], suite, be,
        )
    except ZkaidError as exc:  # defensive: the core returns False on bad input
        raise reject("invalid_proof", str(exc)) from exc
    if not ok:
        raise reject("invalid_proof")
    if params is not None and not batch_pairing_check(pairs, params, be):
        raise reject("predicate_failed", "a digit is not one the issuer signed")
    held = tuple((p.attribute, p.op, tuple(p.bounds)) for p in req.predicates)
    return VerifiedPresentation(
        issuer, schema, disclosed, req.scope, pres.pseudonym, rr.digest, freshness, held,
    )


def _predicate_transcripts(
    pres: Presentation, predicates: tuple[PredicateSpec, ...], schema: Schema, disclosed: list[int],
    issuer: IssuerEntry, be: CurveBackend,
) -> tuple[bytes, list[tuple[Any, Any]], RangeParams]:
    """Rebuild each predicate's first round from its responses and the BBS proof's c and m^."""
    if issuer.range_params is None:
        raise reject("unsupported_predicate", f"{issuer.name} publishes no range parameters")
    try:
        params = load_range_params(issuer.range_params, be)
    except (EncodingError, InvalidProofError) as exc:
        raise reject("unsupported_predicate", f"range parameters of {issuer.name} are invalid") from exc
    try:
        prf = octets_to_proof(pres.proof, be)
    except EncodingError as exc:
        raise reject("malformed", str(exc)) from exc
    L = len(schema.attributes)
    undisclosed = [i for i in range(L) if i not in set(disclosed)]
    transcripts: list[bytes] = []
    pairs: list[tuple[Any, Any]] = []
    for spec, blob in zip(predicates, pres.predicate_proofs or (), strict=True):
        try:
            attr = schema.attribute(spec.attribute)
            stmt = PredicateStatement(schema.index(spec.attribute), spec.op, tuple(spec.bounds))
        except (CredentialError, ParameterError) as exc:
            raise reject("unsupported_predicate", str(exc)) from exc
        if not attr.is_integer or stmt.index not in undisclosed:
            raise reject("unsupported_predicate", spec.attribute)
        k = undisclosed.index(stmt.index)
        if k >= len(prf.m_hat):
            raise reject("malformed", "proof too short for the schema")
        try:
            v = verify_predicate(stmt, blob, prf.m_hat[k], prf.challenge, params, be)
        except EncodingError as exc:
            raise reject("malformed", f"predicate proof: {exc}") from exc
        transcripts.append(v.transcript)
        pairs.extend(v.pairs)
    return presentation_header(pres.request_digest, transcripts), pairs, params
