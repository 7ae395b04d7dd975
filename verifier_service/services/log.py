"""The registry log: an append-only Merkle log (RFC 9162 shape) of every enrollment,
duplicate event, registration match record and card revocation, as digests.

The hashing and proof algorithms are :mod:`sdk.log` (shared with witnesses and field
devices); this module stores the tree so that a proof costs O(log n) database reads:

- ``log_leaves`` holds each entry and its leaf hash (level 0);
- ``log_nodes`` holds complete perfect subtrees at levels 4, 8, 12, ... (``STRIDE``): the hash
  of any perfect subtree is at most 2**3 = 8 rows of the stored level below it, read at once;
- ``log_state`` holds the right edge (size and peaks), so appending needs one read.

Appenders are serialised by a transaction-scoped lock (``LOG_LOCK`` on PostgreSQL; SQLite's
write lock), always taken after the registry lock, so indexes are dense and committed in
order. Everything is appended in the caller's transaction: an enrollment and its log entry
commit together or not at all.

Other features append through :func:`append_entries` (H4b: match records, H8: revocations)
with an :class:`sdk.log.LogEntry` of their kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from sdk.log import (
    HASH_SIZE,
    LogEntry,
    LogError,
    TreeHead,
    consistency_proof,
    digest,
    empty_root,
    enrollment_entry,
    inclusion_proof,
    leaf_hash,
    node_hash,
    sign_tree_head,
    verify_cosignature,
    verify_tree_head,
)
from sdk.reasons import LogServiceReason
from sdk.wire import ed25519_kid
from verifier_service.registry.db import LOG_LOCK, bulk_insert, xact_lock
from verifier_service.registry.log_models import LogCosignature, LogLeaf, LogNode, LogState
from verifier_service.registry.models import Meta
from verifier_service.services.errors import Conflict, Invalid, NotFound, Unavailable
from verifier_service.services.sealing import Keyring

__all__ = [
    "STRIDE",
    "LogDamaged",
    "SignedHead",
    "append_entries",
    "consistency",
    "cosign",
    "duplicate_entry",
    "entries",
    "inclusion",
    "index_of",
    "load_or_create_key",
    "log_enrollments",
    "state",
    "tree_head",
]

STRIDE = 4  # stored node levels: multiples of 4
_KEY_META = "log_signing_key"
_STATE_ID = 1
MAX_ENTRIES_PAGE = 1000


class LogDamaged(Unavailable):
    """Rows of the log are missing or do not fit: someone changed the database behind the service."""


@dataclass(frozen=True)
class SignedHead:
    size: int
    root: bytes
    timestamp: int
    signed: bytes
    public_key: bytes


# ------------------------------------------------------------------------ the key

def load_or_create_key(session: Session, keyring: Keyring) -> Ed25519PrivateKey:
    """The log's Ed25519 key, sealed with the KEK in ``meta`` (made on first start; workers
    racing to make it agree on the first one written)."""
    row = session.get(Meta, _KEY_META)
    if row is None:
        fresh = Ed25519PrivateKey.generate()
        raw = fresh.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        ins = pg_insert(Meta) if session.get_bind().dialect.name == "postgresql" else sqlite_insert(Meta)
        session.execute(ins.values(key=_KEY_META, value=keyring.seal(raw, _KEY_META)).on_conflict_do_nothing())
        row = session.get(Meta, _KEY_META, populate_existing=True)
        assert row is not None
    return Ed25519PrivateKey.from_private_bytes(keyring.open(row.value, _KEY_META))


def public_key(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


# ------------------------------------------------------------------------- append

def state(session: Session) -> tuple[int, list[bytes]]:
    """(size, peaks largest first)."""
    row = session.get(LogState, _STATE_ID)
    if row is None:
        return 0, []
    peaks = [row.peaks[i:i + HASH_SIZE] for i in range(0, len(row.peaks), HASH_SIZE)]
    if len(peaks) != bin(row.size).count("1"):
        raise LogDamaged("the log's state row does not match its size", reason=LogServiceReason.LOG_DAMAGED)
    return row.size, peaks


def append_entries(session: Session, entries: Sequence[LogEntry], *, now: int) -> list[int]:
    """Append entries in the caller's transaction; returns their indexes."""
    if not entries:
        return []
    xact_lock(session, LOG_LOCK)
    size, peaks = state(session)
    first = size
    leaves: list[tuple[int, bytes, bytes, int]] = []
    nodes: list[tuple[int, int, bytes]] = []
    for e in entries:
        data = e.encode()
        h = leaf_hash(data)
        leaves.append((size, h, data, now))
        # the CompactRange append of sdk.log, keeping the completed subtrees at stored levels
        n, level = size, 0
        while n & 1:
            h = node_hash(peaks.pop(), h)
            n >>= 1
            level += 1
            if level % STRIDE == 0:
                nodes.append((level, ((size + 1) >> level) - 1, h))
        peaks.append(h)
        size += 1
    bulk_insert(session, LogLeaf, ("idx", "leaf_hash", "data", "created_at"), leaves)
    bulk_insert(session, LogNode, ("level", "idx", "hash"), nodes)
    blob = b"".join(peaks)
    ins = pg_insert(LogState) if session.get_bind().dialect.name == "postgresql" else sqlite_insert(LogState)
    session.execute(ins.values(id=_STATE_ID, size=size, peaks=blob)
                    .on_conflict_do_update(index_elements=[LogState.id], set_={"size": size, "peaks": blob}))
    return list(range(first, size))


def duplicate_entry(scope: str, pseudonym: bytes, first_agency: str, second_agency: str, at: int) -> LogEntry:
    return LogEntry("duplicate", at, {"scope": digest(scope), "nym": digest(pseudonym),
                                      "first": digest(first_agency), "second": digest(second_agency)})


def log_enrollments(session: Session, items: Sequence[tuple[str, bytes, str, int]], *, now: int) -> list[int]:
    """Append enrollment entries for (scope, pseudonym, agency, enrolled_at) items."""
    return append_entries(session, [enrollment_entry(*it) for it in items], now=now)


# ----------------------------------------------------------------- reading proofs

class _Tree:
    """Subtree hashes of the stored tree, for the proof functions of sdk.log."""

    def __init__(self, session: Session, size: int) -> None:
        self.s = session
        self.size = size

    def _level_rows(self, level: int, start: int, count: int) -> list[bytes]:
        if level == 0:
            rows = self.s.execute(select(LogLeaf.idx, LogLeaf.leaf_hash)
                                  .where(LogLeaf.idx >= start, LogLeaf.idx < start + count)
                                  .order_by(LogLeaf.idx)).all()
        else:
            rows = self.s.execute(select(LogNode.idx, LogNode.hash)
                                  .where(LogNode.level == level, LogNode.idx >= start, LogNode.idx < start + count)
                                  .order_by(LogNode.idx)).all()
        got = [bytes(h) for _i, h in rows]
        if len(got) != count or any(i != start + k for k, (i, _h) in enumerate(rows)):
            present = {i for i, _h in rows}
            missing = next(start + k for k in range(count) if start + k not in present) if len(present) < count \
                else start
            entry = missing << level
            raise LogDamaged(f"the log is damaged: rows of entry {entry} (level {level}) are missing",
                             reason=LogServiceReason.LOG_DAMAGED, entry=entry)
        return got

    def perfect(self, level: int, index: int) -> bytes:
        """Hash of the perfect subtree of 2**level leaves starting at leaf index * 2**level."""
        base = level - level % STRIDE
        hashes = self._level_rows(base, index << (level - base), 1 << (level - base))
        while len(hashes) > 1:
            hashes = [node_hash(hashes[i], hashes[i + 1]) for i in range(0, len(hashes), 2)]
        return hashes[0]

    def subtree(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]) for start < end <= size (RFC 9162 §2.1.1)."""
        n = end - start
        if n & (n - 1) == 0 and start % n == 0:
            return self.perfect(n.bit_length() - 1, start // n)
        k = 1 << ((n - 1).bit_length() - 1)
        return node_hash(self.subtree(start, start + k), self.subtree(start + k, end))


def _current_size(session: Session) -> int:
    return state(session)[0]


def root_at(session: Session, size: int) -> bytes:
    if size == 0:
        return empty_root()
    return _Tree(session, size).subtree(0, size)


def tree_head(session: Session, key: Ed25519PrivateKey, *, now: int) -> SignedHead:
    """The current tree head, signed now."""
    size, peaks = state(session)
    root = empty_root()
    if peaks:
        root = peaks[-1]
        for p in reversed(peaks[:-1]):
            root = node_hash(p, root)
    return SignedHead(size, root, now, sign_tree_head(size, root, now, key), public_key(key))


def _check_size(session: Session, size: int | None) -> int:
    current = _current_size(session)
    if size is None:
        return current
    if not 0 <= size <= current:
        raise NotFound(f"the log has {current} entries, not {size}", reason=LogServiceReason.LOG_BAD_SIZE, size=current)
    return size


def inclusion(session: Session, index: int, size: int | None = None) -> tuple[int, bytes, list[bytes]]:
    """(tree size, leaf hash, inclusion path) of entry ``index`` in the tree of ``size``."""
    size = _check_size(session, size)
    if not 0 <= index < size:
        raise NotFound(f"no entry {index} in a log of {size}", reason=LogServiceReason.LOG_BAD_INDEX)
    tree = _Tree(session, size)
    return size, tree.perfect(0, index), inclusion_proof(index, size, tree.subtree)


def index_of(session: Session, leaf: bytes) -> int:
    found = session.scalar(select(LogLeaf.idx).where(LogLeaf.leaf_hash == leaf).order_by(LogLeaf.idx).limit(1))
    if found is None:
        raise NotFound("no log entry has this leaf hash", reason=LogServiceReason.LOG_UNKNOWN_LEAF)
    return int(found)


def consistency(session: Session, first: int, second: int | None = None) -> tuple[int, list[bytes]]:
    second = _check_size(session, second)
    if not 0 <= first <= second:
        raise Invalid(f"first ({first}) must be between 0 and second ({second})", reason=LogServiceReason.LOG_BAD_SIZE)
    try:
        return second, consistency_proof(first, second, _Tree(session, second).subtree)
    except LogError as exc:  # pragma: no cover - sizes are checked above
        raise Invalid(exc.message, reason=exc.reason) from exc


def entries(session: Session, start: int, end: int) -> list[tuple[int, bytes, bytes]]:
    """(index, entry bytes, leaf hash) for start <= index < end (at most a page)."""
    end = min(end, start + MAX_ENTRIES_PAGE)
    rows = session.execute(select(LogLeaf.idx, LogLeaf.data, LogLeaf.leaf_hash)
                           .where(LogLeaf.idx >= start, LogLeaf.idx < end).order_by(LogLeaf.idx)).all()
    return [(int(i), bytes(d), bytes(h)) for i, d, h in rows]


# ------------------------------------------------------------------ co-signatures

def cosign(session: Session, key: Ed25519PrivateKey, *, now: int, agency: str, signed_head: bytes,
           cosignature: bytes, witness_public_key: bytes) -> TreeHead:
    """Store a witness's co-signature of a tree head this log signed."""
    try:
        head = verify_tree_head(signed_head, public_key(key))
        verify_cosignature(cosignature, head, witness_public_key)
    except LogError as exc:
        raise Invalid(exc.message, reason=exc.reason) from exc
    current = _current_size(session)
    if head.size > current or root_at(session, head.size) != head.root:
        raise Conflict("this tree head is not a state of this log", reason=LogServiceReason.LOG_UNKNOWN_HEAD)
    kid = ed25519_kid(witness_public_key).hex()
    exists = session.scalar(select(LogCosignature.id).where(LogCosignature.size == head.size,
                                                           LogCosignature.witness_kid == kid))
    if exists is None:
        session.add(LogCosignature(size=head.size, tree_head=signed_head, agency_id=agency, witness_kid=kid,
                                   witness_public_key=witness_public_key, cosignature=cosignature, created_at=now))
    return head


def cosignatures(session: Session, size: int) -> list[LogCosignature]:
    return list(session.scalars(select(LogCosignature).where(LogCosignature.size == size)
                                .order_by(LogCosignature.id)))
