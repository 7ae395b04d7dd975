"""The referral commands end to end against a real HTTP server, and the privacy check: after
a run, neither the database files nor any log line holds a referral's plaintext."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import MetaData, select
from typer.testing import CliRunner

from tests.verifier_service.helpers import Deployment
from verifier_service.bootstrap import run_in_thread
from zkaid.cli import app

runner = CliRunner()
PIN = "482913"


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


LOGGERS = ["", "uvicorn", "uvicorn.access", "uvicorn.error", "zkaid", "zkaid.service", "sqlalchemy"]


@pytest.fixture
def logs() -> Iterator[Collect]:
    """Every log line of the run; attached again once uvicorn has configured its loggers."""
    h = Collect()
    saved = {n: logging.getLogger(n).level for n in LOGGERS}
    try:
        yield h
    finally:
        for n in LOGGERS:
            logging.getLogger(n).removeHandler(h)
            logging.getLogger(n).setLevel(saved[n])


def attach(h: Collect) -> None:
    for n in LOGGERS:
        logging.getLogger(n).addHandler(h)
        logging.getLogger(n).setLevel(logging.DEBUG)


def run(*args: str, code: int = 0) -> str:
    res = runner.invoke(app, list(args), catch_exceptions=False)
    assert res.exit_code == code, res.output
    return res.output


def test_referral_commands_and_no_plaintext_anywhere(dep: Deployment, tmp_path: Path, logs: Collect) -> None:
    dep.clock.now = int(time.time())  # the commands read the real clock
    url, stop = run_in_thread(dep.rt.settings, runtime=dep.rt, access_log=True)
    attach(logs)
    secrets_seen: list[str] = []
    try:
        for tid in ("health", "shelter"):
            assert dep.client.put(f"/v1/referrals/types/{tid}", json={"labels": {"en": tid.title()}},
                                  headers=dep.h("admin_a")).status_code == 200
        keyring = tmp_path / "desk-b" / "referral-keys.json"
        out = run("referral", "keygen", "--keyring", str(keyring), "--agency", "agency-b", "--suite", "hybrid",
                  "--name", "Agency B", "--service-url", url, "--api-key", dep.keys["admin_b"])
        assert "registered" in out and keyring.stat().st_mode & 0o777 == 0o600
        anchor = dep.anchor.hex()
        wdir = tmp_path / "wallet"
        run("wallet", "create", "--dir", str(wdir), "--anchor", anchor, "--pin", PIN, "--service-url", url)
        run("wallet", "receive", "--dir", str(wdir), "--pin", PIN, "--code", dep.offer()["code"])
        desk_pem = tmp_path / "desk_key.pem"  # the desk's request key, listed in the trust list
        desk_pem.write_bytes(dep.desk_key.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        common = ["--service-url", url, "--anchor", anchor, "--from", "agency-a", "--to", "agency-b",
                  "--schema", "org.zkaid.household@1", "--desk-key", str(desk_pem)]  # dep issues household@1
        stranger = tmp_path / "stranger.pem"  # a key the trust list does not list: refused, nothing written
        stranger.write_bytes(Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        run("referral", "prepare", *common[:-1], str(stranger), "--type", "health", "--out",
            str(tmp_path / "never.cbor"), code=2)
        assert not (tmp_path / "never.cbor").exists()
        sent: list[str] = []
        for i, answer in enumerate(["--yes", "--no", "--yes"]):
            note = f"Secret note {i}: coughs at night, lives behind the blue mosque"
            village = f"Zanzibarville-{7731 + i}"
            secrets_seen += [note, village]
            offer = tmp_path / f"offer-{i}.cbor"
            out = run("referral", "prepare", *common, "--type", "health", "--urgency", "urgent", "--note", note,
                      "--attr", f"village={village}", "--attr", "household_size=6", "--suite", "hybrid",
                      "--out", str(offer))
            rid = re.search(r"referral ([0-9a-f]{32})", out)
            assert rid is not None and f"consent request signed by {dep.desk_key.name}" in out
            consent = tmp_path / f"consent-{i}.cbor"
            out = run("referral", "consent", "--dir", str(wdir), "--pin", PIN, "--offer", str(offer),
                      "--out", str(consent), answer, code=0 if answer == "--yes" else 1)
            assert "Agency B" in out and village in out and "Health" in out
            assert f"Checked: this referral comes from {dep.desk_key.name}." in out
            if answer == "--no":
                assert "nothing was sent" in out and not consent.exists()
                continue
            sent.append(rid.group(1))
            out = run("referral", "send", "--service-url", url, "--api-key", dep.keys["registrar_a"],
                      "--outbox", str(tmp_path / "outbox"), "--consent", str(consent))
            assert f"delivered {rid.group(1)}" in out
        out = run("referral", "list", "--service-url", url, "--api-key", dep.keys["device_b"], "--today",
                  "--keyring", str(keyring), "--anchor", anchor)
        assert "2 referral(s) today" in out and "Secret note 0" in out and "Zanzibarville-7733" in out
        assert "Secret note 1" not in out  # declined: never sent
        out = run("referral", "update", sent[0], "--status", "accepted", "--service-url", url,
                  "--api-key", dep.keys["device_b"])
        assert "accepted" in out
        out = run("referral", "show", sent[0], "--service-url", url, "--api-key", dep.keys["registrar_a"])
        assert '"accepted"' in out and "Secret" not in out
        out = run("referral", "withdraw", "--dir", str(wdir), "--pin", PIN, "--id", sent[1])
        assert "withdrawn" in out
        out = run("referral", "list", "--box", "sent", "--service-url", url, "--api-key", dep.keys["registrar_a"])
        assert f"{sent[1]}" in out and "[withdrawn]" in out and "[accepted]" in out
        out = run("referral", "update", sent[0], "--status", "teleported", "--service-url", url,
                  "--api-key", dep.keys["device_b"], code=2)
        # a refusal by the service is one line and a non-zero exit through the real entry point
        res = runner.invoke(app, ["referral", "update", sent[0], "--status", "completed", "--service-url", url,
                                  "--api-key", dep.keys["registrar_a"]])
        assert res.exit_code != 0 and "not_recipient" in str(getattr(res.exception, "reason", ""))
    finally:
        stop()
    # the privacy check: read the whole database and every log line
    assert len(secrets_seen) == 6
    blobs: list[bytes] = []
    url_db = dep.rt.settings.effective_database_url
    if url_db.startswith("sqlite"):
        db = Path(url_db.split("///", 1)[1])
        files = [p for p in db.parent.iterdir() if p.name.startswith(db.name)]
        assert files
        blobs += [p.read_bytes() for p in files]
    md = MetaData()
    md.reflect(dep.rt.store.engine)
    with dep.rt.store.engine.connect() as conn:
        for table in md.sorted_tables:
            for row in conn.execute(select(table)):
                blobs.append(repr(tuple(row)).encode())
    assert any(b"referral.send" in b for b in blobs)  # the run did reach the database
    text = "\n".join(logs.lines)
    assert "POST /v1/referrals" in text  # and the logs
    for secret in secrets_seen:
        assert all(secret.encode() not in b for b in blobs), f"{secret!r} found in the database"
        assert secret not in text, f"{secret!r} found in the logs"
