"""``zkaid witness``: an agency checks that the shared registry's log only ever grows.

Each run fetches the signed tree head, checks it is consistent with the last head this
witness saw (RFC 9162 §2.1.4), downloads the new entries into a local mirror of leaf hashes
and checks they rebuild the head's root, then co-signs the head with the agency's witness key
and hands the co-signature to the service. A deleted or rewritten entry breaks one of these
checks; the witness then compares its mirror with what the log serves now and reports the
entry (index, kind, time) that changed. Its state stays at the last good head, so the
finding is repeated on every run until someone looks.

State folder: ``state.json`` (pinned log key, last head, the mirror's peaks), ``leaves.bin``
(32 bytes per entry), ``witness.key`` (Ed25519, 0600). Uses :mod:`sdk.log` only, no service code.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sdk.errors import ZkaidError
from sdk.log import (
    CompactRange,
    LogError,
    TreeHead,
    cosign_tree_head,
    decode_entry,
    leaf_hash,
    verify_consistency,
    verify_tree_head,
)

__all__ = ["Finding", "Witness", "WitnessReport", "witness_app"]

PAGE = 1000


# The witness talks to the log through any httpx-like client (``get(url, params=...)``,
# ``post(url, json=...)``, answers with ``status_code``, ``headers`` and ``json()``): an
# ``httpx.Client`` with the agency's key, or a test client.
Http = Any


@dataclass(frozen=True)
class Finding:
    """An entry this witness saw that the log no longer shows as it was."""

    index: int
    change: str  # deleted | rewritten | shrunk | unverifiable
    kind: str
    at: int
    witnessed: str  # leaf hash hex this witness recorded
    now: str | None  # leaf hash hex the log serves now (None: nothing)

    def describe(self) -> str:
        when = dt.datetime.fromtimestamp(self.at, dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if self.at else "?"
        now = f", the log now shows {self.now[:16]}..." if self.now else ""
        return (f"entry {self.index} ({self.kind} at {when}, leaf {self.witnessed[:16]}...) was "
                f"{self.change}{now}")


@dataclass
class WitnessReport:
    size: int = 0
    previous: int = 0
    new_entries: int = 0
    findings: list[Finding] = field(default_factory=list)
    problem: str | None = None
    cosigned: bool = False

    @property
    def ok(self) -> bool:
        return not self.findings and self.problem is None


class Witness:
    """One agency's witness over one log, with its state in ``folder``."""

    def __init__(self, folder: Path, client: Http, *, log_key: bytes | None = None) -> None:
        self.folder = folder
        self.client = client
        self.pinned = log_key
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
        self.state: dict[str, Any] = {}
        if (folder / "state.json").exists():
            self.state = json.loads((folder / "state.json").read_text("utf-8"))

    # -- keys and state -----------------------------------------------------------
    def key(self) -> Ed25519PrivateKey:
        path = self.folder / "witness.key"
        if path.exists():
            k = serialization.load_pem_private_key(path.read_bytes(), password=None)
            assert isinstance(k, Ed25519PrivateKey)
            return k
        k = Ed25519PrivateKey.generate()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
        return k

    def public_key(self) -> bytes:
        return self.key().public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    def _mirror(self) -> list[bytes]:
        path = self.folder / "leaves.bin"
        data = path.read_bytes() if path.exists() else b""
        return [data[i:i + 32] for i in range(0, len(data), 32)]

    def _save(self, head: TreeHead, signed: bytes, cr: CompactRange, new: list[bytes], log_key: bytes) -> None:
        with open(self.folder / "leaves.bin", "ab") as f:
            f.write(b"".join(new))
            f.flush()
            os.fsync(f.fileno())
        self.state = {"log_key": log_key.hex(), "size": head.size, "root": head.root.hex(),
                      "signed": base64.b64encode(signed).decode(), "peaks": [p.hex() for p in cr.peaks]}
        tmp = self.folder / "state.json.tmp"
        tmp.write_text(json.dumps(self.state, indent=1), "utf-8")
        os.replace(tmp, self.folder / "state.json")

    # -- the check ----------------------------------------------------------------
    def _get(self, url: str, **params: Any) -> Any:
        r = self.client.get(url, params=params)
        if r.status_code != 200:
            body = r.json() if r.headers.get("content-type", "").endswith("json") else {}
            raise _Served(r.status_code, body)
        return r.json()

    def _entries(self, start: int, end: int) -> dict[int, tuple[bytes, bytes]]:
        out: dict[int, tuple[bytes, bytes]] = {}
        while start < end:
            page = self._get("/v1/log/entries", start=start, end=min(end, start + PAGE))
            for e in page:
                out[int(e["index"])] = (base64.b64decode(e["entry"]), bytes.fromhex(e["leaf_hash"]))
            start = min(end, start + PAGE)
        return out

    def _diagnose(self, mirror: list[bytes], report: WitnessReport) -> None:
        """Compare what this witness recorded with what the log serves now."""
        served = self._entries(0, len(mirror))
        for i, mine in enumerate(mirror):
            got = served.get(i)
            if got is not None and leaf_hash(got[0]) == mine:
                continue
            # what the entry was: the witness keeps hashes only; the log may still serve it elsewhere
            kind, at = "entry", 0
            if got is None:
                change, now = "deleted", None
            else:
                change, now = "rewritten", leaf_hash(got[0]).hex()
                try:
                    e = decode_entry(got[0])
                    kind, at = f"now: {e.kind}", e.at
                except LogError:
                    kind = "now unreadable"
            report.findings.append(Finding(i, change, kind, at, mine.hex(), now))
            if len(report.findings) >= 20:
                return

    def check(self, *, audit: bool = False, submit: bool = True) -> WitnessReport:
        report = WitnessReport()
        th = self._get("/v1/log/tree-head")
        log_key = bytes.fromhex(th["public_key"])
        pinned = self.pinned or (bytes.fromhex(self.state["log_key"]) if self.state else None)
        if pinned is not None and log_key != pinned:
            report.problem = "the log now signs with another key than the one this witness pinned"
            return report
        signed = base64.b64decode(th["signed"])
        try:
            head = verify_tree_head(signed, log_key)
        except LogError as exc:
            report.problem = f"the tree head does not verify: {exc.message}"
            return report
        old_size = int(self.state.get("size", 0))
        old_root = bytes.fromhex(self.state["root"]) if self.state else b""
        report.size, report.previous = head.size, old_size
        mirror = self._mirror()
        try:
            if head.size < old_size:
                raise LogError(f"the log shrank from {old_size} to {head.size} entries", reason="log_shrunk")
            if old_size:
                proof = self._get("/v1/log/consistency", first=old_size, second=head.size)
                verify_consistency(old_size, head.size, old_root, head.root,
                                   [bytes.fromhex(p) for p in proof["path"]])
            cr = CompactRange(old_size, [bytes.fromhex(p) for p in self.state.get("peaks", [])])
            fresh = self._entries(old_size, head.size)
            new: list[bytes] = []
            for i in range(old_size, head.size):
                if i not in fresh:
                    raise LogError(f"the log does not serve entry {i}", reason="log_damaged")
                h = leaf_hash(fresh[i][0])
                if h != fresh[i][1]:
                    raise LogError(f"entry {i} does not hash to its leaf hash", reason="log_bad_entry")
                cr.append(h)
                new.append(h)
            if cr.root() != head.root:
                raise LogError("the new entries do not rebuild the signed root", reason="log_inconsistent")
            if audit:
                self._diagnose(mirror, report)
                if report.findings:
                    return report
        except (LogError, _Served) as exc:
            self._diagnose(mirror, report)
            if not report.findings:
                report.problem = str(exc)
            return report
        report.new_entries = len(new)
        co = cosign_tree_head(head, self.key())
        if submit:
            r = self.client.post("/v1/log/cosignatures", json={
                "tree_head": th["signed"], "cosignature": base64.b64encode(co).decode(),
                "witness_public_key": self.public_key().hex()})
            report.cosigned = r.status_code == 201
            if not report.cosigned:
                report.problem = f"the service refused the co-signature ({r.status_code})"
        self._save(head, signed, cr, new, log_key)
        return report


class _Served(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"the log answered {status}: {body.get('detail', '')}")
        self.status, self.body = status, body


# ------------------------------------------------------------------------- CLI

witness_app = typer.Typer(help="Witness the shared registry's log: consistency, co-signing, tamper reports.",
                          no_args_is_help=True)

Url = Annotated[str, typer.Option("--url", envvar="ZKAID_SERVICE_URL", help="The registry service's base URL.")]
Key = Annotated[str, typer.Option("--api-key", envvar="ZKAID_API_KEY", help="An admin or auditor key of your agency.")]
State = Annotated[Path, typer.Option("--state", help="This witness's folder (keys, last head, mirror).")]


@witness_app.command("check")
def check_cmd(url: Url, api_key: Key, state: State = Path("zkaid-witness"),
              log_key: Annotated[str | None, typer.Option("--log-key", help="Hex log key to pin (else: first use).")] = None,
              audit: Annotated[bool, typer.Option("--audit", help="Re-read every entry and compare with the mirror.")] = False,
              ) -> None:
    """Check the log grew honestly since the last run; co-sign it; report tampered entries (exit 3)."""
    import httpx

    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {api_key}"}, timeout=60) as client:
        try:
            w = Witness(state, client, log_key=bytes.fromhex(log_key) if log_key else None)
            rep = w.check(audit=audit)
        except (httpx.HTTPError, ZkaidError, ValueError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
    for f in rep.findings:
        typer.echo(f"TAMPERED: {f.describe()}")
    if rep.problem:
        typer.echo(f"PROBLEM: {rep.problem}")
    if not rep.ok:
        raise typer.Exit(3)
    typer.echo(f"log consistent: {rep.previous} -> {rep.size} entries ({rep.new_entries} new), "
               f"{'co-signed' if rep.cosigned else 'not co-signed'}")


@witness_app.command("key")
def key_cmd(state: State = Path("zkaid-witness")) -> None:
    """Print this witness's public key (give it to the other agencies)."""
    import httpx

    with httpx.Client() as client:
        typer.echo(Witness(state, client).public_key().hex())
