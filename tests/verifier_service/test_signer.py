"""Agency-held issuer keys (issue 16): the agency's own signer (``zkaid signer serve``) holds
its BBS key; the shared service forwards blind issuance to it and never holds the secret.

The service side runs on SQLite and PostgreSQL (the ``dep`` fixture); the signer is a real
uvicorn server on loopback in a thread, opened from a sealed key file as ``zkaid signer
serve`` opens it.
"""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import stat
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import LargeBinary, select
from typer.testing import CliRunner

from appkit.files import atomic_write
from sdk.credential import Holder, IssuerKey, WalletSeed, household_schema, make_offer
from sdk.wire import IssuanceRequest, IssuedCredential, Offer, decode, encode, encode_canonical
from tests.verifier_service.helpers import HOUSEHOLD, Deployment, household
from tests.verifier_service.test_issuance import problem
from verifier_service.registry.models import Base, IssuerKeyRow
from verifier_service.signer.app import SignerConfig, create_signer_app
from verifier_service.signer.journal import JOURNAL_FILE, Journal, JournalError, read_journal
from verifier_service.signer.keystore import (
    KEY_FILE,
    SignerKeyError,
    create_key_file,
    open_key_file,
)
from verifier_service.signer.protocol import make_approval, public_bytes, request_headers

CBOR = {"Content-Type": "application/cbor"}
_KEY: list[IssuerKey] = []


def signer_key() -> IssuerKey:
    """Agency B's own key (no range parameters: keeps the tests fast)."""
    if not _KEY:
        _KEY.append(IssuerKey.generate("Agency B registration", schemas=(HOUSEHOLD,), range_u=None))
    return _KEY[0]


def kek_file(folder: Path) -> Path:
    path = folder / "agency-kek"
    if not path.exists():
        path.write_text(base64.b64encode(os.urandom(32)).decode())
    return path


def open_signer(folder: Path, service_keys: frozenset[bytes], clock: Callable[[], float], **kw: Any) -> SignerConfig:
    folder.mkdir(parents=True, exist_ok=True)
    kek = kek_file(folder.parent)
    if not (folder / KEY_FILE).exists():
        create_key_file(folder, signer_key(), [household_schema()], passphrase=None, kek_file=kek, write=atomic_write)
    key = open_key_file(folder, passphrase=None, kek_file=kek)
    return SignerConfig(key, Journal(folder / JOURNAL_FILE), service_keys, clock=clock, **kw)


def run_signer(cfg: SignerConfig) -> tuple[str, Callable[[], None]]:
    """The signer app under uvicorn on 127.0.0.1 (a free port), in a daemon thread."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_signer_app(cfg), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the signer did not start"
        time.sleep(0.01)

    def stop() -> None:
        server.should_exit = True
        thread.join(20)
        sock.close()

    return f"http://127.0.0.1:{port}", stop


@pytest.fixture
def remote(dep: Deployment, tmp_path: Path) -> Iterator[tuple[str, SignerConfig, Callable[[], None]]]:
    """Agency B's signer, trusting the service's signer-client key, registered by B's admin."""
    r = dep.client.get("/v1/admin/signer-client-key", headers=dep.h("admin_b"))
    assert r.status_code == 200, r.text
    cfg = open_signer(tmp_path / "signer-b", frozenset({bytes.fromhex(r.json()["public_key"])}), dep.clock)
    url, stop = run_signer(cfg)
    try:
        r = dep.client.post("/v1/admin/issuer-keys/remote", json={"signer_url": url}, headers=dep.h("admin_b"))
        assert r.status_code == 201, r.text
        assert r.json()["kid"] == signer_key().kid.hex() and r.json()["agency"] == "agency-b"
        yield url, cfg, stop
    finally:
        stop()


@pytest.mark.parametrize(("url", "reason"), [
    ("https://0\x1b", "invalid_request"),  # a control character: refused by the request schema
    ("https://\u0300ab.example:8443", "invalid_signer"),  # a host IDNA cannot encode (was a 500)
    ("https://[::1:8443", "invalid_signer"),  # an unclosed IPv6 literal
])
def test_an_unusable_signer_url_is_a_422_not_a_server_error(dep: Deployment, url: str, reason: str) -> None:
    r = dep.client.post("/v1/admin/issuer-keys/remote", json={"signer_url": url}, headers=dep.h("admin_b"))
    assert r.status_code == 422, r.text
    assert r.json()["reason"] == reason


def issue_through(dep: Deployment, who: str = "registrar_b", seed: WalletSeed | None = None,
                  **offer_kw: Any) -> tuple[Holder, Any, dict[str, Any], httpx.Response | Any]:
    made = dep.offer(who, **offer_kw)
    offer = decode(base64.b64decode(made["offer"]), Offer)
    holder = Holder(seed or WalletSeed.generate())
    req, pending = holder.start_issuance(offer)
    r = dep.client.post("/v1/issue", content=encode(req), headers=CBOR)
    return holder, pending, made, r


def test_issuance_through_the_agency_signer(dep: Deployment, remote: tuple[str, SignerConfig, Any]) -> None:
    _url, cfg, _stop = remote
    seed = WalletSeed.generate()
    holder, pending, made, r = issue_through(dep, seed=seed)
    assert r.status_code == 200, r.text
    issued = decode(r.content, IssuedCredential)
    assert issued.issuer_kid == signer_key().kid
    entry = dep.trust_list().issuer(issued.issuer_kid)
    assert entry is not None and entry.public_key == signer_key().public_key
    cred = holder.finish_issuance(pending, issued, entry, dep.schema, now=dep.clock.now)  # verifies the signature
    # the card proves at a checkpoint like any other
    req, pres = dep.present(holder, cred)
    v = dep.client.post("/v1/verify", json=dep.verify_json(req, pres), headers=dep.h("device_b"))
    assert v.status_code == 200, v.text
    assert v.json()["issuer_kid"] == signer_key().kid.hex()
    # the agency's journal counts it, with the service's credential id and digests only
    entries, _head = read_journal(cfg.journal.path)
    assert [e["credential_id"] for e in entries] == [made["credential_id"]]
    assert "north" not in cfg.journal.path.read_text()
    # a re-issue through the signer keeps the pseudonyms (same signer entropy, forwarded)
    made2 = dep.offer("registrar_b", reissue_of=made["credential_id"])
    offer2 = decode(base64.b64decode(made2["offer"]), Offer)
    again = Holder(seed)  # the same wallet (restored from its recovery code)
    req2, pending2 = again.start_issuance(offer2)
    r2 = dep.client.post("/v1/issue", content=encode(req2), headers=CBOR)
    assert r2.status_code == 200, r2.text
    issued2 = decode(r2.content, IssuedCredential)
    assert issued2.signer_entropy == issued.signer_entropy
    again.finish_issuance(pending2, issued2, entry, dep.schema, now=dep.clock.now)
    assert [e["reissue"] for e in read_journal(cfg.journal.path)[0]] == [False, True]


def _cells(dep: Deployment) -> Iterator[tuple[str, str, Any]]:
    with dep.rt.store.read() as s:
        for table in Base.metadata.sorted_tables:
            for row in s.execute(select(table)):
                for col, value in zip(table.columns, row, strict=True):
                    yield table.name, col.name, value


def test_the_service_database_holds_no_secret_of_the_agency(dep: Deployment, remote: Any) -> None:
    _h, _p, _m, r = issue_through(dep)
    assert r.status_code == 200, r.text
    sk = signer_key().secret_key
    needles = [sk, sk.hex().encode(), base64.b64encode(sk)]
    found = [(t, c) for t, c, v in _cells(dep) if isinstance(v, bytes | str)
             and any(n in (v.encode() if isinstance(v, str) else v) for n in needles)]
    assert found == []
    with dep.rt.store.read() as s:
        rows = {row.kid: row for row in s.scalars(select(IssuerKeyRow))}
    assert rows[signer_key().kid.hex()].secret_key_enc == b""  # nothing sealed, not even an encrypted copy
    assert len(rows[dep.issuer_kid].secret_key_enc) > 32  # the service-held key of agency A, for contrast
    # every binary column was looked at (the scan is not vacuous)
    assert any(isinstance(col.type, LargeBinary) for t in Base.metadata.sorted_tables for col in t.columns)


def test_signer_down_is_a_clear_503_and_the_offer_stays_usable(dep: Deployment, remote: Any) -> None:
    _url, _cfg, stop = remote
    stop()
    _h, _p, made, r = issue_through(dep)
    body = problem(r, 503, "signer_unavailable")
    assert "signer" in body["detail"] and "unreachable" in body["detail"] and "still valid" in body["detail"]
    assert r.headers["Retry-After"]
    assert dep.client.get(f"/v1/offers/{made['code']}").status_code == 200  # not used up


def test_a_key_held_by_the_signer_is_not_rotated_by_the_service(dep: Deployment, remote: Any) -> None:
    kid = signer_key().kid.hex()
    r = dep.client.post(f"/v1/admin/issuer-keys/{kid}/rotate", json={}, headers=dep.h("admin_b"))
    assert problem(r, 409, "key_held_by_signer")["detail"].count("zkaid signer init") == 1


def test_registration_needs_a_signer_that_trusts_the_service(dep: Deployment, tmp_path: Path) -> None:
    cfg = open_signer(tmp_path / "s", frozenset({public_bytes(Ed25519PrivateKey.generate())}), dep.clock)
    url, stop = run_signer(cfg)
    try:
        r = dep.client.post("/v1/admin/issuer-keys/remote", json={"signer_url": url}, headers=dep.h("admin_b"))
        body = problem(r, 422, "invalid_signer")
        assert "unauthenticated" in body["detail"] and "pinned" in body["detail"]
    finally:
        stop()
    r = dep.client.post("/v1/admin/issuer-keys/remote", json={"signer_url": url}, headers=dep.h("admin_b"))
    problem(r, 503, "signer_unavailable")


# ---------------------------------------------------------------- the signer on its own

class Clock:
    now = 1_796_083_200.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def service_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def signer(tmp_path: Path, service_key: Ed25519PrivateKey) -> Iterator[tuple[SignerConfig, httpx.Client]]:
    from fastapi.testclient import TestClient

    cfg = open_signer(tmp_path / "signer", frozenset({public_bytes(service_key)}), Clock())
    with TestClient(create_signer_app(cfg)) as c:
        yield cfg, c


def wallet_request(key: IssuerKey | None = None, token: bytes | None = None) -> bytes:
    key = key or signer_key()
    offer = make_offer(key, household_schema(), token=token or os.urandom(32), endpoint="https://x.example/v1/issue",
                       expires=1_900_000_000)
    req, _pending = Holder(WalletSeed.generate()).start_issuance(offer)
    return encode(req)


def sign_body(request: bytes | None = None, values: Any = None, **kw: Any) -> bytes:
    schema = household_schema()
    raw = list(schema.encode_values(values or household())) if not isinstance(values, list) else values
    msg = {"v": 1, "request": request or wallet_request(), "schema": schema.ref, "values": raw, "entropy": None,
           "credential_id": os.urandom(16).hex(), "approval": None}
    msg.update(kw)
    return encode_canonical(msg)


def post(c: Any, key: Ed25519PrivateKey, body: bytes, *, at: int = 1_796_083_200,
         headers: dict[str, str] | None = None) -> Any:
    return c.post("/v1/sign", content=body, headers=headers or request_headers(key, "POST", "/v1/sign", body, now=at))


def reason(r: Any, status: int) -> str:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    return str(r.json()["reason"])


def test_signer_refuses_callers_it_does_not_trust(signer: Any, service_key: Ed25519PrivateKey) -> None:
    cfg, c = signer
    body = sign_body()
    assert reason(c.post("/v1/sign", content=body, headers=CBOR), 401) == "unauthenticated"
    assert reason(post(c, Ed25519PrivateKey.generate(), body), 401) == "unauthenticated"
    assert reason(post(c, service_key, body, at=1_796_083_200 - 600), 401) == "stale_request"
    # a signature over other bytes, and a replayed (captured) request
    h = request_headers(service_key, "POST", "/v1/sign", body, now=1_796_083_200)
    assert reason(post(c, service_key, sign_body(), headers=h), 401) == "unauthenticated"
    assert post(c, service_key, body, headers=h).status_code == 200
    assert reason(post(c, service_key, body, headers=h), 409) == "replayed"
    assert cfg.journal.size == 1


def test_signer_checks_what_it_signs(signer: Any, service_key: Ed25519PrivateKey) -> None:
    cfg, c = signer
    req = decode(wallet_request(), IssuanceRequest)
    bad = bytearray(req.commitment)
    bad[-1] ^= 1  # the commitment's proof of knowledge no longer verifies
    tampered = encode(IssuanceRequest(req.token, req.issuer_kid, req.nym_count, bytes(bad), None))
    assert reason(post(c, service_key, sign_body(tampered)), 422) == "invalid_commitment"
    other = IssuerKey.generate("Someone else", schemas=(HOUSEHOLD,), range_u=None)
    assert reason(post(c, service_key, sign_body(wallet_request(other))), 422) == "wrong_key"
    raw = list(household_schema().encode_values(household()))
    for i, bad_value in ((0, -1), (0, 2**64), (2, 99), (2, "north")):  # negative, too large, no such region
        wrong = list(raw)
        wrong[i] = bad_value
        assert reason(post(c, service_key, sign_body(values=wrong)), 422) == "invalid_values"
    assert reason(post(c, service_key, sign_body(values=raw[:-1])), 422) == "invalid_values"
    assert reason(post(c, service_key, sign_body(schema="org.zkaid.household@2")), 422) == "unknown_schema"
    assert reason(post(c, service_key, b"\x00not cbor"), 400) == "bad_request"
    assert reason(post(c, service_key, sign_body(entropy=b"\xff" * 32)), 400) == "bad_request"
    assert reason(post(c, service_key, sign_body(extra=1)), 400) == "bad_request"
    assert reason(post(c, service_key, sign_body(request=b"\x01" * 40)), 400) == "bad_request"
    assert cfg.journal.size == 0  # nothing was signed
    # one offer token is signed for once, ever
    token = os.urandom(32)
    assert post(c, service_key, sign_body(wallet_request(token=token))).status_code == 200
    assert reason(post(c, service_key, sign_body(wallet_request(token=token))), 409) == "replayed"
    assert cfg.journal.size == 1


def test_signer_rate_limit_and_registrar_approvals(tmp_path: Path, service_key: Ed25519PrivateKey) -> None:
    from fastapi.testclient import TestClient

    registrar = Ed25519PrivateKey.generate()
    clock = Clock()
    cfg = open_signer(tmp_path / "s", frozenset({public_bytes(service_key)}), clock,
                      registrar_keys=frozenset({public_bytes(registrar)}), max_per_hour=2)
    kid, schema = signer_key().kid, household_schema()
    with TestClient(create_signer_app(cfg)) as c:
        assert reason(post(c, service_key, sign_body()), 403) == "approval_required"
        ok = make_approval(registrar, issuer_kid=kid, schema=schema, values=household(), expires=int(clock.now) + 60)
        assert post(c, service_key, sign_body(approval=ok)).status_code == 200
        assert reason(post(c, service_key, sign_body(approval=ok)), 409) == "replayed"  # one card per approval
        other = make_approval(registrar, issuer_kid=kid, schema=schema, values=household(size=9),
                              expires=int(clock.now) + 60)
        assert reason(post(c, service_key, sign_body(approval=other)), 403) == "approval_invalid"
        forged = make_approval(Ed25519PrivateKey.generate(), issuer_kid=kid, schema=schema, values=household(),
                               expires=int(clock.now) + 60)
        assert reason(post(c, service_key, sign_body(approval=forged)), 403) == "approval_invalid"
        a2 = make_approval(registrar, issuer_kid=kid, schema=schema, values=household(), expires=int(clock.now) + 60)
        assert post(c, service_key, sign_body(approval=a2)).status_code == 200
        a3 = make_approval(registrar, issuer_kid=kid, schema=schema, values=household(), expires=int(clock.now) + 60)
        assert reason(post(c, service_key, sign_body(approval=a3)), 429) == "rate_limited"
        clock.now += 3601
        a4 = make_approval(registrar, issuer_kid=kid, schema=schema, values=household(), expires=int(clock.now) + 60)
        assert post(c, service_key, sign_body(approval=a4), at=int(clock.now)).status_code == 200
    assert cfg.journal.size == 3


def test_an_approval_reaches_the_signer_through_the_offer(dep: Deployment, tmp_path: Path) -> None:
    registrar = Ed25519PrivateKey.generate()
    pk = dep.client.get("/v1/admin/signer-client-key", headers=dep.h("admin_b")).json()["public_key"]
    cfg = open_signer(tmp_path / "s", frozenset({bytes.fromhex(pk)}), dep.clock,
                      registrar_keys=frozenset({public_bytes(registrar)}))
    url, stop = run_signer(cfg)
    try:
        r = dep.client.post("/v1/admin/issuer-keys/remote", json={"signer_url": url}, headers=dep.h("admin_b"))
        assert r.status_code == 201, r.text
        _h, _p, _m, r = issue_through(dep)  # no approval: refused, in words the registrar can act on
        assert "approval" in problem(r, 422, "signer_refused")["detail"]
        ap = make_approval(registrar, issuer_kid=signer_key().kid, schema=household_schema(), values=household(),
                           expires=dep.clock.now + 600)
        _h, _p, _m, r = issue_through(dep, approval=base64.b64encode(ap).decode())
        assert r.status_code == 200, r.text
    finally:
        stop()
    # an approval for a key the service holds is refused at the offer
    r = dep.client.post("/v1/offers", json={"schema": HOUSEHOLD, "values": household(),
                                            "approval": base64.b64encode(ap).decode()}, headers=dep.h("registrar_a"))
    problem(r, 422, "approval_not_used")


# ------------------------------------------------------------ key file, journal, CLI

def test_key_file_is_private_sealed_and_checked(tmp_path: Path) -> None:
    folder = tmp_path / "k"
    path = create_key_file(folder, signer_key(), [household_schema()], passphrase="correct horse battery",
                           kek_file=None, write=atomic_write)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert signer_key().secret_key.hex() not in path.read_text()
    assert open_key_file(folder, passphrase="correct horse battery", kek_file=None).key == signer_key()
    with pytest.raises(SignerKeyError, match="wrong passphrase"):
        open_key_file(folder, passphrase="wrong horse battery", kek_file=None)
    with pytest.raises(SignerKeyError, match="exists already"):
        create_key_file(folder, signer_key(), [household_schema()], passphrase="correct horse battery",
                        kek_file=None, write=atomic_write)
    with pytest.raises(SignerKeyError, match="too short"):
        create_key_file(tmp_path / "k2", signer_key(), [household_schema()], passphrase="short", kek_file=None,
                          write=atomic_write)


def test_journal_chain_shows_an_edited_or_removed_line(tmp_path: Path) -> None:
    j = Journal(tmp_path / JOURNAL_FILE)
    for i in range(3):
        with j.lock:
            j.append({"at": 1_796_083_200 + i, "kid": "k", "schema": HOUSEHOLD, "credential_id": f"{i:032x}",
                      "token": hashlib.sha256(bytes([i])).hexdigest(), "request": "r", "values": "v",
                      "reissue": False, "approval": None})
    assert len(read_journal(j.path)[0]) == 3 and Journal(j.path).seen_token(hashlib.sha256(b"\x01").hexdigest())
    lines = j.path.read_text().splitlines()
    j.path.write_text("\n".join([lines[0], lines[2]]) + "\n")
    with pytest.raises(JournalError, match="line 2"):
        read_journal(j.path)
    j.path.write_text("\n".join([lines[0], lines[1].replace('"reissue":false', '"reissue":true'), lines[2]]) + "\n")
    with pytest.raises(JournalError, match="line 3"):
        read_journal(j.path)


def test_cli_init_and_journal(tmp_path: Path) -> None:
    from zkaid.cli import app

    runner = CliRunner()
    folder, kek = tmp_path / "signer", tmp_path / "kek"
    r = runner.invoke(app, ["signer", "init", "--dir", str(folder), "--name", "Agency C registration",
                            "--no-range-params", "--kek-file", str(kek)])
    assert r.exit_code == 0, r.output
    assert stat.S_IMODE(kek.stat().st_mode) == 0o600 and stat.S_IMODE((folder / KEY_FILE).stat().st_mode) == 0o600
    key = open_key_file(folder, passphrase=None, kek_file=kek).key
    assert key.kid.hex() in r.output and key.name == "Agency C registration"
    r = runner.invoke(app, ["signer", "init", "--dir", str(folder), "--name", "x", "--kek-file", str(kek)])
    assert r.exit_code == 2 and "exists already" in r.output
    r = runner.invoke(app, ["signer", "journal", "--dir", str(folder)])
    assert r.exit_code == 0 and "0 cards signed" in r.output
    r = runner.invoke(app, ["signer", "serve", "--dir", str(folder), "--kek-file", str(kek)])
    assert r.exit_code == 2 and "--service-key" in r.output
