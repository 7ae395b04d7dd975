"""Blind comparison of two agencies' lists (issue 14, item 3), on SQLite and PostgreSQL.

Each agency encodes its own list (the SDK with the comparison id as context) and uploads
only match records; the service matches them once and each agency reads back only its own
rows with per-comparison pair references. The last test runs the whole thing through the
``zkaid dedup compare`` commands, three real steward instances over HTTP, and checks it
against ``zkaid dedup link`` on the same two files."""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cbor2
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from sdk.linkage import MatchRecord, compare, deal_shares, encode, link, local_evaluator, normalise
from sdk.linkage.normalise import PersonRecord
from sdk.stewards import StewardConfig, deal
from tests.verifier_service.helpers import Clock, Deployment, make_deployment
from verifier_service.bootstrap import Bootstrap, run_in_thread
from verifier_service.registry.models import AuditEvent
from verifier_service.registry.models_linkage import (
    ComparisonRecordRow,
    ComparisonResultRow,
    ComparisonRow,
    ComparisonSideRow,
)
from verifier_service.runtime import Runtime
from verifier_service.services.linkage import import_share
from verifier_service.settings import Settings
from zkaid.cli import app
from zkaid.dedup_compare import upload_body
from zkaid.persons import household_people, render

CBOR = {"Content-Type": "application/cbor"}
UPLOAD = "/v1/linkage/comparison-records"
FIELDS = ("given_name", "family_name", "date_of_birth", "sex", "admin_area", "phone")

_SHARES: list[Any] = []


def evaluator() -> Any:
    """A try-out 2-of-3 key for the whole session (the service never sees it: only records)."""
    if not _SHARES:
        _SHARES.append(deal_shares(2, 3)[1])
    return local_evaluator(_SHARES[0], 2)


def two_lists(seed: int = 7, n: int = 40, shared: int = 15) -> tuple[list[PersonRecord], list[PersonRecord]]:
    """Two lists of generated people, ``shared`` of them on both (written differently)."""
    rng = random.Random(seed)
    people = household_people(2 * n - shared, rng)
    a = [render(p, rng) for p in people[:n]]
    b = [render(p, rng) for p in people[n - shared:]]
    rng.shuffle(b)
    return [_person(r) for r in a], [_person(r) for r in b]


def _person(r: Any) -> PersonRecord:
    return PersonRecord(r.given_name, r.family_name, r.date_of_birth or None, r.sex or None,
                        r.admin_area or None, r.phone or None, None)


def records(people: list[PersonRecord], cid: str) -> list[MatchRecord]:
    return encode([normalise(p) for p in people], evaluator(), context=bytes.fromhex(cid))


def open_(dep: Deployment, who: str = "registrar_a", partner: str = "agency-b", **kw: Any) -> dict[str, Any]:
    r = dep.client.post("/v1/linkage/comparisons", json={"partner": partner, **kw}, headers=dep.h(who))
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


def put(dep: Deployment, who: str, cid: str, rows: list[tuple[int, bytes]]) -> Any:
    return dep.client.post(UPLOAD, content=upload_body(cid, rows), headers={**CBOR, **dep.h(who)})


def send(dep: Deployment, who: str, cid: str, recs: list[MatchRecord], first: int = 1) -> None:
    for i in range(0, len(recs), 16):  # several uploads per side
        r = put(dep, who, cid, [(first + i + k, rec.to_bytes()) for k, rec in enumerate(recs[i:i + 16])])
        assert r.status_code == 200, r.text


def submit(dep: Deployment, who: str, cid: str, rows: int, **kw: Any) -> Any:
    return dep.client.post(f"/v1/linkage/comparisons/{cid}/submit", json={"rows": rows, **kw}, headers=dep.h(who))


def reason(r: Any) -> str:
    return str(r.json()["reason"])


# ----------------------------------------------------------------------------- the flow

def test_two_agencies_compare_without_sharing_their_lists(dep: Deployment) -> None:
    left, right = two_lists()
    c = open_(dep)
    cid = c["id"]
    assert c["status"] == "open" and c["opened_by"] == "agency-a" and c["partner"] == "agency-b"
    ra, rb = records(left, cid), records(right, cid)
    send(dep, "registrar_a", cid, ra)
    r = submit(dep, "registrar_a", cid, len(ra))
    assert r.status_code == 200 and r.json()["status"] == "open", r.text
    r = dep.client.get(f"/v1/linkage/comparisons/{cid}/result", headers=dep.h("registrar_a"))
    assert r.status_code == 409 and reason(r) == "result_not_ready"

    # agency B finds the comparison in its list and sees A's side only as "submitted"
    listed = dep.client.get("/v1/linkage/comparisons", headers=dep.h("registrar_b")).json()["comparisons"]
    assert [x["id"] for x in listed] == [cid]
    a_side = next(s for s in listed[0]["sides"] if s["agency"] == "agency-a")
    assert a_side == {"agency": "agency-a", "submitted": True, "rows": None, "matched": None, "received": None}
    send(dep, "registrar_b", cid, rb)
    r = submit(dep, "registrar_b", cid, len(rb))
    assert r.status_code == 200 and r.json()["status"] == "matched", r.text
    with dep.rt.store.read() as s:  # the records are deleted as soon as they are matched
        assert s.scalar(select(func.count()).select_from(ComparisonRecordRow)) == 0

    got = {}
    for who in ("registrar_a", "registrar_b"):
        r = dep.client.get(f"/v1/linkage/comparisons/{cid}/result", headers=dep.h(who))
        assert r.status_code == 200, r.text
        got[who] = r.json()
    # the pairs joined by reference are exactly what link() finds on the same records
    expected = sorted((i + 1, j + 1) for i, j in link(ra, rb))
    refs_a = {m["match_ref"]: m["row"] for m in got["registrar_a"]["matches"]}
    refs_b = {m["match_ref"]: m["row"] for m in got["registrar_b"]["matches"]}
    assert set(refs_a) == set(refs_b)
    assert sorted((refs_a[k], refs_b[k]) for k in refs_a) == expected
    assert len(expected) >= 10  # most of the 15 shared people are found

    # A's answer is its own rows and opaque references: nothing of B's list
    a = got["registrar_a"]
    assert set(a) == {"comparison", "rows", "next", "matches"} and a["rows"] == len(ra) and a["next"] is None
    assert all(set(m) == {"row", "match_ref"} for m in a["matches"])
    assert {m["row"] for m in a["matches"]} <= set(range(1, len(ra) + 1))
    text = json.dumps(a)
    for p in right:
        for word in (p.given_name, p.family_name, p.phone):
            assert not word or word not in text
    assert all(len(m["match_ref"]) == 13 and m["match_ref"].startswith("M-") for m in a["matches"])

    # each side confirms receipt: its result is deleted; the comparison closes after both
    assert dep.client.delete(f"/v1/linkage/comparisons/{cid}/result", headers=dep.h("registrar_a")).status_code == 204
    r = dep.client.get(f"/v1/linkage/comparisons/{cid}/result", headers=dep.h("registrar_a"))
    assert r.status_code == 410 and reason(r) == "comparison_closed"
    with dep.rt.store.read() as s:
        left_over = s.scalars(select(ComparisonResultRow.agency_id).distinct()).all()
    assert left_over == ["agency-b"]
    assert dep.client.delete(f"/v1/linkage/comparisons/{cid}/result", headers=dep.h("registrar_b")).status_code == 204
    c = dep.client.get(f"/v1/linkage/comparisons/{cid}", headers=dep.h("registrar_b")).json()
    assert c["status"] == "closed"
    with dep.rt.store.read() as s:
        assert s.scalar(select(func.count()).select_from(ComparisonResultRow)) == 0
        events = [(e.action, json.loads(e.detail)) for e in s.scalars(select(AuditEvent))
                  if e.action.startswith("linkage.compare.")]
    actions = [a for a, _ in events]
    assert actions.count("linkage.compare.upload") == (len(ra) + 15) // 16 + (len(rb) + 15) // 16
    assert {"linkage.compare.open", "linkage.compare.submit", "linkage.compare.match", "linkage.compare.result",
            "linkage.compare.received"} <= set(actions)
    match = next(d for a, d in events if a == "linkage.compare.match")
    assert match == {"rows": [len(ra), len(rb)], "pairs": len(expected)}  # counts, never content


def test_records_of_a_comparison_match_nothing_outside_it() -> None:
    p = normalise(_person(render(household_people(1, random.Random(3))[0], random.Random(4), vary=False)))
    ev = evaluator()
    plain = encode([p], ev)[0]
    one = encode([p], ev, context=bytes(16))[0]
    other = encode([p], ev, context=bytes([1] * 16))[0]
    assert compare(one, encode([p], ev, context=bytes(16))[0]) == 1.0
    assert not set(one.keys) & set(plain.keys) and not set(one.keys) & set(other.keys)
    assert compare(one, plain) == 0.0 and compare(one, other) == 0.0


# ----------------------------------------------------------------------------- who may see it

def test_a_third_agency_cannot_see_or_touch_a_comparison(dep: Deployment) -> None:
    with Bootstrap(dep.rt.settings, runtime=dep.rt) as b:
        b.create_agency("agency-c", "Agency C")
        key_c = b.create_api_key("agency-c", "registrar")
    dep.keys["registrar_c"] = key_c
    cid = open_(dep)["id"]
    rec = records([_person(render(household_people(1, random.Random(5))[0], random.Random(6)))], cid)[0]
    send(dep, "registrar_a", cid, [rec])
    assert submit(dep, "registrar_a", cid, 1).status_code == 200
    h = dep.h("registrar_c")
    answers = [
        dep.client.get(f"/v1/linkage/comparisons/{cid}", headers=h),
        dep.client.get(f"/v1/linkage/comparisons/{cid}/result", headers=h),
        put(dep, "registrar_c", cid, [(1, rec.to_bytes())]),
        submit(dep, "registrar_c", cid, 1),
        dep.client.delete(f"/v1/linkage/comparisons/{cid}/result", headers=h),
        dep.client.delete(f"/v1/linkage/comparisons/{cid}", headers=h),
    ]
    assert [(r.status_code, reason(r)) for r in answers] == [(404, "unknown_comparison")] * len(answers)
    # the same answer as for an id that does not exist; and C's list does not show it
    r = dep.client.get(f"/v1/linkage/comparisons/{'0' * 32}", headers=h)
    assert (r.status_code, reason(r)) == (404, "unknown_comparison")
    assert dep.client.get("/v1/linkage/comparisons", headers=h).json() == {"comparisons": []}
    # an auditor or a field device of agency A may not take part either
    for who in ("auditor_a", "device_a"):
        assert dep.client.get(f"/v1/linkage/comparisons/{cid}", headers=dep.h(who)).status_code == 403
    assert dep.client.get(f"/v1/linkage/comparisons/{cid}").status_code == 401
    # B can still withdraw, which deletes what A uploaded
    assert dep.client.delete(f"/v1/linkage/comparisons/{cid}", headers=dep.h("registrar_b")).status_code == 204
    with dep.rt.store.read() as s:
        assert s.scalar(select(func.count()).select_from(ComparisonRecordRow)) == 0
    r = put(dep, "registrar_a", cid, [(2, rec.to_bytes())])
    assert (r.status_code, reason(r)) == (409, "comparison_closed")


# ----------------------------------------------------------------------------- bad input

def test_bad_comparisons_and_uploads_are_refused_with_reasons(dep: Deployment) -> None:
    c = dep.client
    h = dep.h("registrar_a")
    r = c.post("/v1/linkage/comparisons", json={"partner": "agency-a"}, headers=h)
    assert (r.status_code, reason(r)) == (422, "self_comparison")
    r = c.post("/v1/linkage/comparisons", json={"partner": "agency-z"}, headers=h)
    assert (r.status_code, reason(r)) == (404, "unknown_agency")
    r = c.post("/v1/linkage/comparisons", json={"partner": "agency-b", "threshold": 0.2}, headers=h)
    assert r.status_code == 422

    cid = open_(dep)["id"]
    good = records([_person(render(p, random.Random(9))) for p in household_people(3, random.Random(8))], cid)
    rec = good[0].to_bytes()
    r = c.post(UPLOAD, content=upload_body(cid, [(1, rec)]), headers={**h, "Content-Type": "application/json"})
    assert r.status_code == 415
    cases: list[tuple[bytes, int, str]] = [
        (b"\xff\x00not cbor", 400, "invalid_upload"),
        (cbor2.dumps({"rows": []}), 400, "invalid_upload"),
        (cbor2.dumps([2, cid, [[1, rec]]]), 400, "invalid_upload"),
        (upload_body(cid, []), 400, "no_rows"),
        (cbor2.dumps([1, cid, [[0, rec]]]), 400, "invalid_upload"),
        (cbor2.dumps([1, cid, [["1", rec]]]), 400, "invalid_upload"),
        (cbor2.dumps([1, cid, [[True, rec]]]), 400, "invalid_upload"),
        (upload_body(cid, [(1, b"\x83\x01\x80\x40")]), 400, "invalid_match_record"),
        (upload_body(cid, [(1, rec + b"\x00")]), 400, "invalid_match_record"),
        (upload_body(cid, [(1, bytes(20_000))]), 400, "invalid_match_record"),
        (upload_body(cid, [(1, rec), (1, rec)]), 400, "duplicate_row"),
        (upload_body("zz" * 16, [(1, rec)]), 404, "unknown_comparison"),
        (upload_body("ab" * 16, [(1, rec)]), 404, "unknown_comparison"),
    ]
    for body, status, why in cases:
        r = c.post(UPLOAD, content=body, headers={**CBOR, **h})
        assert (r.status_code, reason(r)) == (status, why), (body[:20], r.text)
    r = submit(dep, "registrar_a", cid, 1)
    assert (r.status_code, reason(r)) == (422, "no_rows")

    assert put(dep, "registrar_a", cid, [(1, rec), (2, good[1].to_bytes())]).status_code == 200
    r = put(dep, "registrar_a", cid, [(2, good[2].to_bytes())])
    assert (r.status_code, reason(r)) == (409, "duplicate_row")
    r = submit(dep, "registrar_a", cid, 3)  # a lost upload is caught
    assert (r.status_code, reason(r)) == (409, "row_count_mismatch") and r.json()["uploaded"] == 2
    assert submit(dep, "registrar_a", cid, 2, steward_key_id="ab" * 8).status_code == 200
    r = put(dep, "registrar_a", cid, [(3, good[2].to_bytes())])
    assert (r.status_code, reason(r)) == (409, "already_submitted")
    # B encoded with another steward key: refused before anything is matched
    assert put(dep, "registrar_b", cid, [(1, rec)]).status_code == 200
    r = submit(dep, "registrar_b", cid, 1, steward_key_id="cd" * 8)
    assert (r.status_code, reason(r)) == (409, "steward_key_mismatch") and r.json()["key_id"] == "ab" * 8
    # nothing was stored by the refused uploads
    with dep.rt.store.read() as s:
        assert s.scalar(select(func.count()).select_from(ComparisonRecordRow)) == 3


def test_sizes_rate_and_open_comparisons_are_limited(make_settings: Any, clock: Clock) -> None:
    settings = make_settings(linkage_compare_batch=4, linkage_compare_max_rows=6, linkage_compare_limit=12,
                             linkage_compare_max_open=2)
    for d in make_deployment(settings, clock):
        cid = open_(d)["id"]
        recs = [r.to_bytes() for r in records([_person(render(p, random.Random(1)))
                                               for p in household_people(7, random.Random(2))], cid)]
        r = put(d, "registrar_a", cid, [(i + 1, x) for i, x in enumerate(recs[:5])])
        assert (r.status_code, reason(r)) == (400, "too_many_rows")  # over the per-request batch
        r = d.client.post(UPLOAD, content=cbor2.dumps([1, cid, [[1, bytes(12_000)]]]),
                          headers={**CBOR, **d.h("registrar_a")})
        assert r.status_code == 413  # the body limit follows the batch size
        assert put(d, "registrar_a", cid, [(i + 1, x) for i, x in enumerate(recs[:4])]).status_code == 200
        r = put(d, "registrar_a", cid, [(i + 5, x) for i, x in enumerate(recs[4:7])])
        assert (r.status_code, reason(r)) == (422, "too_many_rows")  # over the side's limit
        open_(d)
        r = d.client.post("/v1/linkage/comparisons", json={"partner": "agency-b"}, headers=d.h("registrar_a"))
        assert (r.status_code, reason(r)) == (409, "too_many_comparisons")
        codes = [d.client.get("/v1/linkage/comparisons", headers=d.h("registrar_a")).status_code
                 for _ in range(8)]
        assert codes.count(429) >= 1 and codes[-1] == 429
        # another key is counted apart
        assert d.client.get("/v1/linkage/comparisons", headers=d.h("registrar_b")).status_code == 200


def test_a_comparison_expires_and_is_deleted(dep: Deployment) -> None:
    cid = open_(dep)["id"]
    rec = records([_person(render(household_people(1, random.Random(1))[0], random.Random(1)))], cid)[0]
    send(dep, "registrar_a", cid, [rec])
    dep.clock.advance(dep.rt.settings.linkage_compare_retention)
    r = dep.client.get(f"/v1/linkage/comparisons/{cid}", headers=dep.h("registrar_a"))
    assert (r.status_code, reason(r)) == (410, "comparison_expired")
    dep.rt.housekeeping()
    with dep.rt.store.read() as s:
        for table in (ComparisonRow, ComparisonSideRow, ComparisonRecordRow, ComparisonResultRow):
            assert s.scalar(select(func.count()).select_from(table)) == 0, table.__tablename__
        purge = [json.loads(e.detail) for e in s.scalars(select(AuditEvent)) if e.action == "linkage.compare.purge"]
    assert purge == [{"comparisons": 1}]
    r = dep.client.get(f"/v1/linkage/comparisons/{cid}", headers=dep.h("registrar_a"))
    assert (r.status_code, reason(r)) == (404, "unknown_comparison")


# ----------------------------------------------------------------------------- the commands, real stewards

@pytest.fixture
def two_agency_stewards(dep: Deployment, live: str, tmp_path: Path) -> Iterator[tuple[StewardConfig, str]]:
    """Three stewards over HTTP (the deployment's service and two more instances), a dealt
    2-of-3 key, and the same registrar keys of agencies A and B at every one of them."""
    urls, runtimes, stops = [live], [dep.rt], []
    try:
        for i in (2, 3):
            rt = Runtime.open(Settings(data_dir=tmp_path / f"steward-{i}", dev=True))
            runtimes.append(rt)
            url, stop = run_in_thread(rt.settings, runtime=rt)
            stops.append(stop)
            urls.append(url)
        config, files = deal(2, urls, names=["A", "B", "C"])
        keys: dict[str, dict[int, str]] = {"a": {1: dep.keys["registrar_a"]}, "b": {1: dep.keys["registrar_b"]}}
        for rt, f in zip(runtimes, files, strict=True):
            import_share(rt.store, rt.keyring, f.share, public_key=f.public_key, threshold=2, stewards=3,
                         now=rt.now())
            if rt is not dep.rt:
                with Bootstrap(rt.settings, runtime=rt) as b:
                    for x in ("a", "b"):
                        b.create_agency(f"agency-{x}", f"Agency {x.upper()}")
                        keys[x][f.index] = b.create_api_key(f"agency-{x}", "registrar")
        cfg = tmp_path / "stewards.json"
        cfg.write_text(config.to_json(), "utf-8")
        dep.keys["stewards_a"] = ",".join(f"{i}={k}" for i, k in keys["a"].items())
        dep.keys["stewards_b"] = ",".join(f"{i}={k}" for i, k in keys["b"].items())
        yield config, str(cfg)
    finally:
        for stop in stops:
            stop()
        for rt in runtimes[1:]:
            rt.close()


def write_list(path: Path, rows: list[Any]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(FIELDS)
        w.writerows([[getattr(r, f) for f in FIELDS] for r in rows])
    return path


def test_the_commands_find_what_dedup_link_finds(two_agency_stewards: Any, dep: Deployment, live: str,
                                                 tmp_path: Path) -> None:
    _config, cfg = two_agency_stewards
    rng = random.Random(11)
    people = household_people(50, rng)
    a_rows = [render(p, rng) for p in people[:30]]
    b_rows = [render(p, rng) for p in people[18:]]
    rng.shuffle(b_rows)
    a_rows.insert(4, type(a_rows[0])(-1, "Sara", "Haddad", "1990-01-01", "Q", "", ""))  # a malformed row: reported, left out
    left, right = write_list(tmp_path / "agency-a.csv", a_rows), write_list(tmp_path / "agency-b.csv", b_rows)
    run = CliRunner().invoke
    env = {"ZKAID_SERVICE_URL": live, "ZKAID_STEWARDS": cfg, "ZKAID_DEDUP_HOME": str(tmp_path / "tryout")}

    def as_(x: str) -> dict[str, str]:
        return {**env, "ZKAID_API_KEY": dep.keys[f"registrar_{x}"], "ZKAID_STEWARD_KEYS": dep.keys[f"stewards_{x}"]}

    res = run(app, ["dedup", "compare", "open", "--with", "agency-b"], env=as_("a"))
    assert res.exit_code == 0, res.output
    cid = res.stdout.strip().splitlines()[0]
    res = run(app, ["dedup", "compare", "result", cid, "--out", str(tmp_path / "early.csv")], env=as_("a"))
    assert res.exit_code == 3 and "waiting for your list" in res.output
    res = run(app, ["dedup", "compare", "submit", cid, str(left)], env=as_("a"))
    assert res.exit_code == 0, res.output
    assert "line 6" in res.output and "waiting for the other agency" in res.output
    res = run(app, ["dedup", "compare", "submit", cid, str(left)], env=as_("a"))
    assert res.exit_code == 2 and "already" in res.output
    res = run(app, ["dedup", "compare", "list"], env=as_("b"))
    assert res.exit_code == 0 and cid in res.stdout and "agency-a: submitted" in res.stdout
    res = run(app, ["dedup", "compare", "submit", cid, str(right)], env=as_("b"))
    assert res.exit_code == 0 and "have been matched" in res.output, res.output
    outs = {}
    for x in ("a", "b"):
        outs[x] = tmp_path / f"pairs-{x}.csv"
        res = run(app, ["dedup", "compare", "result", cid, "--out", str(outs[x])], env=as_(x))
        assert res.exit_code == 0, res.output
    a_lines = list(csv.reader(outs["a"].open(encoding="utf-8")))
    b_lines = list(csv.reader(outs["b"].open(encoding="utf-8")))
    assert a_lines[0] == ["row", "match_ref"] == b_lines[0]
    a_ref = {ref: int(row) for row, ref in a_lines[1:]}
    b_ref = {ref: int(row) for row, ref in b_lines[1:]}
    assert set(a_ref) == set(b_ref)
    blind = sorted((a_ref[k], b_ref[k]) for k in a_ref)

    # the same two files on one machine, local try-out keys
    res = run(app, ["dedup", "link", str(left), str(right), "--out", str(tmp_path / "local.csv")], env=env)
    assert res.exit_code == 0, res.output
    local = [tuple(map(int, x)) for x in list(csv.reader((tmp_path / "local.csv").open(encoding="utf-8")))[1:]]
    assert blind == sorted(local) and len(blind) >= 8
    res = run(app, ["dedup", "compare", "status", cid], env=as_("a"))
    assert res.exit_code == 0 and " closed " in res.stdout


def test_an_interrupted_submit_resumes_where_it_stopped(dep: Deployment, live: str, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import zkaid.dedup_compare as cmd

    monkeypatch.setattr(cmd, "service_evaluator", lambda *_a: evaluator())  # stewards are tested above
    rng = random.Random(21)
    rows = [render(p, rng, vary=False) for p in household_people(12, rng)]
    path = write_list(tmp_path / "list.csv", rows)
    cid = open_(dep)["id"]
    people = [_person(r) for r in rows]
    send(dep, "registrar_a", cid, records(people[:5], cid))  # the first 5 rows arrived, then the line broke
    env = {"ZKAID_SERVICE_URL": live, "ZKAID_STEWARDS": str(tmp_path / "unused.json")}
    run = CliRunner().invoke
    res = run(app, ["dedup", "compare", "submit", cid, str(path)], env={**env, "ZKAID_API_KEY": dep.keys["registrar_a"]})
    assert res.exit_code == 0 and "resuming: 5 rows" in res.output, res.output
    res = run(app, ["dedup", "compare", "submit", cid, str(path)], env={**env, "ZKAID_API_KEY": dep.keys["registrar_b"]})
    assert res.exit_code == 0 and "have been matched" in res.output, res.output
    out = tmp_path / "a.csv"
    res = run(app, ["dedup", "compare", "result", cid.upper(), "--out", str(out)],
              env={**env, "ZKAID_API_KEY": dep.keys["registrar_a"]})
    assert res.exit_code == 0, res.output
    assert [int(r) for r, _ in list(csv.reader(out.open(encoding="utf-8")))[1:]] == list(range(1, len(rows) + 1))
    res = run(app, ["dedup", "compare", "status", "not-an-id"], env={**env, "ZKAID_API_KEY": dep.keys["registrar_a"]})
    assert res.exit_code == 2 and "not a comparison id" in res.output
