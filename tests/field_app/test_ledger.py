"""The device ledger: one row per (scope, pseudonym), atomic, and nothing personal in it."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from field_app.ledger import SQLiteLedger, scopes_key
from sdk.credential import AlreadyEnrolled, Ledger

SCOPE = "cva/2026-12/round-1"
NYM = bytes(range(48))
OTHER = bytes(range(1, 49))


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[SQLiteLedger]:
    led = SQLiteLedger(tmp_path / "ledger.sqlite3")
    yield led
    led.close()


def test_it_is_an_sdk_ledger(ledger: SQLiteLedger) -> None:
    as_protocol: Ledger = ledger
    first = as_protocol.enroll(SCOPE, NYM, agency="agency-b", at=100)
    assert as_protocol.lookup(SCOPE, NYM) == first
    with pytest.raises(AlreadyEnrolled) as caught:
        as_protocol.enroll(SCOPE, NYM, agency="agency-c", at=200)
    assert caught.value.reason == "already_enrolled"
    assert caught.value.first == first  # who was first, and when
    # another scope is another round: the same bytes enroll again (they would be another
    # pseudonym in practice; unlinkable across scopes)
    as_protocol.enroll("cva/2027-01/round-2", NYM, agency="agency-b", at=300)
    assert as_protocol.lookup("cva/2027-01/round-2", NYM) is not None


def test_schema_is_wal_unique_and_holds_no_personal_data(ledger: SQLiteLedger, tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "ledger.sqlite3")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    ddl = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'enrollments'").fetchone()[0]
    assert "UNIQUE (scope, pseudonym)" in ddl
    columns = {t: [r[1] for r in conn.execute(f"PRAGMA table_info({t})")]
               for t in ("enrollments", "sync_state", "conflicts")}
    assert columns["enrollments"] == ["seq", "scope", "pseudonym", "agency", "enrolled_at", "origin", "synced"]
    assert columns["sync_state"] == ["scopes", "cursor", "synced_at"]
    assert columns["conflicts"] == ["id", "scope", "pseudonym", "first_agency", "first_enrolled_at",
                                    "second_agency", "second_enrolled_at", "reported_at", "followed_up_at"]
    conn.close()


def test_concurrent_enrollments_of_one_person_give_exactly_one_success(tmp_path: Path) -> None:
    """Threads on one connection and a second connection (another process's view) race."""
    path = tmp_path / "race.sqlite3"
    ledgers = [SQLiteLedger(path), SQLiteLedger(path)]
    wins: list[str] = []
    losses: list[str] = []
    start = threading.Barrier(16)

    def attempt(i: int) -> None:
        start.wait()
        try:
            ledgers[i % 2].enroll(SCOPE, NYM, agency=f"agency-{i}", at=i)
            wins.append(f"agency-{i}")
        except AlreadyEnrolled as exc:
            losses.append(exc.first.agency)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1 and len(losses) == 15
    assert set(losses) == set(wins)  # every loser was told who won
    assert len(ledgers[0].entries(SCOPE)) == 1
    for led in ledgers:
        led.close()


def test_remote_rows_block_local_enrollment(ledger: SQLiteLedger) -> None:
    assert ledger.add_remote(SCOPE, NYM, agency="agency-a", at=50) is None
    with pytest.raises(AlreadyEnrolled) as caught:
        ledger.enroll(SCOPE, NYM, agency="agency-b", at=100)
    assert (caught.value.first.agency, caught.value.first.at) == ("agency-a", 50)
    entry = ledger.entry(SCOPE, NYM)
    assert entry is not None and entry.origin == "remote" and entry.synced
    # a remote row for a pseudonym already held is not stored twice
    ledger.enroll(SCOPE, OTHER, agency="agency-b", at=100)
    held = ledger.add_remote(SCOPE, OTHER, agency="agency-a", at=90)
    assert held is not None and held.origin == "local"


def test_upload_queue_cursor_and_stats(ledger: SQLiteLedger) -> None:
    ledger.enroll(SCOPE, NYM, agency="agency-b", at=1)
    ledger.enroll(SCOPE, OTHER, agency="agency-b", at=2)
    ledger.enroll("other/scope", NYM, agency="agency-b", at=3)
    pending = ledger.unsynced([SCOPE])
    assert [e.enrolled_at for e in pending] == [1, 2]  # oldest first, this scope only
    assert ledger.unsynced([SCOPE], limit=1)[0].enrolled_at == 1
    ledger.mark_synced([pending[0].seq])
    assert [e.enrolled_at for e in ledger.unsynced([SCOPE])] == [2]
    assert ledger.cursor([SCOPE]) == 0 and ledger.last_sync([SCOPE]) is None
    ledger.set_cursor([SCOPE, "b"], 42, at=1000)
    assert ledger.cursor(["b", SCOPE]) == 42  # the cursor belongs to the set of scopes
    assert ledger.cursor([SCOPE]) == 0
    assert scopes_key(["b", "a", "b"]) == "a\nb"
    ledger.add_remote(SCOPE, bytes(48), agency="agency-a", at=5)
    s = ledger.stats(SCOPE)
    assert (s.local, s.unsynced, s.remote, s.open_conflicts) == (2, 1, 1, 0)


def test_conflicts_are_kept_once_and_followed_up(ledger: SQLiteLedger) -> None:
    args = dict(first_agency="agency-a", first_enrolled_at=10, second_agency="agency-b",
                second_enrolled_at=20, reported_at=30)
    assert ledger.add_conflict(SCOPE, NYM, **args)  # type: ignore[arg-type]
    assert not ledger.add_conflict(SCOPE, NYM, **args)  # type: ignore[arg-type]  # reported again: same one
    (c,) = ledger.conflicts(SCOPE)
    assert c.open and c.first_agency == "agency-a" and c.second_enrolled_at == 20
    ledger.follow_up(c.id, at=40)
    assert ledger.conflicts(SCOPE, open_only=True) == []
    assert ledger.conflicts(SCOPE)[0].followed_up_at == 40
    assert ledger.stats(SCOPE).open_conflicts == 0


def test_memory_ledger_and_reopen(tmp_path: Path) -> None:
    mem = SQLiteLedger(":memory:")
    mem.enroll(SCOPE, NYM, agency="x", at=1)
    assert mem.lookup(SCOPE, NYM) is not None
    mem.close()
    path = tmp_path / "l.sqlite3"
    with SQLiteLedger(path) as led:
        led.enroll(SCOPE, NYM, agency="x", at=1)
    with SQLiteLedger(path) as led:  # survives a restart
        assert led.lookup(SCOPE, NYM) is not None
