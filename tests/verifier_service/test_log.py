"""The registry log through the service: every enrollment and duplicate is an entry, tree
heads are signed, and inclusion and consistency proofs verify with sdk.log alone."""

from __future__ import annotations

import base64
from typing import Any

from sdk.log import (
    decode_entry,
    enrollment_entry,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
    verify_tree_head,
)
from tests.verifier_service.helpers import SCOPE, Deployment, pseudonyms

P = pseudonyms(24, seed=9)


def head(dep: Deployment, who: str = "auditor_b") -> dict[str, Any]:
    r = dep.client.get("/v1/log/tree-head", headers=dep.h(who))
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    signed = verify_tree_head(base64.b64decode(out["signed"]), bytes.fromhex(out["public_key"]))
    assert (signed.size, signed.root.hex()) == (out["size"], out["root"])
    return out


def hexes(path: list[str]) -> list[bytes]:
    return [bytes.fromhex(p) for p in path]


def test_enrollments_and_duplicates_are_logged_and_provable(dep: Deployment) -> None:
    c = dep.client
    assert head(dep)["size"] == 0
    for p in P[:5]:
        assert c.post("/v1/enrollments", json={"scope": SCOPE, "pseudonym": p.hex()},
                      headers=dep.h("registrar_a")).status_code == 201
    h5 = head(dep)
    assert h5["size"] == 5
    at = dep.clock.now - 100
    batch = {"device_id": "desk-1", "scopes": [SCOPE], "cursor": 0,
             "enrollments": [{"scope": SCOPE, "pseudonym": p.hex(), "enrolled_at": at} for p in P[3:12]]}
    r = c.post("/v1/sync", json=batch, headers=dep.h("device_b")).json()
    assert r["accepted"] == 7 and len(r["duplicates"]) == 2
    assert r["log_indexes"] == list(range(5, 12)) and r["log_size"] == 14  # 7 enrollments, 2 duplicates
    h = head(dep)
    assert h["size"] == 14
    root = bytes.fromhex(h["root"])
    # the device rebuilds its entries and checks each is in the log it was told about
    for p, i in zip(P[5:12], r["log_indexes"], strict=True):
        mine = enrollment_entry(SCOPE, p, "agency-b", at).leaf_hash()
        proof = c.get("/v1/log/inclusion", params={"index": i, "size": 14}, headers=dep.h("device_b")).json()
        assert proof["leaf_hash"] == mine.hex()
        verify_inclusion(i, 14, mine, hexes(proof["path"]), root)
        by_hash = c.get("/v1/log/inclusion", params={"leaf_hash": mine.hex()}, headers=dep.h("device_b")).json()
        assert by_hash["index"] == i
    # the log grew without rewriting the first five entries
    proof = c.get("/v1/log/consistency", params={"first": 5, "second": 14}, headers=dep.h("auditor_a")).json()
    verify_consistency(5, 14, bytes.fromhex(h5["root"]), root, hexes(proof["path"]))
    # the entries are digests; their kinds are what happened
    got = c.get("/v1/log/entries", params={"start": 0, "end": 100}, headers=dep.h("auditor_a")).json()
    assert [e["index"] for e in got] == list(range(14))
    kinds = [decode_entry(base64.b64decode(e["entry"])).kind for e in got]
    assert kinds == ["enrollment"] * 12 + ["duplicate"] * 2
    for e in got:
        data = base64.b64decode(e["entry"])
        assert leaf_hash(data).hex() == e["leaf_hash"]
        assert not any(p in data for p in P) and b"agency-" not in data and SCOPE.encode() not in data
    # a duplicate answered online is logged as well
    r2 = c.post("/v1/enrollments", json={"scope": SCOPE, "pseudonym": P[0].hex()}, headers=dep.h("device_b"))
    assert r2.status_code == 409 and head(dep)["size"] == 15


def test_log_requests_are_checked(dep: Deployment) -> None:
    c, h = dep.client, dep.h("auditor_a")
    assert c.get("/v1/log/tree-head").status_code == 401
    assert c.get("/v1/log/inclusion", params={"index": 0}, headers=h).status_code == 404
    assert c.get("/v1/log/inclusion", headers=h).status_code == 400
    assert c.get("/v1/log/consistency", params={"first": 3}, headers=h).status_code == 422
    assert c.get("/v1/log/consistency", params={"first": 0, "second": 5}, headers=h).status_code == 404
    assert c.get("/v1/log/inclusion", params={"leaf_hash": "00" * 32}, headers=h).status_code == 404


def test_docs_work_offline(dep: Deployment) -> None:
    import re

    r = dep.client.get("/docs")
    assert r.status_code == 200
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", r.text) + re.findall(r"url: *['\"]([^'\"]+)", r.text)
    assert urls and all(u.startswith("/") for u in urls), urls  # nothing from a CDN
    for u in urls:
        assert dep.client.get(u).status_code == 200, u
