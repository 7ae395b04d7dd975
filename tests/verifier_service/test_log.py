"""The registry log through the service: every enrollment, duplicate, stored registration
match record and card revocation is an entry, tree heads are signed, and inclusion and
consistency proofs verify with sdk.log alone."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from sqlalchemy import select

from sdk.credential import Holder, WalletSeed
from sdk.linkage.encode import encode
from sdk.linkage.normalise import PersonRecord, normalise
from sdk.linkage.oprf import deal_shares, local_evaluator
from sdk.log import (
    decode_entry,
    digest,
    enrollment_entry,
    leaf_hash,
    match_entry,
    revocation_entry,
    verify_consistency,
    verify_inclusion,
    verify_tree_head,
)
from sdk.wire import Offer, decode
from sdk.wire import encode as wire_encode
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


# ------------------------------------------------ match records and card revocations

PERSON = PersonRecord(given_name="Amina", family_name="Al-Khatib", date_of_birth="1984-07-03", sex="F",
                      admin_area="north/district-2")
_SHARES: list[Any] = []


def match_record(person: PersonRecord = PERSON) -> bytes:
    """A real match record (normalise, threshold OPRF with two of three local shares, encode)."""
    if not _SHARES:
        _SHARES.append(deal_shares(2, 3)[1])
    return encode([normalise(person)], local_evaluator(_SHARES[0], 2))[0].to_bytes()


def register_checked(dep: Deployment, record: bytes) -> str:
    """Offer, registration check with ``record`` (no match), card issued: the record is stored.
    Returns the credential id."""
    made = dep.offer("registrar_a")
    r = dep.client.post("/v1/linkage/checks", json={"offer_id": made["offer_id"],
                                                    "record": base64.b64encode(record).decode()},
                        headers=dep.h("registrar_a"))
    assert r.status_code == 200 and r.json()["outcome"] == "no_match", r.text
    req, _pending = Holder(WalletSeed.generate()).start_issuance(decode(base64.b64decode(made["offer"]), Offer))
    assert dep.client.post("/v1/issue", content=wire_encode(req),
                           headers={"Content-Type": "application/cbor"}).status_code == 200
    cid: str = made["credential_id"]
    return cid


def revoke(dep: Deployment, cid: str, reason: str = "stolen") -> None:
    r = dep.client.post(f"/v1/cards/{cid}/revoke", json={"reason": reason}, headers=dep.h("registrar_a"))
    assert r.status_code == 200, r.text


def entries(dep: Deployment) -> list[bytes]:
    got = dep.client.get("/v1/log/entries", params={"start": 0, "end": 1000}, headers=dep.h("auditor_a")).json()
    return [base64.b64decode(e["entry"]) for e in got]


def test_match_records_and_revocations_are_logged_as_digests(dep: Deployment) -> None:
    c = dep.client
    assert c.post("/v1/enrollments", json={"scope": SCOPE, "pseudonym": P[0].hex()},
                  headers=dep.h("registrar_a")).status_code == 201
    rec = match_record()
    cid = register_checked(dep, rec)
    issued_at = dep.clock.now
    dep.clock.advance(60)
    revoke(dep, cid)
    got = entries(dep)
    assert [decode_entry(e).kind for e in got] == ["enrollment", "match", "revocation"]
    # the entries are exactly what a registrar who holds the record and the card id rebuilds
    assert got[1] == match_entry(rec, "agency-a", cid, issued_at).encode()
    assert got[2] == revocation_entry(cid, "agency-a", "stolen", dep.clock.now).encode()
    assert decode_entry(got[1]).digests == {"record": digest(rec), "agency": digest("agency-a"),
                                            "card": digest(cid)}
    # digests only: no record bytes, no card id, agency id or reason in clear, no revocation handle
    for data in got[1:]:
        assert rec not in data
        for clear in (cid, "agency-a", "stolen", "Amina", "Khatib", "1984"):
            assert clear.encode() not in data
    # each is provable like an enrollment
    h = head(dep)
    root = bytes.fromhex(h["root"])
    for i, data in enumerate(got):
        proof = c.get("/v1/log/inclusion", params={"leaf_hash": leaf_hash(data).hex()}, headers=dep.h("auditor_b")).json()
        assert proof["index"] == i
        verify_inclusion(i, h["size"], leaf_hash(data), hexes(proof["path"]), root)


def test_a_refused_revocation_appends_nothing(dep: Deployment) -> None:
    _h, _c, cid = dep.wallet()
    revoke(dep, cid, "lost")
    size = head(dep)["size"]
    r = dep.client.post(f"/v1/cards/{cid}/revoke", json={"reason": "lost"}, headers=dep.h("registrar_a"))
    assert r.status_code == 409
    assert head(dep)["size"] == size and [decode_entry(e).kind for e in entries(dep)] == ["revocation"]


# ------------------------------------------------ the append path at any batch size

def test_entry_bytes_are_the_sdk_encoding() -> None:
    """The service writes entries without the CBOR library (a fifth of the log's cost in a
    sync); the bytes are exactly sdk.log's, which witnesses and field devices rebuild."""
    from verifier_service.services.log import _enrollment_tail, _enrollment_template, encode_entry

    times = [0, 1, 23, 24, 255, 256, 65535, 65536, 2**32 - 1, 2**32, 1_765_000_000, 2**63 - 1, 2**64 - 1]
    for at in times:
        for scope, agency in [(SCOPE, "agency-b"), ("é" * 40, "b" * 300), ("s", "")]:
            p = P[at % len(P)]
            e = enrollment_entry(scope, p, agency, at)
            assert encode_entry(e) == e.encode()
            before, after = _enrollment_template(scope, agency)
            assert before + digest(p) + after + _enrollment_tail(at) == e.encode()
            for other in (match_entry(p, agency, None, at), match_entry(p, agency, "card-1", at),
                          revocation_entry("card-1", agency, "stolen", at)):
                assert encode_entry(other) == other.encode()
    from verifier_service.services.log import duplicate_entry

    dup = duplicate_entry(SCOPE, P[0], "agency-a", "agency-b", 7)
    assert encode_entry(dup) == dup.encode()


def test_proofs_after_mixed_batches_verify(dep: Deployment) -> None:
    """Batches of every awkward size (1, powers of two and their neighbours, crossing the
    stored node levels 4 and 8), through both append paths: every root, inclusion proof and
    consistency proof the service serves verifies per RFC 9162 §2.1.3.2 / §2.1.4.2 against a
    tree computed from the entry bytes alone."""
    from sdk.log import CompactRange, LogEntry
    from verifier_service.services import log

    sizes = [1, 1, 2, 3, 15, 16, 17, 31, 33, 64, 1, 100, 255, 257, 5, 300]
    expected: list[bytes] = []  # entry bytes, in order
    roots: dict[int, bytes] = {}
    cr = CompactRange()
    k = 0
    for n, count in enumerate(sizes):
        items = [(SCOPE if j % 3 else "other/round", P[(k + j) % len(P)] + bytes([n, j % 256]), f"agency-{j % 2}",
                  1_765_000_000 + k + j) for j in range(count)]
        more = [LogEntry("duplicate", 9 + j, {"scope": digest(str(j)), "nym": digest(b"x"), "first": digest("a"),
                                              "second": digest("b")}) for j in range(n % 3)]
        with dep.rt.store.write() as s:
            if n % 2:
                got = log.log_enrollments(s, items, now=dep.clock.now, more=more)
            else:
                got = log.append_entries(s, [enrollment_entry(*it) for it in items] + more, now=dep.clock.now)
        assert got == list(range(len(expected), len(expected) + count + len(more)))
        for it in items:
            expected.append(enrollment_entry(*it).encode())
        expected += [m.encode() for m in more]
        for data in expected[cr.size:]:
            cr.append(leaf_hash(data))
        roots[cr.size] = cr.root()
        k += count
    total = len(expected)
    with dep.rt.store.read() as s:
        assert [bytes(d) for _i, d, _h in log.entries(s, 0, total)] == expected[:1000]
        for size, root in roots.items():
            assert log.root_at(s, size) == root
            for index in {0, size // 2, size - 1, (size * 7) // 11}:
                n, leaf, path = log.inclusion(s, index, size)
                assert n == size and leaf == leaf_hash(expected[index])
                verify_inclusion(index, size, leaf, path, root)
            for first, first_root in roots.items():
                if first <= size:
                    second, proof = log.consistency(s, first, size)
                    assert second == size
                    verify_consistency(first, size, first_root, root, proof)
    assert head(dep)["size"] == total and head(dep)["root"] == roots[total].hex()
    # found by leaf hash (runs of 256 through the prefix rows, then the tail), the first of equals
    hashes = [leaf_hash(d) for d in expected]
    with dep.rt.store.read() as s:
        for i in [0, 1, 255, 256, 257, 511, 700, total - 256, total - 1]:
            assert log.index_of(s, hashes[i]) == hashes.index(hashes[i])
        assert any(hashes.index(h) != i for i, h in enumerate(hashes))  # the duplicates repeat
    r = dep.client.get("/v1/log/inclusion", params={"leaf_hash": hashes[300].hex()}, headers=dep.h("auditor_a"))
    assert r.status_code == 200 and r.json()["index"] == 300
    for gone in (hashes[300][:4] + b"\0" * 28, b"\0" * 32):  # a prefix that matches, and none
        assert dep.client.get("/v1/log/inclusion", params={"leaf_hash": gone.hex()},
                              headers=dep.h("auditor_a")).status_code == 404


def test_the_migration_fills_in_an_existing_log(tmp_path: Path, empty_db_url: str) -> None:
    """A log written before revision 0008 (leaf-hash index, no prefix rows) is found by leaf
    hash after the upgrade, complete runs from the prefix rows and the rest from the leaves."""
    from alembic import command
    from sqlalchemy import text

    from verifier_service.registry.db import Store
    from verifier_service.registry.log_models import LogLeafPrefixes
    from verifier_service.registry.migrate import alembic_config, upgrade
    from verifier_service.services import log

    store = Store(empty_db_url)
    try:
        cfg = alembic_config()
        with store.write_engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0002_log")
        datas = [enrollment_entry(SCOPE, bytes([k % 256, k // 256]), "agency-a", k).encode() for k in range(600)]
        with store.write_engine.begin() as conn:
            conn.execute(text("INSERT INTO log_leaves (idx, leaf_hash, data, created_at) VALUES (:i, :h, :d, 0)"),
                         [{"i": i, "h": leaf_hash(d), "d": d} for i, d in enumerate(datas)])
        upgrade(store)
        with store.read() as s:
            rows = s.execute(select(LogLeafPrefixes.chunk, LogLeafPrefixes.prefixes)
                             .order_by(LogLeafPrefixes.chunk)).all()
            assert [c for c, _p in rows] == [0, 1]
            assert rows[1][1] == b"".join(leaf_hash(d)[:4] for d in datas[256:512])
            for i in (0, 300, 599):
                assert log.index_of(s, leaf_hash(datas[i])) == i
    finally:
        store.dispose()


def test_a_failed_append_is_a_database_error_and_stores_nothing(dep: Deployment) -> None:
    """The leaves go to PostgreSQL by COPY outside SQLAlchemy's statements: a failure there is
    still a SQLAlchemy error (what the service maps to its answers), and the transaction rolls
    back whole."""
    import pytest
    from sqlalchemy import update
    from sqlalchemy.exc import IntegrityError

    from verifier_service.registry.log_models import LogState
    from verifier_service.services import log

    items = [(SCOPE, p, "agency-a", 5) for p in P[:3]]
    with dep.rt.store.write() as s:
        log.log_enrollments(s, items, now=5)
    with dep.rt.store.read() as s:
        size, peaks = log.state(s)
    with pytest.raises(IntegrityError), dep.rt.store.write() as s:  # a state row that forgot entry 2
        s.execute(update(LogState).values(size=2, peaks=peaks[0]))
        log.log_enrollments(s, items[:1], now=6)
    with dep.rt.store.read() as s:
        assert log.state(s) == (size, peaks)
        assert len(log.entries(s, 0, 10)) == 3
