"""Large sync batches: the pseudonym point checks split between this process and a helper."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import pytest

from tests.verifier_service.helpers import SCOPE, Deployment, pseudonyms
from verifier_service.services import pointcheck

N = pointcheck.PARALLEL_MIN + 10
GOOD = pseudonyms(N, seed=5)
# three ways to fail (as in test_registry's bad pseudonyms): x = 0 with the sort flag set,
# an x that is not canonical / not on the curve, and the identity
BAD = [bytes.fromhex("a0" + "00" * 47), bytes.fromhex("9" + "f" * 95), bytes.fromhex("c0" + "00" * 47)]


@pytest.fixture(autouse=True)
def _fresh_helper() -> Iterator[None]:
    pointcheck.shutdown()
    yield
    pointcheck.shutdown()


def split() -> int:
    return int(N * pointcheck.HELPER_SHARE)


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize("where", ["helper", "here", "both"])
def test_first_invalid_is_the_same_as_in_order(bad: bytes, where: str) -> None:
    points = list(GOOD)
    helper_i, here_i = 7, split() + 3
    if where in ("helper", "both"):
        points[helper_i] = bad
    if where in ("here", "both"):
        points[here_i] = bad
    expected = helper_i if where != "here" else here_i
    assert pointcheck.first_invalid(points) == expected
    assert pointcheck._scan(points) == expected


def test_a_valid_large_batch_passes_and_small_ones_stay_here(monkeypatch: pytest.MonkeyPatch) -> None:
    assert pointcheck.first_invalid(GOOD) is None
    monkeypatch.setattr(pointcheck, "_helper", lambda: pytest.fail("a small batch must not use the helper"))
    assert pointcheck.first_invalid(GOOD[:pointcheck.PARALLEL_MIN - 1]) is None
    assert pointcheck.first_invalid([*GOOD[:10], BAD[0]]) == 10


class _Broken:
    def __init__(self, at: str) -> None:
        self.at = at

    def submit(self, *args: Any) -> Any:
        if self.at == "submit":
            raise BrokenProcessPool("the helper is gone")
        return self

    def result(self) -> Any:
        raise BrokenProcessPool("the helper died")

    def shutdown(self, **kw: Any) -> None:
        pass


@pytest.mark.parametrize("at", ["submit", "result"])
def test_a_failed_helper_does_not_skip_its_part(monkeypatch: pytest.MonkeyPatch, at: str,
                                                caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(pointcheck, "_helper", lambda: _Broken(at))
    points = list(GOOD)
    points[3] = BAD[1]  # in the part the helper was to check
    assert pointcheck.first_invalid(points) == 3
    assert pointcheck.first_invalid(GOOD) is None
    assert "checking in this process" in caplog.text


def test_sync_refuses_a_large_batch_with_one_bad_point_and_stores_nothing(dep: Deployment) -> None:
    items = [{"scope": SCOPE, "pseudonym": p.hex(), "enrolled_at": dep.clock.now - 60} for p in GOOD]
    items[5]["pseudonym"] = BAD[0].hex()
    body = {"device_id": "desk-1", "scopes": [SCOPE], "cursor": 0, "enrollments": items}
    r = dep.client.post("/v1/sync", json=body, headers=dep.h("device_b"))
    assert r.status_code == 422, r.text
    assert r.json()["reason"] == "invalid_point"
    items[5]["pseudonym"] = GOOD[5].hex()
    r = dep.client.post("/v1/sync", json=body, headers=dep.h("device_b"))
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == N
