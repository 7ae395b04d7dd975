"""Two service instances (two hosts, or two worker processes) on one database: each person is
enrolled exactly once, the duplicates are all recorded, and the registry log stays one dense,
consistent sequence."""

from __future__ import annotations

import base64
import json
from collections import Counter

from sdk.log import verify_tree_head
from tests.verifier_service.helpers import SCOPE, Deployment, pseudonyms
from tests.verifier_service.test_concurrency import auth, call, run_together
from verifier_service.bootstrap import run_in_thread

PEOPLE = pseudonyms(6, seed=55)


def test_exactly_once_across_two_instances(dep: Deployment, live: str) -> None:
    other, stop = run_in_thread(dep.rt.settings)  # a second service with its own engine and pool
    try:
        who = ["device_a", "device_b", "device_b2", "registrar_a", "registrar_b"]
        n = 30

        def attempt(i: int) -> tuple[int, int]:
            base = live if i % 2 else other
            p = PEOPLE[i % len(PEOPLE)]
            body = json.dumps({"scope": SCOPE, "pseudonym": p.hex()}).encode()
            status, _ = call(base, "POST", "/v1/enrollments", body, auth(dep, who[i % len(who)]))
            return i % len(PEOPLE), status

        results = run_together(n, attempt)
        assert not [r for r in results if isinstance(r, Exception)], results
        created = Counter(person for person, status in results if status == 201)
        conflicts = Counter(person for person, status in results if status == 409)
        assert created == Counter(range(len(PEOPLE))), results  # exactly one success per person
        assert sum(conflicts.values()) == n - len(PEOPLE)
        # every attempt is in the log once, whichever instance took it: 6 enrollments + 24 duplicates
        status, head = call(other, "GET", "/v1/log/tree-head", None, dep.h("auditor_a"))
        assert status == 200 and head["size"] == n
        verify_tree_head(base64.b64decode(head["signed"]), bytes.fromhex(head["public_key"]))
        status, entries = call(live, "GET", "/v1/log/entries?start=0&end=100", None, dep.h("auditor_a"))
        assert [e["index"] for e in entries] == list(range(n))
    finally:
        stop()
