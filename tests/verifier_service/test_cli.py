"""The operator commands (mounted under ``zkaid``), on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from sdk.trust import TrustAnchor, load_trust_list
from verifier_service import Settings, create_app
from verifier_service.cli import app, register

runner = CliRunner()
KEY_RE = re.compile(r"zk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}")


@pytest.fixture
def common(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    kek = tmp_path / "kek"
    assert runner.invoke(app, ["kek", "create", "--out", str(kek)]).exit_code == 0
    monkeypatch.setenv("ZKAID_KEK_FILE", str(kek))
    return ["--data-dir", str(tmp_path / "data"), "--database-url", db_url]


def run(*args: str) -> str:
    r = runner.invoke(app, list(args))
    assert r.exit_code == 0, r.output
    return r.output


def test_operator_workflow(common: list[str], tmp_path: Path) -> None:
    out = run("init", "--agency-id", "registry", "--agency-name", "Joint registry", *common)
    admin = KEY_RE.search(out)
    assert admin is not None and "shown once" in out
    assert "already initialised" in run("init", *common)
    out = run("agency", "create", "agency-a", "Agency A", *common)
    assert KEY_RE.search(out)
    out = run("api-key", "create", "--agency", "agency-a", "--role", "registrar", *common)
    registrar = KEY_RE.search(out)
    assert registrar is not None
    run("device", "create", "--agency", "agency-a", "--device-id", "desk-1", "--verifier-key", "11" * 32, *common)
    run("scope", "create", "cva/2026-12/round-1", "--agency", "agency-a", *common)
    out = run("issuer-key", "create", "--agency", "agency-a", "--name", "Agency A registration",
              "--schema", "org.zkaid.household@1", "--no-range-params", *common)
    kid = re.search(r"issuer key ([0-9a-f]{16})", out)
    assert kid is not None
    listed = run("issuer-key", "list", *common)
    assert kid.group(1) in listed and "active" in listed
    out = run("issuer-key", "rotate", kid.group(1), "--agency", "agency-a", *common)
    assert "retired" in out
    assert "retired" in run("issuer-key", "list", "--agency", "agency-a", *common)

    # the authority's key signs the list; show and export it
    key_file = tmp_path / "authority.pem"
    anchor = re.search(r"([0-9a-f]{64})", run("trust-list", "keygen", "--out", str(key_file)))
    assert anchor is not None
    assert "no trust list" in runner.invoke(app, ["trust-list", "show", *common]).output
    out = run("trust-list", "sign", "--key-file", str(key_file), *common)
    assert "trust list #1 signed: 2 issuers, 1 verifiers" in out
    assert run("trust-list", "sign", "--key-file", str(key_file), *common).startswith("trust list #2")
    shown = run("trust-list", "show", *common)
    assert anchor.group(1) in shown and "Agency A registration" in shown and "desk-1" in shown
    exported = tmp_path / "tl.cbor"
    run("trust-list", "export", "--out", str(exported), *common)
    tl = load_trust_list(exported.read_bytes(), [TrustAnchor(bytes.fromhex(anchor.group(1)))])
    assert tl.sequence == 2

    # the keys work against the service; the service serves the authority's list
    s = Settings(data_dir=Path(common[1]), database_url=common[3], public_url="https://registry.example.org")
    with TestClient(create_app(s)) as c:
        assert c.get("/v1/trust-list").content == exported.read_bytes()
        r = c.get("/v1/admin/agencies", headers={"Authorization": f"Bearer {admin.group(0)}"})
        assert [a["id"] for a in r.json()] == ["agency-a", "registry"]
        r = c.post("/v1/offers", json={"schema": "org.zkaid.household@1", "values": {}},
                   headers={"Authorization": f"Bearer {registrar.group(0)}"})
        assert r.status_code == 422  # authenticated, authorised; the values are missing


def test_errors_are_one_line(common: list[str]) -> None:
    run("init", *common)
    r = runner.invoke(app, ["api-key", "create", "--agency", "nobody", "--role", "registrar", *common])
    assert r.exit_code == 2 and r.output.startswith("error: ")
    r = runner.invoke(app, ["api-key", "create", "--agency", "operator", "--role", "root", *common])
    assert r.exit_code == 2 and "unknown role" in r.output
    r = runner.invoke(app, ["trust-list", "sign", *common])
    assert r.exit_code == 2 and "no trust-list key" in r.output


def test_serve_refuses_without_a_kek(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("ZKAID_KEK", "ZKAID_KEK_FILE", "ZKAID_DEV"):
        monkeypatch.delenv(var, raising=False)
    r = runner.invoke(app, ["serve", "--data-dir", str(tmp_path)])
    assert r.exit_code == 2 and "no key-encryption key" in r.output


def test_commands_mount_on_the_zkaid_app() -> None:
    parent = typer.Typer()

    @parent.command()
    def demo() -> None:
        """The host's own command."""

    register(parent)
    out = runner.invoke(parent, ["--help"]).output
    for name in ("serve", "init", "trust-list", "issuer-key", "api-key", "agency", "demo"):
        assert name in out
    assert "--database-url" in runner.invoke(parent, ["serve", "--help"]).output
    assert "sign" in runner.invoke(parent, ["trust-list", "--help"]).output
