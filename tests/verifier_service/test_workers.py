"""`zkaid serve --workers 2` as a real subprocess on PostgreSQL (issue 16, item 4).

test_instances.py and test_hardening.py run two service instances in this process; this test
runs the command an operator runs, with uvicorn's worker processes sharing one socket, so
requests land on either worker. PostgreSQL only: several workers on one SQLite file is not
a supported deployment (docs/deployment.md §4: SQLite serialises writers and is for one
worker), so the command is tested where it is meant to run.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.verifier_service.conftest import TEMPLATE
from tests.verifier_service.helpers import SCOPE, pseudonyms, settings_for
from tests.verifier_service.test_concurrency import call, run_together
from verifier_service.bootstrap import Bootstrap
from verifier_service.registry.pgserver import PostgresServer

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def two_workers(pg_server: PostgresServer, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    name = f"zk_workers_{os.getpid()}"
    url = pg_server.create_database(name, template=TEMPLATE)
    settings = settings_for(tmp_path / "data", url)
    with Bootstrap(settings) as b:
        b.create_agency("agency-a", "Agency A", operator=True)
        keys = {"admin": b.create_api_key("agency-a", "admin")}
        for i in range(3):
            b.register_device("agency-a", f"tablet-{i}")
            keys[f"device{i}"] = b.create_api_key("agency-a", "field_device", device_id=f"tablet-{i}")
        b.create_scope(SCOPE, agency="agency-a")
    port = _free_port()
    env = {**os.environ, "ZKAID_KEK": settings.kek.get_secret_value() if settings.kek else "",
           "ZKAID_AUTH_CACHE_SECONDS": "30"}  # a long cache: revocation must still act at once
    proc = subprocess.Popen(
        [sys.executable, "-m", "zkaid", "serve", "--workers", "2", "--port", str(port), "--data-dir",
         str(tmp_path / "data"), "--database-url", url, "--dev"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if call(base, "GET", "/v1/health", None, {})[0] == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else "exited"
            assert time.monotonic() < deadline, "zkaid serve --workers 2 did not answer"
            time.sleep(0.2)
        yield base, keys
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        pg_server.drop_database(name)


def _h(keys: dict[str, str], who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {keys[who]}", "Content-Type": "application/json"}


def test_two_worker_processes_enroll_once_and_revoke_at_once(two_workers: tuple[str, dict[str, str]]) -> None:
    base, keys = two_workers
    person = pseudonyms(1, seed=77)[0]
    body = json.dumps({"scope": SCOPE, "pseudonym": person.hex()}).encode()
    n = 24
    results = run_together(n, lambda i: call(base, "POST", "/v1/enrollments", body, _h(keys, f"device{i % 3}"))[0])
    assert Counter(results) == Counter({201: 1, 409: n - 1}), results

    # every connection is new, so both workers answer and both cache the device key
    others = pseudonyms(200, seed=78)
    warm = run_together(20, lambda i: call(base, "GET", "/v1/scopes", None, _h(keys, "device1"))[0])
    assert set(warm) == {200}
    status, _ = call(base, "DELETE", "/v1/admin/devices/tablet-1", None, _h(keys, "admin"))
    assert status == 204
    after = run_together(40, lambda i: call(base, "POST", "/v1/enrollments",
                                            json.dumps({"scope": SCOPE, "pseudonym": others[i].hex()}).encode(),
                                            _h(keys, "device1"))[0])
    assert Counter(after) == Counter({401: 40}), after  # 0 successes after the revocation returned
    # a device that was not revoked still enrolls through both workers
    still = run_together(10, lambda i: call(base, "POST", "/v1/enrollments",
                                            json.dumps({"scope": SCOPE, "pseudonym": others[100 + i].hex()}).encode(),
                                            _h(keys, "device2"))[0])
    assert Counter(still) == Counter({201: 10}), still


def test_serve_uses_httptools_and_uvloop_when_installed_and_falls_back_once(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    import importlib.util

    import typer

    from verifier_service import cli

    real = importlib.util.find_spec
    installed = {"httptools": real("httptools") is not None, "uvloop": real("uvloop") is not None}
    assert cli.server_stack() == {"http": "httptools" if installed["httptools"] else "h11",
                                  "loop": "uvloop" if installed["uvloop"] else "asyncio"}
    assert cli.server_stack("h11", "asyncio") == {"http": "h11", "loop": "asyncio"}
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name in ("httptools", "uvloop") else real(name, *a))
    with caplog.at_level("WARNING", logger="zkaid.service"):
        assert cli.server_stack() == {"http": "h11", "loop": "asyncio"}
    assert [r.getMessage().split(" ")[0] for r in caplog.records] == ["httptools", "uvloop"]
    for bad in (("httptools", "auto"), ("auto", "uvloop"), ("http2", "auto")):
        with pytest.raises(typer.Exit):
            cli.server_stack(*bad)
