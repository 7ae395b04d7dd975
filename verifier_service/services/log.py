"""The registry log: an append-only Merkle log (RFC 9162 shape) of every enrollment,
duplicate event, registration match record and card revocation, as digests.

The hashing and proof algorithms are :mod:`sdk.log` (shared with witnesses and field
devices); this module stores the tree so that a proof costs O(log n) database reads:

- ``log_leaves`` holds each entry and its leaf hash (level 0);
- ``log_nodes`` holds complete perfect subtrees at levels 4, 8, 12, ... (``STRIDE``): the hash
  of any perfect subtree is at most 2**3 = 8 rows of the stored level below it, read at once;
- ``log_state`` holds the right edge (size and peaks), so appending needs one read;
- ``log_leaf_prefixes`` holds 4 bytes of each leaf hash, 256 entries a row, to find an entry
  by its leaf hash without a B-tree index on it (which cost a random page write per entry).

An append writes only in index order: one multi-row insert of leaves (a binary COPY on
PostgreSQL), the few completed subtrees and prefix rows, and the state row. Tree heads are
signed when asked for, not per append.

Appenders are serialised by a transaction-scoped lock (``LOG_LOCK`` on PostgreSQL; SQLite's
write lock), always taken after the registry lock, so indexes are dense and committed in
order. Everything is appended in the caller's transaction: an enrollment and its log entry
commit together or not at all.

Other features append through :func:`append_entries` (H4b: match records, H8: revocations)
with an :class:`sdk.log.LogEntry` of their kind.
"""

from __future__ import annotations

import hashlib
import struct
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
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from sdk.log import (
    ENTRY_VERSION,
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
from sdk.wire.cbor import MAGIC
from verifier_service.registry.db import LOG_LOCK, bulk_insert, xact_lock
from verifier_service.registry.log_models import (
    LogCosignature,
    LogLeaf,
    LogLeafPrefixes,
    LogNode,
    LogState,
)
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
    "encode_entry",
    "entries",
    "inclusion",
    "index_of",
    "load_or_create_key",
    "log_enrollments",
    "state",
    "tree_head",
]

STRIDE = 4  # stored node levels: multiples of 4
PREFIX_CHUNK = 256  # entries per log_leaf_prefixes row
PREFIX_BYTES = 4  # bytes of each leaf hash kept there
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
    return _append(session, [encode_entry(e) for e in entries], now=now)


def log_enrollments(session: Session, items: Sequence[tuple[str, bytes, str, int]], *, now: int,
                    more: Sequence[LogEntry] = ()) -> list[int]:
    """Append enrollment entries for (scope, pseudonym, agency, enrolled_at) items, then the
    entries ``more``, in one append (one lock, one state read, one insert); returns their
    indexes. The bytes are those of :func:`sdk.log.enrollment_entry`, built from a template
    per (scope, agency): one SHA-256 per item instead of three, and no CBOR encoder call."""
    datas: list[bytes] = []
    templates: dict[tuple[str, str], tuple[bytes, bytes]] = {}
    ats: dict[int, bytes] = {}
    for scope, pseudonym, agency, at in items:
        if not 0 <= at < 2**64:  # pragma: no cover - sync refuses negative times
            datas.append(enrollment_entry(scope, pseudonym, agency, at).encode())
            continue
        t = templates.get((scope, agency))
        if t is None:
            t = templates[(scope, agency)] = _enrollment_template(scope, agency)
        tail = ats.get(at)
        if tail is None:
            tail = ats[at] = _enrollment_tail(at)
        datas.append(t[0] + hashlib.sha256(pseudonym).digest() + t[1] + tail)
    datas += [encode_entry(e) for e in more]
    return _append(session, datas, now=now)


def _append(session: Session, datas: Sequence[bytes], *, now: int) -> list[int]:
    """Append encoded entries: their leaves in one multi-row insert, the completed subtrees at
    stored levels in another, and the new right edge (size, peaks) in the state row. Nothing
    is signed here: a tree head is signed when one is asked for (:func:`tree_head`)."""
    if not datas:
        return []
    xact_lock(session, LOG_LOCK)
    size, peaks = state(session)
    first = size
    leaves: list[tuple[int, bytes, bytes, int]] = []
    nodes: list[tuple[int, int, bytes]] = []
    for data in datas:
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
    _insert_leaves(session, leaves)
    bulk_insert(session, LogNode, ("level", "idx", "hash"), nodes, binary=True)
    bulk_insert(session, LogLeafPrefixes, ("chunk", "prefixes"), _prefix_rows(session, first, leaves), binary=True)
    blob = b"".join(peaks)
    ins = pg_insert(LogState) if session.get_bind().dialect.name == "postgresql" else sqlite_insert(LogState)
    session.execute(ins.values(id=_STATE_ID, size=size, peaks=blob)
                    .on_conflict_do_update(index_elements=[LogState.id], set_={"size": size, "peaks": blob}))
    return list(range(first, size))


_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # signature, flags, no header extension
_COPY_TRAILER = b"\xff\xff"  # a field count of -1
_ROW_HEAD = struct.Struct(">hiqi")  # 4 fields; idx: length 8, value; the leaf hash's length
_LENGTH = struct.Struct(">i")
_TIME = struct.Struct(">iq")  # created_at: length 8, value


def _insert_leaves(session: Session, leaves: list[tuple[int, bytes, bytes, int]]) -> None:
    """The leaf rows in one statement. PostgreSQL: a COPY in the binary format, its bytes
    built here (PostgreSQL's "Binary Format" of COPY: a header, then per row the field count
    and each field's length and bytes, then a trailer); an INSERT of arrays cost about 4 us
    per entry to build the arrays in Python. Errors are wrapped as SQLAlchemy's, like any
    statement's. SQLite: :func:`bulk_insert`."""
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        bulk_insert(session, LogLeaf, ("idx", "leaf_hash", "data", "created_at"), leaves)
        return
    import psycopg

    head, length, stamp = _ROW_HEAD.pack, _LENGTH.pack, _TIME.pack
    body = b"".join([_COPY_HEADER, *(head(4, 8, idx, len(h)) + h + length(len(data)) + data + stamp(8, at)
                                     for idx, h, data, at in leaves), _COPY_TRAILER])
    statement = "COPY log_leaves (idx, leaf_hash, data, created_at) FROM STDIN (FORMAT BINARY)"
    raw = conn.connection.dbapi_connection
    assert isinstance(raw, psycopg.Connection)
    try:
        with raw.cursor() as cur, cur.copy(statement) as copy:
            copy.write(body)
    except psycopg.Error as exc:
        raise DBAPIError.instance(statement, None, exc, psycopg.Error) from exc


def _prefix_rows(session: Session, first: int, leaves: list[tuple[int, bytes, bytes, int]]) -> list[tuple[int, bytes]]:
    """The log_leaf_prefixes rows of the runs of PREFIX_CHUNK entries that this append
    completes (the start of the first one may be in earlier appends: at most 255 leaf hashes
    read back, by index)."""
    end = first + len(leaves)
    start = first - first % PREFIX_CHUNK
    if end - start < PREFIX_CHUNK:
        return []
    hashes = [h for _i, h, _d, _t in leaves]
    if start < first:
        hashes = _Tree(session, first)._level_rows(0, start, first - start) + hashes
    return [(start // PREFIX_CHUNK + k, b"".join(h[:PREFIX_BYTES] for h in hashes[k * PREFIX_CHUNK:(k + 1) * PREFIX_CHUNK]))
            for k in range((end - start) // PREFIX_CHUNK)]


def duplicate_entry(scope: str, pseudonym: bytes, first_agency: str, second_agency: str, at: int) -> LogEntry:
    return LogEntry("duplicate", at, {"scope": digest(scope), "nym": digest(pseudonym),
                                      "first": digest(first_agency), "second": digest(second_agency)})


# ------------------------------------------------------------- entry encoding
# The bytes of LogEntry.encode (MAGIC || deterministic CBOR, RFC 8949 §4.2.1: map keys in
# length-first order) written directly: cbor2's canonical encoder costs about 7 us an entry,
# which was a fifth of the log's share of a sync. tests/verifier_service/test_log.py checks
# that both give the same bytes.

def _head(major: int, n: int) -> bytes:
    """A CBOR head: major type and argument (RFC 8949 §3)."""
    m = major << 5
    if n < 24:
        return bytes((m | n,))
    if n < 0x100:
        return bytes((m | 24, n))
    if n < 0x10000:
        return bytes((m | 25,)) + n.to_bytes(2, "big")
    if n < 0x100000000:
        return bytes((m | 26,)) + n.to_bytes(4, "big")
    return bytes((m | 27,)) + n.to_bytes(8, "big")


def _text(s: str) -> bytes:
    raw = s.encode("utf-8")
    return _head(3, len(raw)) + raw


def _bytes(b: bytes) -> bytes:
    return _head(2, len(b)) + b


def _ordered(pairs: dict[bytes, bytes]) -> bytes:
    """A map from encoded keys to encoded values, keys in length-first order."""
    return _head(5, len(pairs)) + b"".join(k + pairs[k] for k in sorted(pairs, key=lambda k: (len(k), k)))


def encode_entry(e: LogEntry) -> bytes:
    """``e.encode()``, without the CBOR library (the same bytes; falls back to it for a time
    outside 0..2**64-1, which no entry of the service has)."""
    if not 0 <= e.at < 2**64 or not isinstance(e.at, int):
        return e.encode()
    d = _ordered({_text(k): _bytes(bytes(v)) for k, v in e.digests.items()})
    return MAGIC + _ordered({_text("d"): d, _text("v"): _head(0, ENTRY_VERSION), _text("at"): _head(0, e.at),
                             _text("kind"): _text(e.kind)})


_NYM_MARK = b"\xff" * HASH_SIZE


def _enrollment_template(scope: str, agency: str) -> tuple[bytes, bytes]:
    """(before, after) the pseudonym's digest in an enrollment entry, up to the time."""
    whole = encode_entry(LogEntry("enrollment", 0, {"scope": digest(scope), "nym": _NYM_MARK,
                                                    "agency": digest(agency)}))
    # the outer map is d, v, at, kind: cut at the digest and before "at"'s value
    cut = whole.index(_NYM_MARK)
    end = whole.rindex(_text("at") + _head(0, 0) + _text("kind"))
    return whole[:cut], whole[cut + HASH_SIZE:end + len(_text("at"))]


def _enrollment_tail(at: int) -> bytes:
    return _head(0, at) + _text("kind") + _text("enrollment")


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
    """The first entry whose leaf hash is ``leaf``: a scan of the log_leaf_prefixes rows (1 KB
    per 256 entries: about 4 MB and tens of milliseconds at a million entries), each candidate
    checked against its leaf, then the entries after the last complete run of 256."""
    want = leaf[:PREFIX_BYTES]
    runs = 0
    for chunk, blob in session.execute(select(LogLeafPrefixes.chunk, LogLeafPrefixes.prefixes)
                                       .order_by(LogLeafPrefixes.chunk)):
        if chunk != runs:
            entry = runs * PREFIX_CHUNK
            raise LogDamaged(f"the log is damaged: the leaf-hash prefixes of entry {entry} are missing",
                             reason=LogServiceReason.LOG_DAMAGED, entry=entry)
        runs += 1
        blob = bytes(blob)
        pos = blob.find(want)
        while pos >= 0:
            if pos % PREFIX_BYTES == 0:
                i = chunk * PREFIX_CHUNK + pos // PREFIX_BYTES
                if session.scalar(select(LogLeaf.leaf_hash).where(LogLeaf.idx == i)) == leaf:
                    return i
            pos = blob.find(want, pos + 1)
    found = session.scalar(select(LogLeaf.idx).where(LogLeaf.idx >= runs * PREFIX_CHUNK, LogLeaf.leaf_hash == leaf)
                           .order_by(LogLeaf.idx).limit(1))
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
