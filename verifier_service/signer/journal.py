"""The signer's issuance journal: one line per signature, append-only, hash-chained.

Each line is a JSON object with digests and counters only (no names, no attribute values):

    {"seq": 7, "at": 1796083200, "kid": "...", "schema": "org.zkaid.household@2",
     "credential_id": "<the service's random id>", "token": SHA-256 of the offer token,
     "request": SHA-256 of the wallet's IssuanceRequest, "values": SHA-256 of the signed values,
     "reissue": false, "approval": SHA-256 of the registrar approval or null,
     "prev": SHA-256 of the previous line}

The agency counts what its key signed (per day, per schema) and compares it with the
credentials the registry lists for it; the chain makes a removed or edited line visible to
``zkaid signer journal`` (truncating the tail is not detectable from the file alone: keep a
copy of the last line's digest elsewhere, e.g. in the agency's weekly report).

Every line is written and fsynced *before* the signature leaves the signer: a signature the
journal does not hold was never returned.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["JOURNAL_FILE", "Journal", "JournalError", "JournalSummary", "read_journal"]

JOURNAL_FILE = "journal.jsonl"
GENESIS = "0" * 64


class JournalError(Exception):
    """The journal cannot be written, or its chain is broken."""


@dataclass(frozen=True)
class JournalSummary:
    entries: int
    head: str
    per_day: dict[str, int]
    per_schema: dict[str, int]
    reissues: int


def _digest(line: bytes) -> str:
    return hashlib.sha256(line).hexdigest()


def read_journal(path: Path) -> tuple[list[dict[str, Any]], str]:
    """The entries and the head digest; JournalError on a broken chain (with the line)."""
    entries: list[dict[str, Any]] = []
    prev = GENESIS
    if not path.exists():
        return entries, prev
    with path.open("rb") as f:
        for n, raw in enumerate(f, start=1):
            line = raw.rstrip(b"\n")
            try:
                entry = json.loads(line)
            except json.JSONDecodeError as exc:
                raise JournalError(f"journal line {n} is not JSON: the file was edited or cut") from exc
            if entry.get("prev") != prev or entry.get("seq") != n:
                raise JournalError(f"journal line {n} does not follow line {n - 1}: a line was removed, "
                                   "inserted or edited")
            prev = _digest(line)
            entries.append(entry)
    return entries, prev


def summarise(entries: list[dict[str, Any]], head: str) -> JournalSummary:
    import datetime as dt

    days = Counter(dt.datetime.fromtimestamp(int(e["at"]), dt.UTC).strftime("%Y-%m-%d") for e in entries)
    return JournalSummary(len(entries), head, dict(sorted(days.items())),
                          dict(Counter(str(e["schema"]) for e in entries)), sum(1 for e in entries if e["reissue"]))


class Journal:
    """Appends under a lock; remembers token and approval digests (a replay is refused) and
    the signing times of the last hour (the rate limit)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        entries, self._head = read_journal(path)
        self._seq = len(entries)
        self._tokens = {str(e["token"]) for e in entries}
        self._approvals = {str(e["approval"]) for e in entries if e.get("approval")}
        self._times = [int(e["at"]) for e in entries[-10_000:]]
        self.lock = threading.Lock()

    @property
    def size(self) -> int:
        return self._seq

    def seen_token(self, token_digest: str) -> bool:
        return token_digest in self._tokens

    def seen_approval(self, digest: str) -> bool:
        return digest in self._approvals

    def signed_since(self, since: int) -> int:
        return sum(1 for t in self._times if t > since)

    def append(self, entry: dict[str, Any]) -> str:
        """Write one entry (call with ``lock`` held); returns its line digest."""
        record = {"seq": self._seq + 1, **entry, "prev": self._head}
        line = json.dumps(record, sort_keys=True, separators=(",", ":")).encode()
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line + b"\n")
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise JournalError(f"cannot write the issuance journal {self.path}: {exc}") from exc
        self._seq += 1
        self._head = _digest(line)
        self._tokens.add(str(entry["token"]))
        if entry.get("approval"):
            self._approvals.add(str(entry["approval"]))
        self._times.append(int(entry["at"]))
        del self._times[:-10_000]
        return self._head
