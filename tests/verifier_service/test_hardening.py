"""Fixes from the load and fault tests of issue 16: each test failed before its fix."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from tests.verifier_service.helpers import SCOPE, Deployment, pseudonyms
from verifier_service.registry.models import DuplicateEvent

P = pseudonyms(30, seed=16)


def _item(p: bytes, at: int, scope: str = SCOPE) -> dict[str, Any]:
    return {"scope": scope, "pseudonym": p.hex(), "enrolled_at": at}


def _count(dep: Deployment, model: type[Any]) -> int:
    with dep.rt.store.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_resending_a_sync_batch_records_its_duplicates_once(dep: Deployment) -> None:
    c = dep.client
    # agency A enrolls ten people online; B's desk met six of them again offline, plus four new
    for p in P[:10]:
        assert c.post("/v1/enrollments", json={"scope": SCOPE, "pseudonym": p.hex()},
                      headers=dep.h("registrar_a")).status_code == 201
    batch = {"device_id": "desk-1", "scopes": [SCOPE], "cursor": 0,
             "enrollments": [_item(p, dep.clock.now - 60) for p in P[4:14]]}
    first = c.post("/v1/sync", json=batch, headers=dep.h("device_b")).json()
    assert first["accepted"] == 4 and len(first["duplicates"]) == 6
    assert _count(dep, DuplicateEvent) == 6
    # the answer was lost: the device sends the very same batch again, twice
    for _ in range(2):
        again = c.post("/v1/sync", json=batch, headers=dep.h("device_b")).json()
        assert again["accepted"] == 0 and again["replayed"] == 10
        # the device still learns about the duplicates it missed ...
        assert sorted(d["pseudonym"] for d in again["duplicates"]) == sorted(p.hex() for p in P[4:10])
    # ... but they are not recorded (or counted) a second time
    assert _count(dep, DuplicateEvent) == 6
    assert len(c.get("/v1/duplicates", headers=dep.h("admin_b")).json()) == 6
    assert c.get(f"/v1/scopes/{SCOPE}/stats", headers=dep.h("admin_b")).json()["duplicates"] == 6
    # an item repeated inside one batch is one duplicate event too
    twice = {**batch, "enrollments": [_item(P[0], dep.clock.now - 30)] * 2}
    r = c.post("/v1/sync", json=twice, headers=dep.h("device_b")).json()
    assert len(r["duplicates"]) == 2 and r["replayed"] == 1  # each item answered
    assert _count(dep, DuplicateEvent) == 7
    # a later, different encounter of the same person is a new event
    later = {**batch, "enrollments": [_item(P[0], dep.clock.now - 10)]}
    assert len(c.post("/v1/sync", json=later, headers=dep.h("device_b")).json()["duplicates"]) == 1
    assert _count(dep, DuplicateEvent) == 8


def test_a_revoked_key_stops_at_once_on_every_instance(dep: Deployment) -> None:
    """Two service instances (as two workers or two hosts) on one database, both caching
    keys: a revocation through one is refused by the other on the very next request."""
    from fastapi.testclient import TestClient

    from verifier_service.app import create_app

    assert dep.rt.settings.auth_cache_seconds > 0
    other = create_app(dep.rt.settings)
    body = {"scope": SCOPE, "pseudonym": P[20].hex()}
    with TestClient(other, raise_server_exceptions=False) as c2:
        for c in (dep.client, c2):  # the device key is now cached by both instances
            assert c.get("/v1/scopes", headers=dep.h("device_b")).status_code == 200
            assert c.get("/v1/scopes", headers=dep.h("registrar_b")).status_code == 200
        assert dep.client.delete("/v1/admin/devices/desk-1", headers=dep.h("admin_b")).status_code == 204
        r = c2.post("/v1/enrollments", json=body, headers=dep.h("device_b"))
        assert r.status_code == 401, r.text
        # an API key revoked through the other instance, likewise
        key_id = dep.keys["registrar_b"].split("_")[1]
        assert c2.delete(f"/v1/admin/api-keys/{key_id}", headers=dep.h("admin_b")).status_code == 204
        assert dep.client.get("/v1/scopes", headers=dep.h("registrar_b")).status_code == 401
        # keys that were not revoked keep working on both
        for c in (dep.client, c2):
            assert c.get("/v1/scopes", headers=dep.h("device_b2")).status_code == 200


def _raw_exchange(url: str, head: bytes, wait: float) -> tuple[bytes, float]:
    """Send ``head`` on a raw socket, then stall; return what the server sent before it
    closed the connection and how long that took."""
    import socket
    import time
    from urllib.parse import urlsplit

    u = urlsplit(url)
    with socket.create_connection((u.hostname, u.port), timeout=wait) as sock:
        sock.sendall(head)
        start = time.monotonic()
        got = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            got += chunk
        return got, time.monotonic() - start


def test_a_stalled_body_is_answered_408_and_closed(make_settings: Any, clock: Any) -> None:
    from tests.verifier_service.helpers import make_deployment
    from verifier_service.bootstrap import run_in_thread

    for d in make_deployment(make_settings(body_timeout=1.0), clock):
        url, stop = run_in_thread(d.rt.settings, runtime=d.rt)
        try:
            head = (b"POST /v1/sync HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    b"Authorization: Bearer " + d.keys["device_b"].encode() + b"\r\n"
                    b"Content-Length: 500\r\n\r\n{\"device_id\": ")
            got, took = _raw_exchange(url, head, wait=15)
            assert got.startswith(b"HTTP/1.1 408"), got[:200]
            assert b"body_timeout" in got and took < 10  # answered, then the server closed
        finally:
            stop()


def _production(tmp: Any, db_url: str, **kw: Any) -> Any:
    import base64
    import secrets

    from tests.verifier_service.helpers import settings_for
    from verifier_service.services import trust_list as tl_service

    key_file = tmp / "authority.key"
    if not key_file.exists():
        tl_service.generate_signing_key(key_file)
    base: dict[str, Any] = dict(dev=False, kek=base64.b64encode(secrets.token_bytes(32)).decode(),
                                trust_list_key_file=key_file)
    base.update(kw)
    return settings_for(tmp / "data", db_url, **base)


def test_production_refuses_weak_or_development_keks(tmp_path: Any, db_url: str) -> None:
    import base64

    import pytest

    from verifier_service.runtime import ConfigurationError, Runtime
    from verifier_service.services.sealing import generate_kek_file

    for weak in (bytes(32), b"k" * 32, bytes(range(8)) * 4):
        with pytest.raises(ConfigurationError, match="not random"):
            Runtime.open(_production(tmp_path, db_url, kek=base64.b64encode(weak).decode()))
    # the key dev mode wrote next to the database
    (tmp_path / "data").mkdir(exist_ok=True)
    generate_kek_file(tmp_path / "data" / "kek")
    with pytest.raises(ConfigurationError, match="development key"):
        Runtime.open(_production(tmp_path, db_url, kek=None, kek_file=tmp_path / "data" / "kek"))
    Runtime.open(_production(tmp_path, db_url)).close()  # a random KEK kept elsewhere is fine


def test_production_offers_never_use_the_host_header(tmp_path: Any, db_url: str, clock: Any) -> None:
    import base64

    from fastapi.testclient import TestClient

    from sdk.wire import Offer, decode
    from tests.verifier_service.helpers import HOUSEHOLD, household, make_deployment
    from verifier_service.app import create_app

    body = {"schema": HOUSEHOLD, "values": household()}
    evil = {"Host": "evil.example"}
    for d in make_deployment(_production(tmp_path, db_url), clock):
        r = d.client.post("/v1/offers", json=body, headers={**d.h("registrar_a"), **evil})
        assert r.status_code == 503 and r.json()["reason"] == "public_url_not_set", r.text
        configured = d.rt.settings.model_copy(update={"public_url": "https://registry.example.org"})
        with TestClient(create_app(configured)) as c:
            r = c.post("/v1/offers", json=body, headers={**d.h("registrar_a"), **evil})
            assert r.status_code == 201, r.text
        offer = decode(base64.b64decode(r.json()["offer"]), Offer)
        assert offer.endpoint == "https://registry.example.org/v1/issue"


def test_serve_refuses_plain_http_on_a_public_address(tmp_path: Any, monkeypatch: Any) -> None:
    from typer.testing import CliRunner

    from verifier_service.cli import app

    runner = CliRunner()
    kek = tmp_path / "kek"
    assert runner.invoke(app, ["kek", "create", "--out", str(kek)]).exit_code == 0
    monkeypatch.setenv("ZKAID_KEK_FILE", str(kek))
    r = runner.invoke(app, ["serve", "--host", "0.0.0.0", "--data-dir", str(tmp_path / "d")])
    assert r.exit_code == 2 and "plain HTTP" in r.output and "--allow-plain-http" in r.output
    r = runner.invoke(app, ["serve", "--host", "0.0.0.0", "--tls-cert", str(kek), "--data-dir", str(tmp_path / "d")])
    assert r.exit_code == 2 and "both" in r.output


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_full_disk_is_its_own_problem_with_a_clear_log_line(make_settings: Any, clock: Any,
                                                              caplog: Any) -> None:
    """A size-limited SQLite database (``PRAGMA max_page_count``) stands in for a full disk."""
    import logging

    from sqlalchemy import event, text

    from tests.verifier_service.helpers import make_deployment
    from verifier_service.registry.models import Enrollment

    for d in make_deployment(make_settings(), clock):
        engine = d.rt.store.engine
        with engine.connect() as conn:
            pages = int(conn.execute(text("PRAGMA page_count")).scalar_one())

        @event.listens_for(engine, "connect")
        def _limit(dbapi_conn: Any, _rec: Any, limit: int = pages + 2) -> None:
            dbapi_conn.execute(f"PRAGMA max_page_count={limit}")

        engine.dispose()
        many = pseudonyms(400, seed=77)
        batch = {"device_id": "desk-1", "scopes": [SCOPE], "cursor": 0,
                 "enrollments": [_item(p, clock.now - 5) for p in many]}
        with caplog.at_level(logging.ERROR, logger="zkaid.service"):
            r = d.client.post("/v1/sync", json=batch, headers=d.h("device_b"))
        assert r.status_code == 507, r.text
        assert r.json()["reason"] == "storage_full" and r.headers["content-type"] == "application/problem+json"
        assert "STORAGE FULL" in caplog.text and "free" in caplog.text.lower()
        assert _count(d, Enrollment) == 0  # all or nothing


def test_scope_names_have_one_spelling(dep: Deployment) -> None:
    import unicodedata

    c, admin = dep.client, dep.h("admin_a")
    nfd = unicodedata.normalize("NFD", "réunion/2027-01/round-1")
    r = c.post("/v1/admin/scopes", json={"scope": nfd}, headers=admin)
    assert r.status_code == 201 and r.json()["scope"] == unicodedata.normalize("NFC", nfd)
    # the other spelling is the same scope, for creation, enrollment and statistics
    r = c.post("/v1/admin/scopes", json={"scope": unicodedata.normalize("NFC", nfd)}, headers=admin)
    assert r.status_code == 409 and r.json()["reason"] == "scope_exists"
    nfc = unicodedata.normalize("NFC", nfd)
    assert c.post("/v1/enrollments", json={"scope": nfc, "pseudonym": P[25].hex()},
                  headers=dep.h("device_b")).status_code == 201
    r = c.post("/v1/enrollments", json={"scope": nfd, "pseudonym": P[25].hex()}, headers=dep.h("device_a"))
    assert r.status_code == 409 and r.json()["reason"] == "already_enrolled"
    assert c.get(f"/v1/scopes/{nfd}/stats", headers=admin).json()["enrollments"] == 1
    for bad in ("CVA/2027/round-1", "cva/2027/round\u200d-1", "cva//round-1", "cva/２０２７", "request/abc",
                "cva/2027 round 1"):
        r = c.post("/v1/admin/scopes", json={"scope": bad}, headers=admin)
        assert r.status_code == 422 and r.json()["reason"] == "invalid_scope", (bad, r.text)


def test_a_schema_id_belongs_to_its_first_publisher(dep: Deployment) -> None:
    c = dep.client
    doc = {"id": "org.agency-b.voucher", "version": 1, "attributes": [{"name": "amount", "type": "int"}]}
    assert c.post("/v1/admin/schemas", json={"definition": doc}, headers=dep.h("admin_b")).status_code == 201
    v2 = {**doc, "version": 2, "attributes": [{"name": "amount", "type": "string"}]}
    r = c.post("/v1/admin/schemas", json={"definition": v2}, headers=dep.h("admin_a"))
    assert r.status_code == 403 and r.json()["reason"] == "schema_not_yours", r.text
    assert c.post("/v1/admin/schemas", json={"definition": v2}, headers=dep.h("admin_b")).status_code == 201
    # the shipped household schema is the operator's (agency A here), not agency B's
    household = {"id": "org.zkaid.household", "version": 99, "attributes": [{"name": "x", "type": "int"}]}
    r = c.post("/v1/admin/schemas", json={"definition": household}, headers=dep.h("admin_b"))
    assert r.status_code == 403 and r.json()["reason"] == "schema_not_yours"
    assert c.post("/v1/admin/schemas", json={"definition": household}, headers=dep.h("admin_a")).status_code == 201


def test_no_agency_names_its_verifier_like_another_agencys_desk(dep: Deployment) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    def pk() -> str:
        return Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()

    c = dep.client
    # B's desk is "Agency B desk 1" (helpers); A tries that name and look-alikes of it
    for name in ("Agency B desk 1", "agency  b DESK 1", "Ａgency B desk 1", "Agency B mobile team"):
        r = c.post("/v1/admin/verifier-keys", json={"name": name, "public_key": pk()}, headers=dep.h("admin_a"))
        assert r.status_code == 409 and r.json()["reason"] == "verifier_name_taken", (name, r.text)
    r = c.post("/v1/admin/verifier-keys", json={"name": "Agency A desk 1", "public_key": pk()},
               headers=dep.h("admin_a"))
    assert r.status_code == 201, r.text
    # B may name a second key of its own desk the same (key rotation)
    r = c.post("/v1/admin/verifier-keys", json={"name": "Agency B desk 1", "public_key": pk()},
               headers=dep.h("admin_b"))
    assert r.status_code == 201, r.text


def test_database_files_are_private(tmp_path: Any, clock: Any) -> None:
    import os
    import stat

    from tests.verifier_service.helpers import make_deployment, settings_for

    old = os.umask(0o022)  # a typical umask, which would give 0644 files and 0755 folders
    try:
        data = tmp_path / "new" / "data"
        s = settings_for(data, f"sqlite:///{data / 'registry.sqlite3'}", kek=None)
        for d in make_deployment(s, clock):
            assert d.client.post("/v1/enrollments", json={"scope": SCOPE, "pseudonym": P[29].hex()},
                                 headers=d.h("device_b")).status_code == 201
            files = sorted(p.name for p in data.iterdir())
            assert {"registry.sqlite3", "registry.sqlite3-wal", "kek"} <= set(files), files
            for p in data.iterdir():
                assert stat.S_IMODE(p.stat().st_mode) == 0o600, (p.name, oct(p.stat().st_mode))
            for folder in (data, data.parent):
                assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    finally:
        os.umask(old)


def test_openapi_documents_problems_and_limits(dep: Deployment) -> None:
    spec = dep.client.get("/openapi.json").json()
    ops = [(path, m, op) for path, item in spec["paths"].items() for m, op in item.items()]
    assert ops
    for path, m, op in ops:
        responses = op["responses"]
        assert "400" in responses, (path, m)
        if "requestBody" in op:
            assert {"413", "408"} <= set(responses), (path, m)
        for status, resp in responses.items():
            if status[0] in "45":
                assert list(resp["content"]) == ["application/problem+json"], (path, m, status)
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_405_lists_every_method_of_the_path(dep: Deployment) -> None:
    c = dep.client
    r = c.delete("/v1/admin/agencies", headers=dep.h("admin_a"))  # GET and POST are two routes
    assert r.status_code == 405
    assert {m.strip() for m in r.headers["allow"].split(",")} >= {"GET", "POST"}
    r = c.put("/v1/enrollments", json={})
    assert r.status_code == 405 and "POST" in r.headers["allow"]


def test_cursor_and_times_are_strict_integers(dep: Deployment) -> None:
    c, h = dep.client, dep.h("device_b")
    for bad in ({"cursor": False}, {"cursor": 1.0}, {"cursor": "5"}):
        r = c.post("/v1/sync", json={"device_id": "desk-1", "scopes": [SCOPE], **bad}, headers=h)
        assert r.status_code == 422, (bad, r.text)
    item = {"scope": SCOPE, "pseudonym": P[1].hex(), "enrolled_at": True}
    r = c.post("/v1/sync", json={"device_id": "desk-1", "scopes": [SCOPE], "enrollments": [item]}, headers=h)
    assert r.status_code == 422
