"""The device's enrollment ledger: SQLite, one row per (scope, pseudonym), atomic.

It implements :class:`sdk.credential.Ledger` (``lookup`` / ``enroll`` raising
:class:`~sdk.credential.AlreadyEnrolled`) over one table that holds both kinds of rows:

- **local** enrollments made on this device (``synced`` = 0 until the service took them;
  ``seq`` is the local order, used for uploads);
- **remote** enrollments brought by sync (other devices, this agency's or another's).

Because both share the ``UNIQUE(scope, pseudonym)`` constraint, "already enrolled" is one
``INSERT`` that either succeeds or fails, whoever asks and however many threads or
processes share the file (WAL mode, ``synchronous=FULL``: a committed enrollment survives
a power cut, so a crash cannot let a second enrollment of the same person through).

Duplicates that happened while desks were offline are reported by the service at sync;
they are kept in ``conflicts`` for follow-up, never dropped. The ledger holds pseudonyms,
scopes, times and agency ids only: no names, no attributes, no presentation bytes.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sdk.credential import AlreadyEnrolled, Enrollment

__all__ = [
    "Conflict",
    "LedgerEntry",
    "LedgerStats",
    "SQLiteLedger",
    "scopes_key",
]

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS enrollments (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    scope        TEXT    NOT NULL,
    pseudonym    BLOB    NOT NULL,
    agency       TEXT    NOT NULL,
    enrolled_at  INTEGER NOT NULL,
    origin       TEXT    NOT NULL CHECK (origin IN ('local', 'remote')),
    synced       INTEGER NOT NULL DEFAULT 0,
    UNIQUE (scope, pseudonym)
);
CREATE INDEX IF NOT EXISTS enrollments_to_upload ON enrollments (origin, synced, seq);
CREATE TABLE IF NOT EXISTS sync_state (
    scopes     TEXT    PRIMARY KEY,
    cursor     INTEGER NOT NULL,
    synced_at  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS conflicts (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    scope               TEXT    NOT NULL,
    pseudonym           BLOB    NOT NULL,
    first_agency        TEXT    NOT NULL,
    first_enrolled_at   INTEGER NOT NULL,
    second_agency       TEXT    NOT NULL,
    second_enrolled_at  INTEGER NOT NULL,
    reported_at         INTEGER NOT NULL,
    followed_up_at      INTEGER,
    UNIQUE (scope, pseudonym, first_agency, first_enrolled_at, second_agency, second_enrolled_at)
);
"""


def scopes_key(scopes: Iterable[str]) -> str:
    """The key of a sync cursor: the sorted set of scopes it was obtained for."""
    return "\n".join(sorted(set(scopes)))


@dataclass(frozen=True)
class LedgerEntry:
    """One enrollment row, with where it came from."""

    seq: int
    scope: str
    pseudonym: bytes
    agency: str
    enrolled_at: int
    origin: str  # "local" or "remote"
    synced: bool

    @property
    def enrollment(self) -> Enrollment:
        return Enrollment(self.scope, self.pseudonym, self.agency, self.enrolled_at)


@dataclass(frozen=True)
class Conflict:
    """A duplicate the service found: the same pseudonym enrolled twice in one scope."""

    id: int
    scope: str
    pseudonym: bytes
    first_agency: str
    first_enrolled_at: int
    second_agency: str
    second_enrolled_at: int
    reported_at: int
    followed_up_at: int | None

    @property
    def open(self) -> bool:
        return self.followed_up_at is None


@dataclass(frozen=True)
class LedgerStats:
    scope: str
    local: int
    unsynced: int
    remote: int
    open_conflicts: int
    last_sync: int | None


class SQLiteLedger:
    """An enrollment ledger in one SQLite file (or ``":memory:"``)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        # One connection guarded by a lock: the app checks from the UI thread and syncs
        # from a worker; other processes get SQLite's own locking (busy timeout below).
        self._conn = sqlite3.connect(self.path, timeout=10.0, isolation_level=None,
                                     check_same_thread=False)
        self._lock = threading.RLock()
        with self._lock:
            if self.path != ":memory:":
                self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.executescript(_SCHEMA)
            self._conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def __repr__(self) -> str:
        return f"SQLiteLedger({self.path!r})"

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> SQLiteLedger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; BEGIN IMMEDIATE takes the write lock up front."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    # -- the sdk.credential.Ledger protocol ---------------------------------------
    def lookup(self, scope: str, pseudonym: bytes) -> Enrollment | None:
        entry = self.entry(scope, pseudonym)
        return entry.enrollment if entry is not None else None

    def enroll(self, scope: str, pseudonym: bytes, *, agency: str, at: int) -> Enrollment:
        """Record a local enrollment atomically, or raise AlreadyEnrolled with the first."""
        with self._tx() as conn:
            try:
                conn.execute(
                    "INSERT INTO enrollments (scope, pseudonym, agency, enrolled_at, origin, synced) "
                    "VALUES (?, ?, ?, ?, 'local', 0)",
                    (scope, bytes(pseudonym), agency, int(at)),
                )
            except sqlite3.IntegrityError:
                first = self._entry(conn, scope, pseudonym)
                if first is None:  # pragma: no cover - the constraint names this row
                    raise
                raise AlreadyEnrolled(first.enrollment) from None
        return Enrollment(scope, bytes(pseudonym), agency, int(at))

    # -- queries ----------------------------------------------------------------
    @staticmethod
    def _entry(conn: sqlite3.Connection, scope: str, pseudonym: bytes) -> LedgerEntry | None:
        row = conn.execute(
            "SELECT seq, scope, pseudonym, agency, enrolled_at, origin, synced FROM enrollments "
            "WHERE scope = ? AND pseudonym = ?",
            (scope, bytes(pseudonym)),
        ).fetchone()
        return _to_entry(row) if row else None

    def entry(self, scope: str, pseudonym: bytes) -> LedgerEntry | None:
        with self._lock:
            return self._entry(self._conn, scope, pseudonym)

    def entries(self, scope: str | None = None) -> list[LedgerEntry]:
        sql = "SELECT seq, scope, pseudonym, agency, enrolled_at, origin, synced FROM enrollments"
        args: tuple[str, ...] = ()
        if scope is not None:
            sql += " WHERE scope = ?"
            args = (scope,)
        with self._lock:
            return [_to_entry(r) for r in self._conn.execute(sql + " ORDER BY seq", args)]

    def unsynced(self, scopes: Sequence[str], *, limit: int = 500) -> list[LedgerEntry]:
        """Local enrollments in ``scopes`` the service has not taken yet, oldest first."""
        marks = ",".join("?" * len(scopes))
        with self._lock:
            rows = self._conn.execute(
                "SELECT seq, scope, pseudonym, agency, enrolled_at, origin, synced FROM enrollments "
                f"WHERE origin = 'local' AND synced = 0 AND scope IN ({marks}) ORDER BY seq LIMIT ?",
                (*scopes, limit),
            ).fetchall()
        return [_to_entry(r) for r in rows]

    def reset_sync(self, scopes: Sequence[str]) -> int:
        """Forget what was synced in ``scopes``: every local enrollment is sent again and the
        cursor starts from 0 (after the registry was restored from a backup). Returns how
        many local enrollments will be re-sent."""
        marks = ",".join("?" * len(scopes))
        with self._tx() as conn:
            n = conn.execute(
                f"UPDATE enrollments SET synced = 0 WHERE origin = 'local' AND scope IN ({marks})", tuple(scopes)
            ).rowcount
            conn.execute("DELETE FROM sync_state WHERE scopes = ?", (scopes_key(scopes),))
        return int(n)

    def mark_synced(self, seqs: Iterable[int]) -> None:
        ids = [(int(s),) for s in seqs]
        with self._tx() as conn:
            conn.executemany("UPDATE enrollments SET synced = 1 WHERE seq = ?", ids)

    def add_remote(self, scope: str, pseudonym: bytes, *, agency: str, at: int) -> LedgerEntry | None:
        """Store an enrollment another device made. Returns None when stored, or the row
        that already holds this pseudonym (the caller decides whether that is a conflict)."""
        with self._tx() as conn:
            existing = self._entry(conn, scope, pseudonym)
            if existing is not None:
                return existing
            conn.execute(
                "INSERT INTO enrollments (scope, pseudonym, agency, enrolled_at, origin, synced) "
                "VALUES (?, ?, ?, ?, 'remote', 1)",
                (scope, bytes(pseudonym), agency, int(at)),
            )
        return None

    # -- sync state ----------------------------------------------------------------
    def cursor(self, scopes: Iterable[str]) -> int:
        with self._lock:
            row = self._conn.execute(
                "SELECT cursor FROM sync_state WHERE scopes = ?", (scopes_key(scopes),)
            ).fetchone()
        return int(row[0]) if row else 0

    def last_sync(self, scopes: Iterable[str]) -> int | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT synced_at FROM sync_state WHERE scopes = ?", (scopes_key(scopes),)
            ).fetchone()
        return int(row[0]) if row else None

    def set_cursor(self, scopes: Iterable[str], cursor: int, *, at: int) -> None:
        with self._tx() as conn:
            conn.execute(
                "INSERT INTO sync_state (scopes, cursor, synced_at) VALUES (?, ?, ?) "
                "ON CONFLICT (scopes) DO UPDATE SET cursor = excluded.cursor, synced_at = excluded.synced_at",
                (scopes_key(scopes), int(cursor), int(at)),
            )

    # -- conflicts -----------------------------------------------------------------
    def add_conflict(self, scope: str, pseudonym: bytes, *, first_agency: str, first_enrolled_at: int,
                     second_agency: str, second_enrolled_at: int, reported_at: int) -> bool:
        """Keep a duplicate for follow-up; False when this one was already known."""
        with self._tx() as conn:
            cur = conn.execute(
                "INSERT OR IGNORE INTO conflicts (scope, pseudonym, first_agency, first_enrolled_at, "
                "second_agency, second_enrolled_at, reported_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (scope, bytes(pseudonym), first_agency, int(first_enrolled_at), second_agency,
                 int(second_enrolled_at), int(reported_at)),
            )
            return cur.rowcount == 1

    def conflicts(self, scope: str | None = None, *, open_only: bool = False) -> list[Conflict]:
        sql = ("SELECT id, scope, pseudonym, first_agency, first_enrolled_at, second_agency, "
               "second_enrolled_at, reported_at, followed_up_at FROM conflicts WHERE 1 = 1")
        args: list[str] = []
        if scope is not None:
            sql += " AND scope = ?"
            args.append(scope)
        if open_only:
            sql += " AND followed_up_at IS NULL"
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY id", args).fetchall()
        return [Conflict(int(r[0]), r[1], bytes(r[2]), r[3], int(r[4]), r[5], int(r[6]), int(r[7]),
                         None if r[8] is None else int(r[8])) for r in rows]

    def follow_up(self, conflict_id: int, *, at: int) -> None:
        """Mark a conflict as handled (someone followed it up with the other agency)."""
        with self._tx() as conn:
            conn.execute("UPDATE conflicts SET followed_up_at = ? WHERE id = ? AND followed_up_at IS NULL",
                         (int(at), int(conflict_id)))

    # -- numbers for the screens ---------------------------------------------------
    def stats(self, scope: str) -> LedgerStats:
        with self._lock:
            local, unsynced, remote = self._conn.execute(
                "SELECT COALESCE(SUM(origin = 'local'), 0), "
                "COALESCE(SUM(origin = 'local' AND synced = 0), 0), "
                "COALESCE(SUM(origin = 'remote'), 0) FROM enrollments WHERE scope = ?",
                (scope,),
            ).fetchone()
            (open_conflicts,) = self._conn.execute(
                "SELECT COUNT(*) FROM conflicts WHERE scope = ? AND followed_up_at IS NULL", (scope,)
            ).fetchone()
        return LedgerStats(scope, int(local), int(unsynced), int(remote), int(open_conflicts),
                           self.last_sync([scope]))


def _to_entry(row: tuple[Any, ...]) -> LedgerEntry:
    seq, scope, nym, agency, at, origin, synced = row
    return LedgerEntry(int(seq), str(scope), bytes(nym), str(agency), int(at), str(origin), bool(synced))
