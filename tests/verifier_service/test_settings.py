"""Configuration: the KEK (file, variable, dev mode, wrong key), DATABASE_URL, migrations."""

from __future__ import annotations

import base64
import logging
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient

from verifier_service import Settings, create_app
from verifier_service.registry.db import Store
from verifier_service.registry.migrate import current_revision, head_revision, upgrade
from verifier_service.registry.models import Base
from verifier_service.runtime import ConfigurationError, Runtime

KEK = base64.b64encode(bytes(range(32, 64))).decode()


def test_refuses_to_start_without_a_kek(make_settings: Callable[..., Settings]) -> None:
    with pytest.raises(ConfigurationError, match="ZKAID_KEK_FILE"):
        create_app(make_settings(kek=None, dev=False))


@pytest.mark.parametrize("bad", ["not base64!", base64.b64encode(b"short").decode(), ""])
def test_refuses_a_malformed_kek(make_settings: Callable[..., Settings], tmp_path: Path, bad: str) -> None:
    f = tmp_path / "kek"
    f.write_text(bad)
    with pytest.raises(ConfigurationError, match="key-encryption key"):
        create_app(make_settings(kek=None, kek_file=f, dev=False))
    if bad:
        with pytest.raises(ConfigurationError):
            create_app(make_settings(kek=bad, dev=False))


def test_kek_from_file_and_wrong_kek(make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    f = tmp_path / "kek.b64"
    f.write_text(KEK + "\n")
    s = make_settings(kek=None, kek_file=f, dev=False)
    with TestClient(create_app(s)) as c:
        assert c.get("/v1/health").json()["status"] == "ok"
    other = base64.b64encode(bytes(range(64, 96))).decode()
    with pytest.raises(ConfigurationError, match="does not match this database"):
        create_app(make_settings(kek=other, dev=False))
    create_app(make_settings(kek=KEK, dev=False)).state.runtime.close()  # the variable works too


def test_dev_mode_generates_keys_and_says_so(make_settings: Callable[..., Settings],
                                            caplog: pytest.LogCaptureFixture) -> None:
    s = make_settings(kek=None, dev=True)
    with caplog.at_level(logging.WARNING, logger="zkaid.service"):
        rt = Runtime.open(s)
    try:
        kek_file, tl_file = s.data_dir / "kek", s.data_dir / "trust-list.key"
        assert stat.S_IMODE(kek_file.stat().st_mode) == 0o600 and stat.S_IMODE(tl_file.stat().st_mode) == 0o600
        assert "generated a key-encryption key" in caplog.text and "not for production" in caplog.text
        assert base64.b64decode(kek_file.read_text()) not in caplog.text.encode()
        assert rt.signing_key is not None
    finally:
        rt.close()
    rt = Runtime.open(s)  # the second start reuses them
    rt.close()


def test_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, db_url: str) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("ZKAID_KEK", KEK)
    monkeypatch.setenv("ZKAID_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("ZKAID_OFFER_TTL", "600")
    s = Settings()
    assert s.effective_database_url == db_url and s.offer_ttl == 600 and s.kek is not None
    assert KEK not in repr(s)
    monkeypatch.delenv("DATABASE_URL")
    assert Settings().effective_database_url.startswith("sqlite:///") and (tmp_path / "d").name in str(
        Settings().effective_database_url)


def test_migrations_match_the_models(empty_db_url: str) -> None:
    store = Store(empty_db_url)
    try:
        assert current_revision(store) is None
        upgrade(store)
        upgrade(store)  # idempotent
        assert current_revision(store) == head_revision()
        with store.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
        assert diff == []
    finally:
        store.dispose()


def test_without_auto_migrate_an_old_schema_is_refused(tmp_path: Path, empty_db_url: str) -> None:
    s = Settings(data_dir=tmp_path, database_url=empty_db_url, kek=KEK, auto_migrate=False)
    with pytest.raises(ConfigurationError, match="zkaid init"):
        Runtime.open(s)
    store = Store(empty_db_url)
    try:
        with store.engine.connect() as conn:  # and it created nothing
            assert conn.dialect.get_table_names(conn) == []
    finally:
        store.dispose()


def test_sqlite_uses_wal(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with store.read() as s:
            assert s.connection().exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert s.connection().exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    finally:
        store.dispose()
    assert os.path.exists(tmp_path / "x.db")
