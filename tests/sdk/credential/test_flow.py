"""The credential flow as a story: issuance, presentations, deduplication, recovery."""

from __future__ import annotations

import pytest

from sdk.credential import (
    AlreadyEnrolled,
    Holder,
    MemoryLedger,
    WalletSeed,
    read_request,
    verify_presentation,
)
from tests.sdk.credential.world import NOW, World, household


def present(world: World, holder: Holder, cred, request: bytes) -> bytes:  # type: ignore[no-untyped-def]
    rr = read_request(request, world.trust_list, now=NOW)
    return holder.present(holder.assess(rr, [cred], world.trust_list, now=NOW))


def test_registrar_to_field_desk_story(backend: str) -> None:
    world = World(backend)
    ledger = MemoryLedger()

    # The registrar of agency A issues credentials to two households.
    seed1 = WalletSeed.generate()
    h1, cred1, entropy1 = world.enroll_wallet(household(6), seed=seed1)
    h2, cred2, _ = world.enroll_wallet(household(3, region="south"))
    assert cred1.values["household_size"] == 6 and cred2.values["region"] == "south"

    # Household 1 presents at agency B's desk for scope A (round 1).
    req_a1 = world.request("cva/2026-12/round-1")
    v1 = verify_presentation(present(world, h1, cred1, req_a1), req_a1, world.trust_list, now=NOW, backend=backend)
    assert v1.disclosed == {"region": "north"}
    assert v1.scope == "cva/2026-12/round-1"
    ledger.enroll(v1.scope, v1.pseudonym, agency="agency-b", at=NOW)

    # ... and again, at a new request in the same scope: the same pseudonym, caught by the ledger.
    req_a2 = world.request("cva/2026-12/round-1")
    v1b = verify_presentation(present(world, h1, cred1, req_a2), req_a2, world.trust_list, now=NOW, backend=backend)
    assert v1b.pseudonym == v1.pseudonym
    with pytest.raises(AlreadyEnrolled) as caught:
        ledger.enroll(v1b.scope, v1b.pseudonym, agency="agency-c", at=NOW + 60)
    assert caught.value.reason == "already_enrolled"
    assert caught.value.first.agency == "agency-b"

    # In scope B (the next round) the same household has an unlinkable, different pseudonym.
    req_b = world.request("cva/2027-01/round-2")
    vb = verify_presentation(present(world, h1, cred1, req_b), req_b, world.trust_list, now=NOW, backend=backend)
    assert vb.pseudonym != v1.pseudonym
    ledger.enroll(vb.scope, vb.pseudonym, agency="agency-b", at=NOW)

    # Household 2 has its own pseudonym in scope A and enrolls fine.
    req_a3 = world.request("cva/2026-12/round-1")
    v2 = verify_presentation(present(world, h2, cred2, req_a3), req_a3, world.trust_list, now=NOW, backend=backend)
    assert v2.pseudonym != v1.pseudonym
    ledger.enroll(v2.scope, v2.pseudonym, agency="agency-b", at=NOW)

    # Household 1 loses its phone: the wallet is restored from the paper recovery code and
    # the registrar re-issues with the stored signer entropy -> the same pseudonym as before.
    restored = WalletSeed.from_recovery_code(seed1.recovery_code())
    h1r, cred1r, _ = world.enroll_wallet(household(6), seed=restored, entropy=entropy1)
    req_a4 = world.request("cva/2026-12/round-1")
    v1r = verify_presentation(present(world, h1r, cred1r, req_a4), req_a4, world.trust_list, now=NOW, backend=backend)
    assert v1r.pseudonym == v1.pseudonym
    with pytest.raises(AlreadyEnrolled):
        ledger.enroll(v1r.scope, v1r.pseudonym, agency="agency-b", at=NOW)
    assert len(ledger) == 3
