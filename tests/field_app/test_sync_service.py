"""Two desks of two agencies, offline side by side, then sync through the REAL agency
service (verifier_service, in a thread, over HTTP with sdk.client.ServiceClient).

The service is part of this repository: when it cannot be imported these tests fail (a
broken service must not pass CI), and it is never replaced by a stand-in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from field_app.service import FieldService
from sdk.credential import read_request
from tests.field_app.demo import DAY, Deployment, MutableClock, qr_images
from tests.field_app.harness import UI
from tests.field_app.service_world import ServiceWorld


@pytest.fixture(scope="module")
def service(deployment: Deployment, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceWorld]:
    world = ServiceWorld(tmp_path_factory.mktemp("registry"), MutableClock(), backend=deployment.backend)
    yield world
    world.close()


def test_offline_duplicate_across_agencies_is_reported_to_both(service: ServiceWorld, tmp_path: Path) -> None:
    scope = service.new_scope()
    a = service.device("agency-a", "desk-a1", scope, data_dir=tmp_path / "a")
    b = service.device("agency-b", "desk-b1", scope, data_dir=tmp_path / "b")
    for desk in (a, b):  # in the morning, in town: the trust list comes with the first sync
        report = desk.sync()
        assert report.ok and report.trust_list_updated, report
        assert desk.readiness().ready

    # At the distribution points, no network. Alice goes to both desks; Bob only to A.
    alice, bob = service.person(size=6), service.person(size=4, region="south")
    assert a.check(service.answer(alice, a.new_request().data)).ok
    service.clock.advance(1800)
    assert b.check(service.answer(alice, b.new_request().data)).ok  # B cannot know yet
    assert a.check(service.answer(bob, a.new_request().data)).ok

    # Back online: A syncs first, then B, then A again.
    first = a.sync()
    assert (first.ok, first.uploaded, first.accepted, first.duplicates) == (True, 2, 2, 0)
    second = b.sync()
    assert (second.ok, second.uploaded, second.accepted, second.duplicates) == (True, 1, 0, 1)
    assert second.received == 1 and second.new_conflicts == 1  # Bob arrived; Alice is a conflict
    third = a.sync()
    assert third.new_conflicts == 1  # A hears of the duplicate at its next sync

    for desk in (a, b):
        (c,) = desk.conflicts(open_only=True)
        assert (c.scope, c.first_agency, c.second_agency) == (scope, "agency-a", "agency-b")
        assert c.second_enrolled_at - c.first_enrolled_at == 1800
    assert [d.second_agency for d in service.registrar.duplicates(scope)] == ["agency-b"]

    # From now on both desks know both people.
    service.clock.advance(600)
    bob_at_b = b.check(service.answer(bob, b.new_request().data))
    assert bob_at_b.reason == "already_enrolled_elsewhere" and bob_at_b.message_args["agency"] == "agency-a"
    assert a.check(service.answer(alice, a.new_request().data)).reason == "already_enrolled_here"

    again = b.sync()  # nothing new: no duplicate reported twice
    assert again.ok and (again.uploaded, again.new_conflicts) == (0, 0)
    assert len(b.conflicts()) == 1
    a.close()
    b.close()


def test_two_devices_through_the_screens(service: ServiceWorld, tmp_path: Path,
                                         make_ui: Callable[[FieldService], UI]) -> None:
    scope = service.new_scope()
    carol = service.person()

    def desk(agency: str, device: str) -> FieldService:
        return FieldService(tmp_path / device, clock=service.clock, backend=service.backend)

    def enroll_at(svc: FieldService) -> None:
        ui = make_ui(svc)
        result = ui.scan(qr_images(service.answer(carol, svc.current_request.data)))  # type: ignore[union-attr]
        assert result.verdict == "YES"
        ui.close()

    for agency, device in (("agency-a", "ui-a1"), ("agency-b", "ui-b1")):
        svc = service.device(agency, device, scope, data_dir=tmp_path / device)
        assert svc.sync().ok  # trust list
        enroll_at(svc)  # offline: no sync in between
        service.clock.advance(900)

    def sync_on_screen(device: str) -> UI:
        ui = make_ui(desk("", device))  # the app restarted on the same device
        ui.go("sync")
        ui.press("sync_now", "sync")
        screen = ui.screen("sync")
        ui.pump(lambda: not screen.busy)
        assert screen.report.startswith("Synced at"), screen.report
        return ui

    ui_a = sync_on_screen("ui-a1")
    assert ui_a.screen("sync").conflicts == []  # first to sync: nothing wrong yet
    ui_a.close()
    ui_b = sync_on_screen("ui-b1")
    (row,) = ui_b.screen("sync").conflicts
    assert "enrolled by agency-a" in row["text"] and "again by your agency" in row["text"]
    ui_b.close()
    ui_a = sync_on_screen("ui-a1")
    (row,) = ui_a.screen("sync").conflicts
    assert "enrolled by your agency" in row["text"] and "again by agency-b" in row["text"]
    ui_a.close()


def test_registered_device_key_signs_requests_after_sync(service: ServiceWorld, tmp_path: Path) -> None:
    scope = service.new_scope()
    svc = service.device("agency-b", "desk-b9", scope, data_dir=tmp_path / "b9")
    assert svc.sync().ok
    key = svc.create_verifier_key()
    assert svc.signing_status() == "unregistered" and not svc.new_request().signed
    service.boot.register_verifier_key("agency-b", "Agency B desk 9", key.public_key, device_id="desk-b9")
    report = svc.sync()
    assert report.trust_list_updated and svc.signing_status() == "registered"
    request = svc.new_request()
    seen = read_request(request.data, service.trust_list(), now=int(service.clock()))
    assert request.signed and seen.verified and seen.signer.name == "Agency B desk 9"  # type: ignore[union-attr]
    assert svc.check(service.answer(service.person(), request.data)).ok

    service.clock.advance(9 * DAY)  # a week and more without a connection
    assert svc.readiness().state == "trust_list_expired"
    service.runtime.resign()  # what the service's auto-signer does when the list is due
    assert svc.sync().trust_list_updated and svc.readiness().ready
    svc.close()


def test_full_resync_after_a_registry_restore(service: ServiceWorld, tmp_path: Path) -> None:
    """`sync --full` re-sends every local enrollment and downloads from the start: rows the
    registry still has are replays (no duplicate invented), rows it lost are stored again."""
    scope = service.new_scope()
    a = service.device("agency-a", "desk-r1", scope, data_dir=tmp_path / "a")
    assert a.sync().ok
    people = [service.person(size=5), service.person(size=7)]
    for p in people:
        assert a.check(service.answer(p, a.new_request().data)).ok
    first = a.sync()
    assert (first.uploaded, first.accepted) == (2, 2)
    assert a.sync().uploaded == 0  # nothing pending any more
    full = a.sync(full=True)
    assert full.ok and full.uploaded == 2 and full.accepted == 0 and full.duplicates == 0 and full.new_conflicts == 0
    assert not a.conflicts()
    assert service.registrar.scope_stats(scope)["enrollments"] == 2
    a.close()
