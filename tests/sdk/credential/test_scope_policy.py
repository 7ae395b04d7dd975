"""Issue 13, "any requester chooses the scope": the wallet answers in a registry scope only
to a request signed by a trust-list key allowed that scope, otherwise in a one-time scope
that links to nothing. Runs on every backend."""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest

from sdk.credential import VerifierKey, build_request, read_request, verify_presentation
from sdk.credential.request import scope_policy
from sdk.errors import TrustListError, VerificationError
from sdk.trust import TrustList, build_payload, load_trust_list, sign_trust_list
from sdk.wire import Presentation, decode, encode
from sdk.wire.scope import is_request_scope, request_scope
from tests.sdk.credential.world import DAY, NOW, World, household

SCOPE = "cva/2026-12/round-1"


def trust(world: World, scopes: tuple[str, ...] | None) -> TrustList:
    entry = dataclasses.replace(world.verifier.entry(NOW - DAY, NOW + 90 * DAY), scopes=scopes)
    payload = build_payload(sequence=1, issued_at=NOW - DAY, next_update=NOW + DAY, grace=DAY,
                            issuers=[world.issuer.entry(NOW - 30 * DAY, NOW + 365 * DAY)], verifiers=[entry],
                            schemas=[world.schema.to_def()])
    return load_trust_list(sign_trust_list(payload, world.tl_key), [world.anchor])


def answer(world: World, tl: TrustList, scope: str, *, key: VerifierKey | None) -> tuple[bytes, bytes, object]:
    holder, cred = world.holder_and_card  # type: ignore[attr-defined]
    req = build_request(verifier_id="x", scope=scope, issuers=[world.issuer.kid], schema=world.schema,
                        disclose=("region",), purpose={"en": "x"}, now=NOW, signing_key=key)
    rr = scope_policy(read_request(req, tl, now=NOW), tl)
    return req, holder.present(holder.assess(rr, [cred], tl, now=NOW)), rr


@pytest.fixture
def world(backend: str) -> World:
    w = World(backend)
    holder, cred, _ = w.enroll_wallet(household())
    w.holder_and_card = (holder, cred)  # type: ignore[attr-defined]
    return w


def test_an_allowed_signed_request_gets_the_registry_pseudonym(world: World) -> None:
    tl = trust(world, ("cva/2026-12/",))
    req, pres, rr = answer(world, tl, SCOPE, key=world.verifier)
    assert not rr.one_time  # type: ignore[attr-defined]
    v = verify_presentation(pres, req, tl, now=NOW, backend=world.backend)
    assert v.scope == SCOPE and decode(pres, Presentation).scope is None
    _req2, pres2, _ = answer(world, tl, unicodedata.normalize("NFD", SCOPE), key=world.verifier)
    assert decode(pres2, Presentation).pseudonym == v.pseudonym  # one round, one pseudonym


@pytest.mark.parametrize("case", ["unsigned", "unknown_key", "scope_not_allowed", "own_fixed_scope"])
def test_everyone_else_gets_a_one_time_pseudonym(world: World, case: str) -> None:
    tl = trust(world, ("cva/2026-12/",))
    scope, key = {
        "unsigned": (SCOPE, None),
        "unknown_key": (SCOPE, VerifierKey.generate("tracker")),
        "scope_not_allowed": ("cva/2027-01/round-1", world.verifier),
        "own_fixed_scope": ("checkpoint/bridge", world.verifier),
    }[case]
    _r, registry_pres, _ = answer(world, tl, SCOPE, key=world.verifier)
    registry_nym = decode(registry_pres, Presentation).pseudonym
    nyms = set()
    for _ in range(2):  # the same tracker, twice, at two checkpoints
        req, pres, rr = answer(world, tl, scope, key=key)
        assert rr.one_time and is_request_scope(rr.scope)  # type: ignore[attr-defined]
        p = decode(pres, Presentation)
        assert p.scope == request_scope(read_request(req, tl, now=NOW).digest)
        v = verify_presentation(pres, req, tl, now=NOW, backend=world.backend)  # still a valid proof
        assert v.scope == p.scope and v.disclosed == {"region": "north"}
        nyms.add(p.pseudonym)
    assert len(nyms) == 2 and registry_nym not in nyms  # links to nothing, not even itself


def test_lists_without_scopes_keep_the_old_behaviour(world: World) -> None:
    tl = trust(world, None)
    _req, _pres, rr = answer(world, tl, "any/scope", key=world.verifier)
    assert not rr.one_time  # type: ignore[attr-defined]


def test_a_presentation_cannot_claim_another_scope(world: World) -> None:
    tl = trust(world, ())
    req, pres, _ = answer(world, tl, SCOPE, key=world.verifier)
    p = decode(pres, Presentation)
    for forged in ("cva/2026-12/round-1", request_scope(b"\x00" * 32)):
        with pytest.raises(VerificationError) as err:
            verify_presentation(encode(dataclasses.replace(p, scope=forged)), req, tl, now=NOW, backend=world.backend)
        assert err.value.reason == "request_mismatch"


@pytest.mark.parametrize("pattern", ["CVA/", "cva//x", "cva/round 1"])
def test_a_trust_list_with_an_unnormalised_scope_is_refused(world: World, pattern: str) -> None:
    with pytest.raises(TrustListError) as err:
        trust(world, (pattern,))
    assert err.value.reason == "malformed"
