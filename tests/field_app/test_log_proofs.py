"""A field device keeps the registry log's inclusion proof of every enrollment it synced, and
the proofs lead to the registry's signed roots (issue 16), against the real service."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest

from field_app.log_proofs import LogProofStore
from sdk.log import enrollment_entry, verify_consistency, verify_inclusion, verify_tree_head
from tests.field_app.demo import Deployment, MutableClock
from tests.field_app.service_world import ServiceWorld


@pytest.fixture(scope="module")
def service(deployment: Deployment, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceWorld]:
    world = ServiceWorld(tmp_path_factory.mktemp("registry-log"), MutableClock(), backend=deployment.backend)
    yield world
    world.close()


def test_synced_enrollments_come_back_with_their_proofs(service: ServiceWorld, tmp_path: Path) -> None:
    scope = service.new_scope()
    a = service.device("agency-a", "desk-log-a", scope, data_dir=tmp_path / "a")
    assert a.sync().ok
    alice, bob = service.person(size=3), service.person(size=5)
    for person in (alice, bob):
        assert a.check(service.answer(person, a.new_request().data)).ok
    assert a.sync().accepted == 2
    proofs = LogProofStore(tmp_path / "a").load()
    assert len(proofs) == 2
    head = service.registrar.request_json("GET", "/v1/log/tree-head")
    signed = verify_tree_head(base64.b64decode(head["signed"]), bytes.fromhex(head["public_key"]))
    for p in proofs:
        # the entry is the one the device would write itself, and it is in the signed tree
        mine = enrollment_entry(p.scope, bytes.fromhex(p.pseudonym), "agency-a", p.enrolled_at).leaf_hash()
        assert mine.hex() == p.leaf_hash
        verify_inclusion(p.index, p.size, mine, [bytes.fromhex(h) for h in p.path], bytes.fromhex(p.root))
        proof = service.registrar.request_json("GET", f"/v1/log/consistency?first={p.size}&second={signed.size}")
        verify_consistency(p.size, signed.size, bytes.fromhex(p.root), signed.root,
                           [bytes.fromhex(h) for h in proof["path"]])
    # a re-sync of nothing new keeps no more proofs
    assert a.sync().ok and len(LogProofStore(tmp_path / "a").load()) == 2
