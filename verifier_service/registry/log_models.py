"""Tables of the tamper-evident registry log (issue 16; revision ``0002_log``), and schema
ownership.

The log (RFC 9162 shape, see :mod:`sdk.log` and :mod:`verifier_service.services.log`):

- ``log_leaves``: one row per entry: its index, the entry bytes (digests only) and the leaf
  hash ``SHA-256(0x00 || entry)``.
- ``log_nodes``: hashes of complete perfect subtrees at levels 4, 8, 12, ... (a subtree of
  2**level leaves), so any subtree hash needs at most one read of at most 8 rows, and a proof
  O(log n) reads; about one node row per 15 leaves.
- ``log_state``: one row, the right edge of the tree (size and the peaks), so an append and a
  tree head need one read.
- ``log_leaf_prefixes`` (revision ``0008_log_prefixes``): for each complete run of 256 entries,
  the first 4 bytes of their leaf hashes, concatenated (1 KB a row), written once when the run
  completes. Finding an entry by its leaf hash reads these rows (4 MB at a million entries)
  instead of a B-tree index on ``leaf_hash``, which made every append write a page at a random
  place of the index: at a million entries most of the log's cost in a sync on SQLite.
- ``log_cosignatures``: tree heads co-signed by agencies' witnesses.

``schema_owners``: the agency that first published a schema id (NULL: shipped with the
service, managed by the operator); only that owner publishes new versions of it.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from verifier_service.registry.models import Base, BigId, DuplicateEvent

__all__ = ["LogCosignature", "LogLeaf", "LogLeafPrefixes", "LogNode", "LogState", "SchemaOwner"]


class LogLeaf(Base):
    __tablename__ = "log_leaves"
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[int] = mapped_column(BigInteger)


class LogNode(Base):
    __tablename__ = "log_nodes"
    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary)


class LogLeafPrefixes(Base):
    __tablename__ = "log_leaf_prefixes"
    chunk: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)  # entries 256*chunk...
    prefixes: Mapped[bytes] = mapped_column(LargeBinary)  # 256 x 4 bytes


class LogState(Base):
    __tablename__ = "log_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # always 1
    size: Mapped[int] = mapped_column(BigInteger)
    peaks: Mapped[bytes] = mapped_column(LargeBinary)  # 32 bytes per set bit of size, largest first


class LogCosignature(Base):
    __tablename__ = "log_cosignatures"
    __table_args__ = (UniqueConstraint("size", "witness_kid"), {"sqlite_autoincrement": True})
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    size: Mapped[int] = mapped_column(BigInteger, index=True)
    tree_head: Mapped[bytes] = mapped_column(LargeBinary)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    witness_kid: Mapped[str] = mapped_column(String(16))
    witness_public_key: Mapped[bytes] = mapped_column(LargeBinary)
    cosignature: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[int] = mapped_column(BigInteger)


class SchemaOwner(Base):
    __tablename__ = "schema_owners"
    schema_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    agency_id: Mapped[str | None] = mapped_column(ForeignKey("agencies.id"), nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)


# A re-sent sync batch looks up the duplicates it reported before, by pseudonym.
Index("ix_duplicate_events_pseudonym", DuplicateEvent.__table__.c.pseudonym)
