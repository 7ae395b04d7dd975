"""Single enrollments of one process are written in groups (one transaction, one commit):
exactly-once and the log must hold inside a group as across groups, and a failed group must
answer every waiting request instead of leaving it hanging. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from sdk.log import decode_entry
from tests.verifier_service.helpers import SCOPE, Deployment, pseudonyms, run_as_one_group
from verifier_service.registry.log_models import LogLeaf
from verifier_service.registry.models import DuplicateEvent, Enrollment
from verifier_service.services import log, registry
from verifier_service.services.auth import Principal
from verifier_service.services.errors import Conflict, Invalid


def _principal(dep: Deployment, agency: str) -> Principal:
    return Principal(f"test-{agency}", agency, "registrar")


def _in_one_group(dep: Deployment, calls: list[dict[str, Any]]) -> list[Any]:
    """Start every call while the process's enrollment writer is held, so that all of them
    queue and the next writer takes them as one group; returns results or exceptions."""
    group = registry._GROUPS.of(dep.rt.store)
    out: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            out[i] = registry.enroll(dep.rt.store, now=dep.clock(), **calls[i])
        except (Conflict, Invalid, OperationalError) as exc:
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    run_as_one_group(group, threads, join_timeout=60)
    return out


def test_a_group_enrolls_each_person_once_and_logs_every_attempt(dep: Deployment) -> None:
    a, b = _principal(dep, "agency-a"), _principal(dep, "agency-b")
    p = pseudonyms(3, seed=41)
    with dep.rt.store.read() as s:
        size0 = log.state(s)[0]
    calls = [dict(principal=a, scope=SCOPE, pseudonym=p[0]), dict(principal=b, scope=SCOPE, pseudonym=p[0]),
             dict(principal=a, scope=SCOPE, pseudonym=p[1]), dict(principal=b, scope="no/such-scope", pseudonym=p[2]),
             dict(principal=a, scope=SCOPE, pseudonym=p[0]), dict(principal=b, scope=SCOPE, pseudonym=p[2])]
    out = _in_one_group(dep, calls)
    assert [type(r).__name__ for r in out] == ["EnrollmentInfo", "Conflict", "EnrollmentInfo", "Invalid", "Conflict",
                                              "EnrollmentInfo"]
    assert out[1].extra["first_agency"] == "agency-a" and out[1].extra["first_agency_name"] == "Agency A"
    assert len({r.id for r in out if isinstance(r, registry.EnrollmentInfo)}) == 3
    with dep.rt.store.read() as s:
        assert s.scalar(select(func.count()).select_from(Enrollment).where(Enrollment.pseudonym.in_(p))) == 3
        assert s.scalar(select(func.count()).select_from(DuplicateEvent)
                        .where(DuplicateEvent.pseudonym == p[0])) == 2
        kinds = [decode_entry(bytes(d)).kind for d in s.scalars(select(LogLeaf.data).where(LogLeaf.idx >= size0)
                                                                 .order_by(LogLeaf.idx))]
    # one entry per attempt that reached a known scope, in arrival order
    assert kinds == ["enrollment", "duplicate", "enrollment", "duplicate", "enrollment"]


def test_a_failed_group_answers_every_request_and_stores_nothing(dep: Deployment,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_a: Any, **_k: Any) -> list[int]:
        raise OperationalError("INSERT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(log, "append_entries", broken)
    p = pseudonyms(4, seed=43)
    out = _in_one_group(dep, [dict(principal=_principal(dep, "agency-a"), scope=SCOPE, pseudonym=x) for x in p])
    assert all(isinstance(r, OperationalError) for r in out), out
    with dep.rt.store.read() as s:
        assert s.scalar(select(func.count()).select_from(Enrollment).where(Enrollment.pseudonym.in_(p))) == 0
    monkeypatch.undo()
    assert registry.enroll(dep.rt.store, now=dep.clock(), principal=_principal(dep, "agency-a"), scope=SCOPE,
                           pseudonym=p[0]).pseudonym == p[0]


def test_http_and_in_process_enrollments_wait_in_one_queue(dep: Deployment, live: str) -> None:
    """POSTs wait for their group on the event loop (no thread each), in-process callers in
    their thread; one writer takes both, and each is woken with its own answer."""
    import json

    from tests.verifier_service.test_concurrency import call

    group = registry._GROUPS.of(dep.rt.store)
    p = pseudonyms(4, seed=47)
    out: dict[int, Any] = {}

    def post(i: int, nym: bytes) -> None:
        headers = {"Authorization": f"Bearer {dep.keys['registrar_a']}", "Content-Type": "application/json"}
        out[i] = call(live, "POST", "/v1/enrollments", json.dumps({"scope": SCOPE, "pseudonym": nym.hex()}).encode(),
                      headers)[0]

    def direct() -> None:
        try:
            out[4] = registry.enroll(dep.rt.store, now=dep.clock(), principal=_principal(dep, "agency-b"),
                                     scope=SCOPE, pseudonym=p[0])
        except Conflict as exc:
            out[4] = exc

    threads = [threading.Thread(target=post, args=(i, p[i % 3])) for i in range(4)]  # p[0] twice
    threads.append(threading.Thread(target=direct))
    run_as_one_group(group, threads, join_timeout=60)
    assert out[1] == out[2] == 201
    # p[0] three times (two POSTs and the in-process call): enrolled once, whoever came first
    firsts = [out[0] == 201, out[3] == 201, isinstance(out[4], registry.EnrollmentInfo)]
    assert sum(firsts) == 1 and {out[0], out[3]} <= {201, 409}, out
    with dep.rt.store.read() as s:
        assert s.scalar(select(func.count()).select_from(Enrollment).where(Enrollment.pseudonym.in_(p))) == 3
