"""Registration checks and data stewards (issue 14), on SQLite and PostgreSQL.

Match records are made with the SDK (normalise, threshold OPRF, encode); the stewards are
real service instances over HTTP where the steward side is under test."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from sdk.credential import Holder, IssuerKey, WalletSeed
from sdk.errors import EncodingError
from sdk.linkage.encode import encode
from sdk.linkage.normalise import PersonRecord, normalise
from sdk.linkage.oprf import deal_shares, local_evaluator
from sdk.stewards import (
    ShareFile,
    Steward,
    StewardAnswerError,
    StewardConfig,
    StewardEvaluator,
    TooFewStewardsError,
    deal,
)
from sdk.wire import Offer, decode
from sdk.wire import encode as wire_encode
from tests.verifier_service.helpers import (
    HOUSEHOLD,
    Clock,
    Deployment,
    make_deployment,
    settings_for,
)
from verifier_service.bootstrap import Bootstrap, run_in_thread
from verifier_service.registry.models import AuditEvent
from verifier_service.registry.models_linkage import LinkageCheck, MatchKey, MatchRecordRow
from verifier_service.runtime import Runtime
from verifier_service.services.linkage import import_share
from verifier_service.settings import Settings

CBOR = {"Content-Type": "application/cbor"}

AMINA = PersonRecord(given_name="Amina", family_name="Al-Khatib", date_of_birth="1984-07-03", sex="F",
                     admin_area="north/district-2")
AMINA_AGAIN = PersonRecord(given_name="Aminah", family_name="El Khatib", date_of_birth="19840703", sex="F",
                           admin_area="north/district-2")
AMINA_ARABIC = PersonRecord(given_name="أمينة", family_name="الخطيب", date_of_birth="1984-07-03", sex="F",
                            admin_area=None)
YUSUF = PersonRecord(given_name="Yusuf", family_name="Haddad", date_of_birth="1991-11-23", sex="M",
                     admin_area="south/district-5")
NAMES = ("Amina", "Aminah", "Khatib", "Yusuf", "Haddad", "أمينة", "الخطيب", "1984", "0703")

_SHARES: list[Any] = []


def evaluator() -> Callable[[list[bytes]], list[bytes]]:
    """The threshold OPRF with two of three shares in process (the steward HTTP side is
    tested below; here only the registry is)."""
    if not _SHARES:
        _SHARES.append(deal_shares(2, 3)[1])
    return local_evaluator(_SHARES[0], 2)


def record(person: PersonRecord) -> bytes:
    return encode([normalise(person)], evaluator())[0].to_bytes()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def problem(r: Any, status: int, reason: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = r.json()
    assert body["reason"] == reason, body
    return body


def check(dep: Deployment, who: str, offer_id: str, rec: bytes) -> Any:
    return dep.client.post("/v1/linkage/checks", json={"offer_id": offer_id, "record": b64(rec)}, headers=dep.h(who))


def redeem(dep: Deployment, made: dict[str, Any]) -> Any:
    offer = decode(base64.b64decode(made["offer"]), Offer)
    req, _pending = Holder(WalletSeed.generate()).start_issuance(offer)
    return dep.client.post("/v1/issue", content=wire_encode(req), headers=CBOR)


@pytest.fixture
def agency_b_issues(dep: Deployment) -> Deployment:
    with Bootstrap(dep.rt.settings, runtime=dep.rt) as b:
        b.create_issuer_key("agency-b", "Agency B registration",
                            key=IssuerKey.generate("Agency B registration", schemas=(HOUSEHOLD,), range_u=None))
    return dep


def register(dep: Deployment, who: str, person: PersonRecord) -> dict[str, Any]:
    """Offer, check (expects no match), card issued: the record is stored."""
    made = dep.offer(who)
    r = check(dep, who, made["offer_id"], record(person))
    assert r.status_code == 200 and r.json()["outcome"] == "no_match", r.text
    assert redeem(dep, made).status_code == 200
    return made


# ----------------------------------------------------------------------------- the check

def test_no_match_then_possible_match_with_agency_and_date(agency_b_issues: Deployment) -> None:
    dep = agency_b_issues
    first = register(dep, "registrar_a", AMINA)
    with dep.rt.store.read() as s:
        row = s.scalars(select(MatchRecordRow)).one()
        assert row.agency_id == "agency-a" and row.credential_id == first["credential_id"]
        assert row.registered_at == dep.clock.now
        assert s.scalar(select(func.count()).select_from(MatchKey)) >= 1
    dep.clock.advance(3 * 86400)
    for variant in (AMINA_AGAIN, AMINA_ARABIC):
        made = dep.offer("registrar_b")
        r = check(dep, "registrar_b", made["offer_id"], record(variant))
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["outcome"] == "possible_match"
        assert body["matches"] == [{"agency": "Agency A", "registered_on": "2026-12-01"}]
    # another person: no match
    made = dep.offer("registrar_b")
    assert check(dep, "registrar_b", made["offer_id"], record(YUSUF)).json() == {
        "offer_id": made["offer_id"], "outcome": "no_match", "matches": [], "checked_at": dep.clock.now}


def test_no_attribute_of_the_other_registration_crosses(agency_b_issues: Deployment) -> None:
    dep = agency_b_issues
    first = register(dep, "registrar_a", AMINA)
    made = dep.offer("registrar_b")
    r = check(dep, "registrar_b", made["offer_id"], record(AMINA_AGAIN))
    body = r.json()
    assert set(body) == {"offer_id", "outcome", "matches", "checked_at"}
    assert all(set(m) == {"agency", "registered_on"} for m in body["matches"])
    text = r.text
    with dep.rt.store.read() as s:
        stored = s.scalars(select(MatchRecordRow)).one()
    for secret in (first["credential_id"], first["offer_id"], b64(stored.record), stored.record.hex(),
                   stored.record_digest, "north", "elderly_head", "agency-a"):
        assert secret not in text


def test_a_possible_match_holds_the_offer_until_resolved(agency_b_issues: Deployment) -> None:
    dep = agency_b_issues
    register(dep, "registrar_a", AMINA)
    held = dep.offer("registrar_b")
    assert check(dep, "registrar_b", held["offer_id"], record(AMINA_AGAIN)).json()["outcome"] == "possible_match"
    problem(redeem(dep, held), 403, "registration_held")
    # steward review: different people -> the card can be issued, and its record is stored
    r = dep.client.post(f"/v1/linkage/checks/{held['offer_id']}/resolution", json={"decision": "different_person"},
                        headers=dep.h("registrar_b"))
    assert r.status_code == 200 and r.json() == {"offer_id": held["offer_id"], "decision": "different_person"}
    assert redeem(dep, held).status_code == 200
    with dep.rt.store.read() as s:
        assert sorted(r.agency_id for r in s.scalars(select(MatchRecordRow))) == ["agency-a", "agency-b"]
    # the same person: the offer is withdrawn, no card
    again = dep.offer("registrar_b")
    assert check(dep, "registrar_b", again["offer_id"], record(AMINA)).json()["outcome"] == "possible_match"
    r = dep.client.post(f"/v1/linkage/checks/{again['offer_id']}/resolution", json={"decision": "same_person"},
                        headers=dep.h("registrar_b"))
    assert r.status_code == 200
    problem(redeem(dep, again), 403, "token_expired")
    problem(dep.client.post(f"/v1/linkage/checks/{again['offer_id']}/resolution",
                            json={"decision": "different_person"}, headers=dep.h("registrar_b")),
            409, "already_resolved")
    # only the registrar's own agency resolves its checks
    problem(dep.client.post(f"/v1/linkage/checks/{again['offer_id']}/resolution", json={"decision": "same_person"},
                            headers=dep.h("registrar_a")), 404, "unknown_check")


def test_a_reissue_is_not_matched_with_the_card_it_replaces(agency_b_issues: Deployment) -> None:
    dep = agency_b_issues
    first = register(dep, "registrar_a", AMINA)
    again = dep.offer("registrar_a", reissue_of=first["credential_id"])
    assert check(dep, "registrar_a", again["offer_id"], record(AMINA_AGAIN)).json()["outcome"] == "no_match"
    # a new registration of the same person elsewhere still matches
    other = dep.offer("registrar_b")
    assert check(dep, "registrar_b", other["offer_id"], record(AMINA_AGAIN)).json()["outcome"] == "possible_match"


def test_a_check_needs_a_pending_registration(dep: Deployment) -> None:
    rec = record(AMINA)
    problem(check(dep, "registrar_a", "0" * 32, rec), 404, "unknown_offer")
    made = dep.offer("registrar_a")
    problem(check(dep, "registrar_b", made["offer_id"], rec), 404, "unknown_offer")  # another agency's offer
    for who in ("auditor_a", "device_a"):
        problem(check(dep, who, made["offer_id"], rec), 403, "forbidden")
    assert check(dep, "registrar_a", made["offer_id"], rec).status_code == 200
    problem(check(dep, "registrar_a", made["offer_id"], rec), 409, "already_checked")  # one check per offer
    used = dep.offer("registrar_a")
    assert redeem(dep, used).status_code == 200
    problem(check(dep, "registrar_a", used["offer_id"], rec), 409, "offer_used")
    late = dep.offer("registrar_a")
    dep.clock.advance(dep.rt.settings.offer_ttl + 1)
    problem(check(dep, "registrar_a", late["offer_id"], rec), 410, "offer_expired")
    fresh = dep.offer("registrar_a")
    for bad in (b"\x00garbage", rec[:-1], rec + b"\x00"):  # a truncated record, a trailing byte
        problem(check(dep, "registrar_a", fresh["offer_id"], bad), 400, "invalid_match_record")
    r = dep.client.post("/v1/linkage/checks", json={"offer_id": fresh["offer_id"], "record": "%%%"},
                        headers=dep.h("registrar_a"))
    problem(r, 422, "invalid_request")
    problem(dep.client.post("/v1/linkage/checks", json={"offer_id": fresh["offer_id"], "record": b64(rec)}), 401,
            "unauthorized")


def test_checks_are_rate_limited_per_registrar_key(tmp_path: Path, db_url: str) -> None:
    settings = settings_for(tmp_path / "data", db_url, linkage_check_limit=3)
    for dep in make_deployment(settings, Clock()):
        rec = record(AMINA)
        for i in range(3):
            made = dep.offer("registrar_a")
            assert check(dep, "registrar_a", made["offer_id"], rec if i == 0 else record(YUSUF)).status_code == 200
        made = dep.offer("registrar_a")
        r = check(dep, "registrar_a", made["offer_id"], rec)
        problem(r, 429, "too_many_requests")
        assert r.headers["retry-after"] == "60"
        # another registrar key has its own allowance
        made_b = dep.offer("registrar_a")
        with Bootstrap(dep.rt.settings, runtime=dep.rt) as b:
            dep.keys["registrar_a2"] = b.create_api_key("agency-a", "registrar")
        assert check(dep, "registrar_a2", made_b["offer_id"], rec).status_code == 200


def test_audit_rows_hold_digests_and_no_names(agency_b_issues: Deployment) -> None:
    dep = agency_b_issues
    register(dep, "registrar_a", AMINA)
    made = dep.offer("registrar_b")
    rec = record(AMINA_AGAIN)
    check(dep, "registrar_b", made["offer_id"], rec)
    with dep.rt.store.read() as s:
        events = [e for e in s.scalars(select(AuditEvent)) if e.action.startswith("linkage.")]
        checks = s.scalars(select(LinkageCheck)).all()
    assert [e.action for e in events] == ["linkage.check", "linkage.check"]
    dumped = json.dumps([(e.actor, e.target, e.detail) for e in events], ensure_ascii=False)
    for name in NAMES:
        assert name not in dumped
    assert rec.hex() not in dumped and b64(rec) not in dumped
    details = [json.loads(e.detail) for e in events]
    assert {d["outcome"] for d in details} == {"no_match", "possible_match"}
    assert all(len(d["record_digest"]) == 32 for d in details)
    assert events[1].target == made["offer_id"] and events[1].actor.startswith("key:")
    assert {c.outcome for c in checks} == {"no_match", "possible_match"}


# ----------------------------------------------------------------------------- stewards

@pytest.fixture
def stewards(dep: Deployment, live: str, tmp_path: Path) -> Iterator[tuple[StewardConfig, list[Any], dict[int, str]]]:
    """Three stewards over HTTP: the deployment's own service (SQLite or PostgreSQL) and two
    more instances (SQLite); a dealt 2-of-3 key; a registrar key of agency A at each."""
    urls, runtimes, stops = [live], [dep.rt], []
    try:
        for i in (2, 3):
            rt = Runtime.open(Settings(data_dir=tmp_path / f"steward-{i}", dev=True))
            runtimes.append(rt)
            url, stop = run_in_thread(rt.settings, runtime=rt)
            stops.append(stop)
            urls.append(url)
        config, files = deal(2, urls, names=["A", "B", "C"])
        keys = {1: dep.keys["registrar_a"]}
        for rt, f in zip(runtimes, files, strict=True):
            import_share(rt.store, rt.keyring, f.share, public_key=f.public_key, threshold=2, stewards=3,
                         now=rt.now())
            if rt is not dep.rt:
                with Bootstrap(rt.settings, runtime=rt) as b:
                    b.create_agency("agency-a", "Agency A")
                    keys[f.index] = b.create_api_key("agency-a", "registrar")
        yield config, runtimes, keys
    finally:
        for stop in stops:
            stop()
        for rt in runtimes[1:]:
            rt.close()


def test_stewards_evaluate_over_http_like_the_local_key(stewards: Any, dep: Deployment) -> None:
    config, _runtimes, keys = stewards
    ev = StewardEvaluator(config, keys)
    a = encode([normalise(AMINA)], ev)[0]
    b = encode([normalise(AMINA)], StewardEvaluator(config, keys))[0]
    assert a.to_bytes() == b.to_bytes()  # the same person, the same record (deterministic PRF)
    assert ev.round_trips == 2  # t stewards asked, not n
    info = dep.client.get("/v1/linkage/steward").json()
    assert info["key_id"] == config.key_id and info["index"] == 1 and info["threshold"] == 2
    assert bytes.fromhex(info["public_share"]) == config.stewards[0].public_share
    with dep.rt.store.read() as s:
        ev_rows = [e for e in s.scalars(select(AuditEvent)) if e.action == "linkage.oprf"]
    assert ev_rows and all(set(json.loads(e.detail)) == {"elements", "index"} for e in ev_rows)


def test_a_steward_with_a_bad_proof_is_refused_by_name(stewards: Any, dep: Deployment, tmp_path: Path) -> None:
    config, _runtimes, keys = stewards
    # steward 2's instance is given a share of ANOTHER dealing, filed under this key: its
    # answers carry proofs for a key that is not the one in the configuration
    _other_pk, other = deal_shares(2, 3)
    rogue = Runtime.open(Settings(data_dir=tmp_path / "rogue", dev=True))
    try:
        import_share(rogue.store, rogue.keyring, other[1].to_bytes(), public_key=config.public_key, threshold=2,
                     stewards=3, now=rogue.now())
        with Bootstrap(rogue.settings, runtime=rogue) as b:
            b.create_agency("agency-a", "Agency A")
            key = b.create_api_key("agency-a", "registrar")
        url, stop = run_in_thread(rogue.settings, runtime=rogue)
        try:
            rogue_steward = Steward(2, url, config.stewards[1].public_share)
            bad = StewardConfig(config.public_key, 2, (config.stewards[0], rogue_steward, config.stewards[2]))
            ev = StewardEvaluator(bad, {1: keys[1], 2: key, 3: keys[3]})
            with pytest.raises(StewardAnswerError) as err:
                ev([b"person"])
            assert err.value.steward == 2 and err.value.url == url and "steward 2" in str(err.value)
        finally:
            stop()
    finally:
        rogue.close()


def test_fewer_than_t_stewards_is_a_typed_error(stewards: Any) -> None:
    config, _runtimes, keys = stewards
    down = [Steward(s.index, "http://127.0.0.1:9", s.public_share) for s in config.stewards[1:]]  # nobody there
    gone = StewardConfig(config.public_key, 2, (config.stewards[0], *down))
    # nobody listens on port 9: refused at once, so a long timeout only spares the live stewards
    # from being counted as down when the machine is busy (a 2 s timeout failed at load 8)
    with pytest.raises(TooFewStewardsError) as err:
        StewardEvaluator(gone, keys, timeout=30)([b"x"])
    assert err.value.reason == "too_few_stewards" and "only 1 of the 2" in str(err.value)
    # one steward down of three: the other two suffice
    one_down = StewardConfig(config.public_key, 2, (gone.stewards[1], config.stewards[0], config.stewards[2]))
    assert len(StewardEvaluator(one_down, keys, timeout=30)([b"x"])) == 1


def test_the_steward_route_checks_roles_and_input(stewards: Any, dep: Deployment) -> None:
    config, _runtimes, _keys = stewards
    el = config.public_key.hex()  # a valid G1 point (the group key)
    ok = dep.client.post("/v1/linkage/oprf", json={"blinded": [el]}, headers=dep.h("registrar_a"))
    assert ok.status_code == 200 and ok.json()["index"] == 1
    problem(dep.client.post("/v1/linkage/oprf", json={"blinded": [el]}, headers=dep.h("auditor_a")), 403,
            "forbidden")
    problem(dep.client.post("/v1/linkage/oprf", json={"blinded": ["00" * 48]}, headers=dep.h("registrar_a")), 400,
            "invalid_element")
    problem(dep.client.post("/v1/linkage/oprf", json={"blinded": [el], "key_id": "0" * 16},
                            headers=dep.h("registrar_a")), 409, "steward_key_mismatch")


def test_not_a_steward(dep: Deployment) -> None:
    problem(dep.client.get("/v1/linkage/steward"), 404, "not_a_steward")
    problem(dep.client.post("/v1/linkage/oprf", json={"blinded": ["00" * 48]}, headers=dep.h("registrar_a")), 404,
            "not_a_steward")


def test_share_files_and_config_round_trip(tmp_path: Path) -> None:
    config, files = deal(2, ["http://a", "http://b", "http://c"])
    assert StewardConfig.from_json(config.to_json()) == config
    assert ShareFile.from_json(files[0].to_json()) == files[0]
    tampered = json.loads(config.to_json())
    tampered["public_key"] = files[1].public_key.hex()[:-2] + "00"
    with pytest.raises(EncodingError):
        StewardConfig.from_json(json.dumps(tampered))
    with pytest.raises(EncodingError):
        StewardConfig.load(tmp_path / "missing.json")


def test_steward_commands(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """deal -> init (sealed in the database) -> show; the share file is refused twice."""
    from typer.testing import CliRunner

    from zkaid.cli import app

    runner = CliRunner()
    monkeypatch.setenv("ZKAID_KEK", base64.b64encode(os.urandom(32)).decode())
    out = tmp_path / "dealt"
    r = runner.invoke(app, ["steward", "deal", "--out", str(out), "-t", "2", "--url", "http://s1",
                            "--url", "http://s2", "--url", "http://s3"])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == ["share-1.json", "share-2.json", "share-3.json", "stewards.json"]
    assert (out / "share-2.json").stat().st_mode & 0o777 == 0o600
    config = StewardConfig.load(out / "stewards.json")
    assert config.threshold == 2 and [s.url for s in config.stewards] == ["http://s1", "http://s2", "http://s3"]
    common = ["--data-dir", str(tmp_path / "data"), "--database-url", db_url]
    r = runner.invoke(app, ["steward", "init", "--share", str(out / "share-2.json"), *common])
    assert r.exit_code == 0, r.output
    assert "steward 2 of 3" in r.output and config.key_id in r.output
    r = runner.invoke(app, ["steward", "show", *common])
    shown = json.loads(r.output)
    assert shown["index"] == 2 and bytes.fromhex(shown["public_share"]) == config.stewards[1].public_share
    secret = ShareFile.from_json((out / "share-2.json").read_text()).share
    assert secret.hex() not in r.output and base64.b64encode(secret).decode() not in r.output
    r = runner.invoke(app, ["steward", "init", "--share", str(out / "share-2.json"), *common])
    assert r.exit_code == 2 and "already" in r.output
    r = runner.invoke(app, ["steward", "deal", "--out", str(out), "--url", "http://s1"])
    assert r.exit_code == 2 and "not empty" in r.output
    (tmp_path / "junk.json").write_text("{}")
    r = runner.invoke(app, ["steward", "init", "--share", str(tmp_path / "junk.json"), *common])
    assert r.exit_code == 2 and "not a steward share file" in r.output
