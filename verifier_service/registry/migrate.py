"""Apply the registry's migrations programmatically (at startup and by ``zkaid init``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from verifier_service.registry.db import MIGRATION_LOCK, Store

__all__ = ["alembic_config", "current_revision", "head_revision", "upgrade"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str | None:
    """The newest revisions, comma-joined in sorted order. Features add their tables as
    branches off the initial schema (one head each), so this is a set, not one id."""
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    return ",".join(sorted(heads)) or None


def current_revision(store: Store) -> str | None:
    """The revisions the database is at, in the same form as :func:`head_revision`."""
    with store.engine.connect() as conn:
        heads = MigrationContext.configure(conn).get_current_heads()
    return ",".join(sorted(heads)) or None


def upgrade(store: Store) -> None:
    """Bring the database to the newest schema. Safe to call from several workers at once
    on PostgreSQL (advisory lock) and on SQLite (BEGIN IMMEDIATE)."""
    cfg = alembic_config()
    with store.write_engine.begin() as conn:
        if store.dialect == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")
