"""registry log: find an entry by its leaf hash through per-256-entry prefix rows instead of a
B-tree index on ``log_leaves.leaf_hash`` (issue 16: the log's cost in a sync)

The index made every append write at a random place of a B-tree as large as the log; at a
million entries that was most of what the log added to a sync on SQLite. The new rows are
written once per 256 entries, in order. Existing logs are filled in here.

Revision ID: 0008_log_prefixes
Revises: 0002_log
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_log_prefixes"
down_revision: str | None = "0002_log"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHUNK = 256  # verifier_service.services.log.PREFIX_CHUNK
PREFIX_BYTES = 4


def upgrade() -> None:
    table = op.create_table(
        "log_leaf_prefixes",
        sa.Column("chunk", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("prefixes", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("chunk", name=op.f("pk_log_leaf_prefixes")),
    )
    assert table is not None
    # fill in the complete runs of an existing log (stops at a gap: a damaged log's later
    # entries are still found, by reading the leaves after the last complete run)
    conn = op.get_bind()
    step = CHUNK * 256
    start = 0
    while True:
        got = conn.execute(sa.text("SELECT idx, leaf_hash FROM log_leaves WHERE idx >= :a AND idx < :b ORDER BY idx"),
                           {"a": start, "b": start + step}).all()
        if len(got) < CHUNK or any(int(idx) != start + k for k, (idx, _h) in enumerate(got)):
            complete = next((k for k, (idx, _h) in enumerate(got) if int(idx) != start + k), len(got)) // CHUNK
            got = got[:complete * CHUNK]
            done = True
        else:
            done = len(got) < step
            got = got[:len(got) // CHUNK * CHUNK]
        rows = [{"chunk": (start + k) // CHUNK, "prefixes": b"".join(bytes(h)[:PREFIX_BYTES]
                                                                    for _i, h in got[k:k + CHUNK])}
                for k in range(0, len(got), CHUNK)]
        if rows:
            op.bulk_insert(table, rows)
        if done:
            break
        start += step
    op.drop_index("ix_log_leaves_leaf_hash", table_name="log_leaves")


def downgrade() -> None:
    op.create_index("ix_log_leaves_leaf_hash", "log_leaves", ["leaf_hash"], unique=False)
    op.drop_table("log_leaf_prefixes")
