"""Range predicates inside presentations: true ones verify, false or moved ones do not."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

import pytest

from sdk.bbs.prover import NymInputs, proof_commit
from sdk.credential import Assessment, Holder, ReceivedRequest, read_request, verify_presentation
from sdk.credential.profile import credential_header, presentation_header
from sdk.credential.schema import date_to_days
from sdk.curves import get_backend
from sdk.errors import CredentialError, EncodingError, InvalidProofError, VerificationError
from sdk.predicates import PredicateProver, PredicateStatement, load_range_params, proof_length
from sdk.wire import PredicateSpec, Presentation, decode, encode
from tests.sdk.credential.world import NOW, World, household

TODAY = dt.date(2026, 12, 1)
SIZE_GE_5 = PredicateSpec("household_size", "ge", (5,))
NOT_EXPIRED = PredicateSpec("valid_until", "ge", (date_to_days(TODAY),))
AGE_60 = PredicateSpec("head_birth_date", "le", (date_to_days(dt.date(1966, 12, 1)),))


@pytest.fixture
def world(backend: str) -> World:
    return World(backend)


def assess(world: World, holder: Holder, cred, request: bytes) -> Assessment:  # type: ignore[no-untyped-def]
    return holder.assess(read_request(request, world.trust_list, now=NOW), [cred], world.trust_list, now=NOW)


def verify(world: World, pres: bytes, request: bytes | ReceivedRequest):  # type: ignore[no-untyped-def]
    return verify_presentation(pres, request, world.trust_list, now=NOW, backend=world.backend)


def reason(world: World, pres: bytes, request: bytes | ReceivedRequest) -> str:
    with pytest.raises(VerificationError) as exc:
        verify(world, pres, request)
    return exc.value.reason


def test_true_predicates_verify(world: World) -> None:
    holder, cred, _ = world.enroll_wallet(household(6, birth=dt.date(1950, 3, 1)))
    req = world.request(predicates=(SIZE_GE_5, NOT_EXPIRED, AGE_60))
    pres = holder.present(assess(world, holder, cred, req))
    v = verify(world, pres, req)
    assert v.disclosed == {"region": "north"}
    assert [p[0] for p in v.predicates] == ["household_size", "valid_until", "head_birth_date"]
    # the hidden values are nowhere in the presentation's disclosed map
    assert set(decode(pres, Presentation).disclosed) == {world.schema.index("region")}


def test_between_and_boundaries(world: World) -> None:
    holder, cred, _ = world.enroll_wallet(household(5))
    cases = [
        (PredicateSpec("household_size", "ge", (5,)), True),  # equal to the bound
        (PredicateSpec("household_size", "le", (5,)), True),
        (PredicateSpec("household_size", "between", (5, 5)), True),
        (PredicateSpec("household_size", "ge", (0,)), True),  # bound 0
        (PredicateSpec("household_size", "le", (5 + 65535,)), True),  # largest distance u^ell - 1
        (PredicateSpec("household_size", "between", (2, 9)), True),
    ]
    for spec, _ok in cases:
        req = world.request(predicates=(spec,))
        pres = holder.present(assess(world, holder, cred, req))
        assert verify(world, pres, req).predicates[0][1] == spec.op
    with pytest.raises(CredentialError) as exc:  # one past the largest distance
        assess(world, holder, cred, world.request(predicates=(PredicateSpec("household_size", "le", (5 + 65536,)),)))
    assert exc.value.reason == "predicate_out_of_range"


def test_zero_value(world: World) -> None:
    holder, cred, _ = world.enroll_wallet(household(0))
    req = world.request(predicates=(PredicateSpec("household_size", "le", (0,)),))
    assert verify(world, holder.present(assess(world, holder, cred, req)), req)


def test_wallet_refuses_false_predicates(world: World) -> None:
    holder, cred, _ = world.enroll_wallet(household(4, valid_until=dt.date(2026, 11, 30)))
    for spec in (SIZE_GE_5, NOT_EXPIRED, PredicateSpec("household_size", "between", (5, 9))):
        with pytest.raises(CredentialError) as exc:
            assess(world, holder, cred, world.request(predicates=(spec,)))
        assert exc.value.reason == "predicate_not_satisfied"
    with pytest.raises(CredentialError) as exc:
        world.request(predicates=(PredicateSpec("region", "ge", (1,)),))
    assert exc.value.reason == "unsupported_predicate"
    with pytest.raises(CredentialError) as exc:
        world.request(disclose=("household_size",), predicates=(SIZE_GE_5,))
    assert exc.value.reason == "unsupported_predicate"


def forge(world: World, holder: Holder, assessment: Assessment, *, digits: Sequence[Sequence[int]] | None = None,
          m_override: int | None = None) -> bytes:
    """TEST-ONLY prover: Holder.present with the honesty checks removed."""
    be = get_backend(world.backend)
    cred, req, issuer = assessment.credential, assessment.request, assessment.issuer
    schema = cred.schema
    from sdk.credential.profile import suite_of

    suite = suite_of(issuer.suite)
    raw = cred.stored.values
    scalars = schema.scalars(raw, suite)
    disclosed = sorted(schema.index(n) for n in assessment.disclose)
    state = proof_commit(
        issuer.public_key, cred.stored.signature, credential_header(schema.id, schema.version, issuer.kid),
        scalars, disclosed, suite=suite, backend=be,
        nym=NymInputs(cred.nym_secrets, req.context_id, int.from_bytes(cred.stored.prover_blind, "big")),
    )
    assert issuer.range_params is not None
    params = load_range_params(issuer.range_params, be)
    provers = []
    for p in assessment.predicates:
        stmt = PredicateStatement(schema.index(p.attribute), p.op, tuple(p.bounds))
        m = scalars[stmt.index] if m_override is None else m_override
        provers.append(PredicateProver(stmt, m, state.blinding(stmt.index), params, be, unsafe_digits=digits))
    ph = presentation_header(req.digest, [pr.commit() for pr in provers])
    proof = state.respond(ph)
    return encode(Presentation(req.digest, issuer.kid, schema.id, schema.version, {i: raw[i] for i in disclosed},
                               proof.pseudonym_octets(), proof.to_octets(),
                               tuple(pr.respond(proof.challenge) for pr in provers)))


def test_forged_proofs_for_false_predicates_are_rejected(world: World) -> None:
    holder, cred, _ = world.enroll_wallet(household(4))
    req = world.request(predicates=(SIZE_GE_5,))  # 4 >= 5 is false
    rr = read_request(req, world.trust_list, now=NOW)
    entry = world.trust_list.issuer(world.issuer.kid)
    a = Assessment(rr, cred, entry, None, ("region",), (SIZE_GE_5,))  # type: ignore[arg-type]
    # honest digits of the wrapped-around delta (-1 mod 65536): the linear relation fails
    assert reason(world, forge(world, holder, a, digits=[[255, 255]]), req) == "invalid_proof"
    # digits consistent with delta = -1 mod r, but r-1 is not a signed digit: the pairing fails
    r = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
    assert reason(world, forge(world, holder, a, digits=[[r - 1, 0]]), req) == "predicate_failed"
    # the honest test-only path still verifies on a true predicate (the forge helper is sound)
    req_ok = world.request(predicates=(PredicateSpec("household_size", "ge", (3,)),))
    a_ok = dataclasses.replace(a, request=read_request(req_ok, world.trust_list, now=NOW),
                               predicates=(PredicateSpec("household_size", "ge", (3,)),))
    assert verify(world, forge(world, holder, a_ok, digits=[[1, 0]]), req_ok)
    # claiming another value than the signed one breaks the link to the BBS response
    assert reason(world, forge(world, holder, a, digits=[[0, 0]], m_override=5), req) == "invalid_proof"


def test_predicate_proof_moved_elsewhere_is_rejected(world: World) -> None:
    h1, c1, _ = world.enroll_wallet(household(6))
    h2, c2, _ = world.enroll_wallet(household(9))
    req = world.request(predicates=(SIZE_GE_5,))
    p1 = holder_present = h1.present(assess(world, h1, c1, req))
    p2 = h2.present(assess(world, h2, c2, req))
    d1, d2 = decode(p1, Presentation), decode(p2, Presentation)
    # into another presentation
    swapped = encode(dataclasses.replace(d1, predicate_proofs=d2.predicate_proofs))
    assert reason(world, swapped, req) == "invalid_proof"
    # read against another attribute or another bound (same request bytes, other statement)
    rr = read_request(req, world.trust_list, now=NOW)
    for other in (PredicateSpec("registration_date", "ge", (5,)), PredicateSpec("household_size", "ge", (4,)),
                  PredicateSpec("household_size", "le", (5,))):
        moved = ReceivedRequest(dataclasses.replace(rr.request, predicates=(other,)), rr.payload, rr.digest)
        assert reason(world, holder_present, moved) in ("invalid_proof", "malformed")


@pytest.mark.parametrize("damage", ["truncate", "extend", "identity", "big_scalar", "garbage_point", "drop"])
def test_malformed_predicate_proofs(world: World, damage: str) -> None:
    holder, cred, _ = world.enroll_wallet(household(6))
    req = world.request(predicates=(SIZE_GE_5,))
    pres = decode(holder.present(assess(world, holder, cred, req)), Presentation)
    assert pres.predicate_proofs is not None
    blob = pres.predicate_proofs[0]
    assert len(blob) == proof_length("ge", 2)
    bad: tuple[bytes, ...] | None
    if damage == "truncate":
        bad = (blob[:-1],)
    elif damage == "extend":
        bad = (blob + b"\x00",)
    elif damage == "identity":
        bad = (b"\xc0" + bytes(47) + blob[48:],)
    elif damage == "big_scalar":
        bad = (blob[:48] + b"\xff" * 32 + blob[80:],)
    elif damage == "garbage_point":
        bad = (b"\x80" + b"\x11" * 47 + blob[48:],)
    else:
        bad = None
    assert reason(world, encode(dataclasses.replace(pres, predicate_proofs=bad)), req) == "malformed"


def test_range_parameters_are_checked(world: World) -> None:
    be = get_backend(world.backend)
    assert world.issuer.range_params is not None
    params = bytearray(world.issuer.range_params)
    good = load_range_params(bytes(params), be)
    assert good.u == 256 and good.ell == 2 and good.max_delta == 65535
    # swap two digit signatures: every point is valid, but A_0 no longer signs 0
    off = 4 + 96
    a0, a1 = params[off : off + 48], params[off + 48 : off + 96]
    params[off : off + 48], params[off + 48 : off + 96] = a1, a0
    with pytest.raises(InvalidProofError):
        load_range_params(bytes(params), be)
    with pytest.raises(EncodingError):
        load_range_params(bytes(params[:-1]), be)


def test_wallet_picks_the_card_that_meets_the_conditions(world: World) -> None:
    from sdk.credential import WalletSeed

    seed = WalletSeed.generate()
    holder, expired, _ = world.enroll_wallet(household(6, valid_until=dt.date(2026, 11, 1)), seed=seed)
    _, valid, _ = world.enroll_wallet(household(6), seed=seed)
    req = world.request(predicates=(NOT_EXPIRED,))
    rr = read_request(req, world.trust_list, now=NOW)
    a = holder.assess(rr, [expired, valid], world.trust_list, now=NOW)
    assert a.credential is valid
    assert verify(world, holder.present(a), req)
    with pytest.raises(CredentialError) as exc:
        holder.assess(rr, [expired], world.trust_list, now=NOW)
    assert exc.value.reason == "predicate_not_satisfied"
