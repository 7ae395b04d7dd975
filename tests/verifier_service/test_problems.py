"""Bad input never yields a 500: every refusal is a 4xx problem+json with a reason."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator

import pytest

from tests.verifier_service.helpers import SCOPE, Deployment
from tests.verifier_service.test_issuance import problem

JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize("path", ["/v1/enrollments", "/v1/sync", "/v1/offers", "/v1/verify", "/v1/admin/scopes"])
def test_unreadable_json(dep: Deployment, path: str) -> None:
    h = {**dep.h("admin_a"), **JSON}
    for body in (b"{", b"\xff\xfe\x00", b"[" * 50_000 + b"]" * 50_000, b'{"a": 1e99999}', b"null", b"[]", b'"x"'):
        r = dep.client.post(path, content=body, headers=h)
        assert r.status_code in (400, 422), (body[:10], r.text)
        assert r.headers["content-type"] == "application/problem+json"
    problem(dep.client.post(path, content=b"{", headers=h), 400, "malformed")
    problem(dep.client.post(path, content=b'{"scope": "x"}', headers={**dep.h("admin_a"), "Content-Type": "text/plain"}),
            422, "invalid_request")


def test_oversized_bodies(dep: Deployment) -> None:
    h = {**dep.h("admin_a"), **JSON}
    big = b'{"scope": "' + b"x" * 300_000 + b'"}'
    problem(dep.client.post("/v1/enrollments", content=big, headers=h), 413, "too_large")
    problem(dep.client.post("/v1/sync", content=b" " * (1024 * 1024 + 1), headers=h), 413, "too_large")
    assert dep.client.post("/v1/sync", content=b" " * 400_000 + b"{}", headers=h).status_code == 422  # under 1 MiB

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
        for _ in range(100):
            yield b" " * 10_000

    problem(dep.client.post("/v1/enrollments", content=chunks(), headers=h), 413, "too_large")


def test_unknown_routes_and_methods(dep: Deployment) -> None:
    problem(dep.client.get("/v1/nothing"), 404, "not_found")
    problem(dep.client.get("/"), 404, "not_found")
    problem(dep.client.delete("/v1/trust-list"), 405, "method_not_allowed")
    problem(dep.client.put("/v1/enrollments", json={}), 405, "method_not_allowed")


@pytest.mark.parametrize("value", ["\x00", "a\x00b", "\ud7ff\x00", "\x7f"])
def test_control_characters_in_text(dep: Deployment, value: str) -> None:
    """PostgreSQL cannot hold NUL in text: refused as input, never a database error."""
    c, h = dep.client, dep.h("admin_a")
    q = urllib.parse.quote(value, safe="")
    for r in (
        c.get("/v1/duplicates", params={"scope": value}, headers=h),
        c.get(f"/v1/scopes/{q}/stats", headers=h),
        c.post("/v1/enrollments", json={"scope": value, "pseudonym": "00" * 48}, headers=h),
        c.post("/v1/sync", json={"device_id": value, "scopes": [value]}, headers=dep.h("device_b")),
        c.post("/v1/sync", json={"device_id": "desk-1", "scopes": [value]}, headers=dep.h("device_b")),
        c.post("/v1/admin/scopes", json={"scope": value}, headers=h),
        c.post("/v1/admin/devices", json={"device_id": value}, headers=h),
        c.post("/v1/admin/agencies", json={"id": "x", "name": value}, headers=h),
        c.post("/v1/admin/api-keys", json={"role": "registrar", "label": value}, headers=h),
        c.post("/v1/offers", json={"schema": value, "values": {}}, headers=h),
        c.post("/v1/offers", json={"schema": "org.zkaid.household@1", "values": {value: 1}}, headers=h),
        c.delete(f"/v1/admin/api-keys/{q}", headers=h),
        c.get(f"/v1/offers/{q}"),
    ):
        assert 400 <= r.status_code < 500, r.text
        assert r.headers["content-type"] == "application/problem+json"


def test_bad_authorization_headers(dep: Deployment) -> None:
    for value in ("", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer zk_" + "\u00e9" * 5, "bearer " + "x" * 5000):
        r = dep.client.get("/v1/scopes", headers={"Authorization": value.encode("utf-8")})
        problem(r, 401, "unauthorized")
    assert dep.client.get(f"/v1/scopes/{SCOPE}/stats", headers=dep.h("auditor_a")).status_code == 200
