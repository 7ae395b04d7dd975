"""Concurrency through a real uvicorn server on loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import http.client
import json
import threading
import urllib.parse
from collections import Counter
from collections.abc import Callable
from typing import Any

from sdk.credential import Holder, WalletSeed
from sdk.wire import Offer, decode, encode
from tests.verifier_service.helpers import SCOPE, Deployment, pseudonyms
from verifier_service.bootstrap import Bootstrap


def call(base: str, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> tuple[int, Any]:
    u = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        ctype = r.getheader("content-type", "")
        return r.status, json.loads(data) if "json" in ctype else data
    finally:
        conn.close()


def run_together(n: int, fn: Callable[[int], Any]) -> list[Any]:
    """Run fn(0..n-1) in n threads released at the same instant."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def worker(i: int) -> None:
        barrier.wait()
        try:
            results[i] = fn(i)
        except Exception as exc:  # noqa: BLE001 - reported through the result
            results[i] = exc

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def auth(dep: Deployment, who: str, ctype: str = "application/json") -> dict[str, str]:
    return {**dep.h(who), "Content-Type": ctype}


def test_fifty_simultaneous_enrollments_of_one_person(dep: Deployment, live: str) -> None:
    (p,) = pseudonyms(1, seed=7)
    body = json.dumps({"scope": SCOPE, "pseudonym": p.hex()}).encode()
    who = ["device_a", "device_b", "device_b2", "registrar_a", "registrar_b", "admin_a", "admin_b"]
    results = run_together(50, lambda i: call(live, "POST", "/v1/enrollments", body, auth(dep, who[i % len(who)])))
    statuses = Counter(r[0] for r in results)
    assert statuses == {201: 1, 409: 49}, results
    winner = next(r[1] for r in results if r[0] == 201)
    for status, problem in results:
        if status == 409:
            assert problem["reason"] == "already_enrolled" and problem["first_agency"] == winner["agency"]
    st = call(live, "GET", f"/v1/scopes/{SCOPE}/stats", None, dep.h("auditor_a"))[1]
    assert st["enrollments"] == 1 and st["duplicates"] == 49


def test_overlapping_concurrent_syncs_store_each_person_once(dep: Deployment, live: str) -> None:
    """Many devices sync at once after a day offline, their batches overlapping."""
    with Bootstrap(dep.rt.settings, runtime=dep.rt) as b:
        keys = []
        for i in range(12):
            b.register_device("agency-b", f"field-{i}")
            keys.append((f"field-{i}", b.create_api_key("agency-b", "field_device", device_id=f"field-{i}")))
    pool = pseudonyms(1200, seed=11)
    t = dep.clock.now

    def sync(i: int) -> tuple[int, Any]:
        device, key = keys[i]
        mine = pool[i * 80:i * 80 + 300]  # overlaps with the next devices' batches
        body = json.dumps({"device_id": device, "scopes": [SCOPE], "cursor": 0,
                           "enrollments": [{"scope": SCOPE, "pseudonym": p.hex(), "enrolled_at": t - i}
                                           for p in mine]}).encode()
        return call(live, "POST", "/v1/sync", body, {"Authorization": f"Bearer {key}",
                                                      "Content-Type": "application/json"})

    results = run_together(len(keys), sync)
    assert all(r[0] == 200 for r in results), [r for r in results if r[0] != 200][:2]
    sent = [set(pool[i * 80:i * 80 + 300]) for i in range(len(keys))]
    distinct = set().union(*sent)
    accepted = sum(r[1]["accepted"] for r in results)
    dups = sum(len(r[1]["duplicates"]) for r in results)
    assert accepted == len(distinct)
    assert dups == sum(len(s) for s in sent) - len(distinct)
    st = call(live, "GET", f"/v1/scopes/{SCOPE}/stats", None, dep.h("auditor_a"))[1]
    assert st["enrollments"] == len(distinct) and st["duplicates"] == dups


def test_a_token_used_twice_at_once_issues_once(dep: Deployment, live: str) -> None:
    made = dep.offer()
    offer = decode(base64.b64decode(made["offer"]), Offer)
    reqs = [encode(Holder(WalletSeed.generate()).start_issuance(offer)[0]) for _ in range(8)]
    results = run_together(8, lambda i: call(live, "POST", "/v1/issue", reqs[i],
                                             {"Content-Type": "application/cbor"}))
    statuses = Counter(r[0] for r in results)
    assert statuses == {200: 1, 403: 7}, results
    assert {r[1]["reason"] for r in results if r[0] == 403} == {"token_used"}
