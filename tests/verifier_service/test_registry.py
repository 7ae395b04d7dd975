"""The shared registry: enrollment, batch sync with a cursor, duplicates, statistics."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.verifier_service.helpers import (
    SCOPE,
    SCOPE2,
    Clock,
    Deployment,
    make_deployment,
    pseudonyms,
)
from tests.verifier_service.test_issuance import problem
from verifier_service.registry.models import DuplicateEvent, Enrollment
from verifier_service.services import audit
from verifier_service.settings import Settings

P = pseudonyms(40)


def item(p: bytes, at: int, scope: str = SCOPE) -> dict[str, Any]:
    return {"scope": scope, "pseudonym": p.hex(), "enrolled_at": at}


def count(dep: Deployment, model: type[Any] = Enrollment) -> int:
    with dep.rt.store.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_enroll_and_conflict(dep: Deployment) -> None:
    c = dep.client
    r = c.post("/v1/enrollments", json={"scope": SCOPE, "pseudonym": P[0].hex()}, headers=dep.h("device_b"))
    assert r.status_code == 201
    assert r.json() == {"scope": SCOPE, "pseudonym": P[0].hex(), "agency": "agency-b", "enrolled_at": dep.clock.now}
    dep.clock.advance(60)
    for who in ("registrar_a", "device_b2"):
        body = problem(c.post("/v1/enrollments", json={"scope": SCOPE, "pseudonym": P[0].hex().upper()},
                              headers=dep.h(who)), 409, "already_enrolled")
        assert body["first_agency"] == "agency-b" and body["first_enrolled_at"] == dep.clock.now - 60
        assert body["first_agency_name"] == "Agency B"
    # the same pseudonym in another scope is another enrollment
    assert c.post("/v1/enrollments", json={"scope": SCOPE2, "pseudonym": P[0].hex()},
                  headers=dep.h("registrar_a")).status_code == 201
    assert count(dep) == 2 and count(dep, DuplicateEvent) == 2


BAD_PSEUDONYMS = [
    ("zz" * 48, "invalid_request"),
    ("00" * 47, "invalid_request"),
    ("00" * 48, "invalid_point"),
    ("c0" + "00" * 47, "invalid_point"),  # the identity
    ("a0" + "00" * 47, "invalid_point"),
    ("9" + "f" * 95, "invalid_point"),  # not on the curve / not canonical
    (P[0].hex()[:-2] + "00", "invalid_point"),
]


def test_enroll_refuses_bad_pseudonyms(dep: Deployment) -> None:
    for pseudonym, reason in BAD_PSEUDONYMS:
        r = dep.client.post("/v1/enrollments", json={"scope": SCOPE, "pseudonym": pseudonym},
                            headers=dep.h("device_b"))
        problem(r, 422, reason)
    assert count(dep) == 0


def test_enroll_refusals(dep: Deployment) -> None:
    c = dep.client
    body = {"scope": "cva/unknown", "pseudonym": P[1].hex()}
    problem(c.post("/v1/enrollments", json=body, headers=dep.h("device_b")), 422, "unknown_scope")
    body = {"scope": SCOPE, "pseudonym": P[1].hex()}
    problem(c.post("/v1/enrollments", json=body, headers=dep.h("auditor_a")), 403, "forbidden")
    problem(c.post("/v1/enrollments", json=body), 401, "unauthorized")
    problem(c.post("/v1/enrollments", json=body, headers={"Authorization": "Bearer zk_000000000000_" + "A" * 43}),
            401, "unauthorized")
    problem(c.post("/v1/enrollments", json={"scope": "", "pseudonym": P[1].hex()}, headers=dep.h("device_b")),
            422, "invalid_request")
    assert count(dep) == 0


def test_sync_uploads_downloads_and_reports(dep: Deployment) -> None:
    c, t = dep.client, dep.clock.now
    up = c.post("/v1/sync", json={"device_id": "tablet-1", "scopes": [SCOPE], "cursor": 0,
                                  "enrollments": [item(P[0], t - 30), item(P[1], t - 20), item(P[2], t - 10, SCOPE2)]},
                headers=dep.h("device_a")).json()
    assert up["accepted"] == 3 and up["duplicates"] == [] and up["updates"] == [] and up["cursor"] >= 3
    # desk-1 of agency B: one duplicate (P[1]), one repeated within its own batch (P[3] twice)
    r = c.post("/v1/sync", json={"device_id": "desk-1", "scopes": [SCOPE, SCOPE2], "cursor": 0,
                                 "enrollments": [item(P[1], t - 5), item(P[3], t - 4), item(P[3], t - 3)]},
               headers=dep.h("device_b"))
    assert r.status_code == 200, r.text
    down = r.json()
    assert down["accepted"] == 1
    assert down["duplicates"] == [
        {"scope": SCOPE, "pseudonym": P[1].hex(), "first_agency": "agency-a", "first_enrolled_at": t - 20,
         "your_enrolled_at": t - 5},
        {"scope": SCOPE, "pseudonym": P[3].hex(), "first_agency": "agency-b", "first_enrolled_at": t - 4,
         "your_enrolled_at": t - 3},
    ]
    assert [(u["scope"], u["pseudonym"], u["agency"]) for u in down["updates"]] == [
        (SCOPE, P[0].hex(), "agency-a"), (SCOPE, P[1].hex(), "agency-a"), (SCOPE2, P[2].hex(), "agency-a")]
    # a retried upload (its answer was lost) changes nothing and reports no duplicate
    again = c.post("/v1/sync", json={"device_id": "desk-1", "scopes": [SCOPE], "cursor": down["cursor"],
                                     "enrollments": [item(P[3], t - 4)]}, headers=dep.h("device_b")).json()
    assert again["accepted"] == 0 and again["replayed"] == 1 and again["duplicates"] == []
    assert again["updates"] == []
    # both agencies see the two duplicate events; stats add up
    a = c.get("/v1/duplicates", params={"scope": SCOPE}, headers=dep.h("auditor_a")).json()
    assert [(d["first_agency"], d["second_agency"]) for d in a] == [("agency-a", "agency-b")]
    b = c.get("/v1/duplicates", headers=dep.h("device_b")).json()
    assert len(b) == 2 and c.get("/v1/duplicates", params={"scope": SCOPE2}, headers=dep.h("admin_b")).json() == []
    st = c.get(f"/v1/scopes/{SCOPE}/stats", headers=dep.h("auditor_b")).json()
    assert st == {"scope": SCOPE, "enrollments": 3, "duplicates": 2, "by_agency": {"agency-a": 2, "agency-b": 1}}
    assert c.get("/v1/scopes/cva%2F2026-12%2Fround-1/stats", headers=dep.h("auditor_b")).json() == st


def test_sync_cursor_pages_through_everything(make_settings: Callable[..., Settings], clock: Clock) -> None:
    gen: Iterator[Deployment] = make_deployment(make_settings(sync_page_size=4), clock)
    dep = next(gen)
    try:
        t = clock.now
        for k in range(0, 15, 5):
            r = dep.client.post("/v1/sync", json={"device_id": "tablet-1", "scopes": [], "cursor": 0,
                                                  "enrollments": [item(p, t) for p in P[k:k + 5]]},
                                headers=dep.h("device_a"))
            assert r.json()["accepted"] == 5
        seen: list[str] = []
        cursor = 0
        for _ in range(10):
            page = dep.client.post("/v1/sync", json={"device_id": "desk-1", "scopes": [SCOPE], "cursor": cursor},
                                   headers=dep.h("device_b")).json()
            if not page["updates"]:
                break
            assert len(page["updates"]) <= 4
            seen += [u["pseudonym"] for u in page["updates"]]
            cursor = page["cursor"]
        assert seen == [p.hex() for p in P[:15]]
        # own enrollments are not sent back, and the cursor still reaches the end
        mine = dep.client.post("/v1/sync", json={"device_id": "tablet-1", "scopes": [SCOPE], "cursor": 0},
                               headers=dep.h("device_a")).json()
        assert mine["updates"] == [] and mine["cursor"] == cursor
    finally:
        gen.close()


def test_sync_authorisation(dep: Deployment) -> None:
    c = dep.client
    body = {"device_id": "desk-1", "scopes": [SCOPE], "cursor": 0, "enrollments": [item(P[5], dep.clock.now)]}
    problem(c.post("/v1/sync", json=body, headers=dep.h("device_b2")), 403, "wrong_device")  # not itself
    problem(c.post("/v1/sync", json=body, headers=dep.h("device_a")), 403, "wrong_device")  # other agency's
    problem(c.post("/v1/sync", json={**body, "device_id": "tablet-1"}, headers=dep.h("registrar_b")),
            403, "unknown_device")  # a device of another agency
    problem(c.post("/v1/sync", json={**body, "device_id": "ghost"}, headers=dep.h("admin_b")), 403, "unknown_device")
    problem(c.post("/v1/sync", json=body, headers=dep.h("auditor_b")), 403, "forbidden")
    assert count(dep) == 0
    assert c.post("/v1/sync", json=body, headers=dep.h("registrar_b")).status_code == 200  # B's own device
    # a revoked key stops working at once
    keys = c.get("/v1/admin/api-keys", headers=dep.h("admin_b")).json()
    kid = next(k["key_id"] for k in keys if k["device_id"] == "desk-2")
    assert c.delete(f"/v1/admin/api-keys/{kid}", headers=dep.h("admin_b")).status_code == 204
    problem(c.post("/v1/sync", json={**body, "device_id": "desk-2"}, headers=dep.h("device_b2")), 401, "unauthorized")


@pytest.mark.parametrize(("bad", "status", "reason"), [
    ({"scope": "cva/unknown", "pseudonym": P[9].hex(), "enrolled_at": 1}, 422, "unknown_scope"),
    ({"scope": SCOPE, "pseudonym": "00" * 48, "enrolled_at": 1}, 422, "invalid_point"),
    ({"scope": SCOPE, "pseudonym": P[9].hex(), "enrolled_at": 4_000_000_000}, 422, "invalid_time"),
    ({"scope": SCOPE, "pseudonym": P[9].hex(), "enrolled_at": -1}, 422, "invalid_request"),
    ({"scope": SCOPE, "pseudonym": P[9].hex()}, 422, "invalid_request"),
])
def test_a_bad_item_rejects_the_whole_batch(dep: Deployment, bad: dict[str, Any], status: int, reason: str) -> None:
    t = dep.clock.now
    batch = [item(p, t) for p in P[:5]] + [bad] + [item(p, t) for p in P[10:15]]
    r = dep.client.post("/v1/sync", json={"device_id": "desk-1", "scopes": [SCOPE], "enrollments": batch},
                        headers=dep.h("device_b"))
    problem(r, status, reason)
    assert count(dep) == 0


def test_a_batch_failing_halfway_leaves_nothing(dep: Deployment, monkeypatch: pytest.MonkeyPatch) -> None:
    """The failure strikes after the enrollments and duplicate events were inserted."""
    t = dep.clock.now
    assert dep.client.post("/v1/enrollments", json={"scope": SCOPE, "pseudonym": P[0].hex()},
                           headers=dep.h("registrar_a")).status_code == 201
    real = audit.record

    def failing(session: Any, **kw: Any) -> None:
        if kw.get("action") == "sync.upload":
            session.flush()  # the rows are in the transaction now
            raise RuntimeError("disk on fire")
        real(session, **kw)

    monkeypatch.setattr(audit, "record", failing)
    body = {"device_id": "desk-1", "scopes": [SCOPE], "enrollments": [item(p, t) for p in P[:20]]}
    r = dep.client.post("/v1/sync", json=body, headers=dep.h("device_b"))
    problem(r, 500, "internal")
    assert "disk" not in r.text
    assert count(dep) == 1 and count(dep, DuplicateEvent) == 0
    monkeypatch.setattr(audit, "record", real)
    r = dep.client.post("/v1/sync", json=body, headers=dep.h("device_b"))
    assert r.json()["accepted"] == 19 and len(r.json()["duplicates"]) == 1
    assert count(dep) == 20 and count(dep, DuplicateEvent) == 1


def test_sync_limits(make_settings: Callable[..., Settings], clock: Clock) -> None:
    gen = make_deployment(make_settings(sync_max_items=10), clock)
    dep = next(gen)
    try:
        body = {"device_id": "desk-1", "scopes": [SCOPE], "enrollments": [item(p, clock.now) for p in P[:11]]}
        problem(dep.client.post("/v1/sync", json=body, headers=dep.h("device_b")), 413, "too_large")
        body["enrollments"] = body["enrollments"][:10]
        assert dep.client.post("/v1/sync", json=body, headers=dep.h("device_b")).json()["accepted"] == 10
    finally:
        gen.close()


def test_ten_thousand_distinct_enrollments(dep: Deployment) -> None:
    many = pseudonyms(10_000, seed=99)
    t = dep.clock.now
    for k, (device, key) in enumerate([("desk-1", "device_b"), ("tablet-1", "device_a")] * 3):
        chunk = many[k * 2000:(k + 1) * 2000]
        if not chunk:
            break
        r = dep.client.post("/v1/sync", json={"device_id": device, "scopes": [],
                                              "enrollments": [item(p, t) for p in chunk]}, headers=dep.h(key))
        assert r.status_code == 200, r.text
        assert r.json()["accepted"] == len(chunk)
    st = dep.client.get(f"/v1/scopes/{SCOPE}/stats", headers=dep.h("auditor_a")).json()
    assert st["enrollments"] == 10_000 and st["duplicates"] == 0
    # a third device downloads every one of them exactly once
    seen: set[str] = set()
    cursor, pages = 0, 0
    while True:
        page = dep.client.post("/v1/sync", json={"device_id": "desk-2", "scopes": [SCOPE], "cursor": cursor},
                               headers=dep.h("device_b2")).json()
        if not page["updates"]:
            break
        pages += 1
        seen.update(u["pseudonym"] for u in page["updates"])
        cursor = page["cursor"]
    assert len(seen) == 10_000 and pages == 10
    # re-uploading everything is caught as duplicates of the other device's rows
    r = dep.client.post("/v1/sync", json={"device_id": "desk-1", "scopes": [],
                                          "enrollments": [item(p, t + 1) for p in many[2000:4000]]},
                        headers=dep.h("device_b")).json()
    assert r["accepted"] == 0 and len(r["duplicates"]) == 2000


def test_scopes(dep: Deployment) -> None:
    c = dep.client
    r = c.post("/v1/admin/scopes", json={"scope": "cva/2027-02/round-3", "description": "February"},
               headers=dep.h("admin_b"))
    assert r.status_code == 201 and r.json()["created_by"] == "agency-b"
    problem(c.post("/v1/admin/scopes", json={"scope": "cva/2027-02/round-3"}, headers=dep.h("admin_a")),
            409, "scope_exists")
    problem(c.post("/v1/admin/scopes", json={"scope": "bad\nscope"}, headers=dep.h("admin_a")), 422, "invalid_request")
    problem(c.post("/v1/admin/scopes", json={"scope": " padded"}, headers=dep.h("admin_a")), 422, "invalid_scope")
    problem(c.post("/v1/admin/scopes", json={"scope": "x"}, headers=dep.h("registrar_a")), 403, "forbidden")
    names = [s["scope"] for s in c.get("/v1/scopes", headers=dep.h("device_a")).json()]
    assert names == sorted([SCOPE, SCOPE2, "cva/2027-02/round-3"])
    problem(c.get("/v1/scopes/cva/none/stats", headers=dep.h("auditor_a")), 404, "unknown_scope")
