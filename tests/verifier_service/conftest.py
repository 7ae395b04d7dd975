"""Fixtures: every registry test runs on SQLite and on a real PostgreSQL server.

The PostgreSQL server is started once per session from the installed binaries (as the
``postgres`` user when the suite runs as root) and every test gets its own database.
Missing binaries make the PostgreSQL tests FAIL with the reason, never skip.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.verifier_service.helpers import Clock, Deployment, make_deployment, settings_for
from verifier_service.bootstrap import run_in_thread
from verifier_service.registry.db import Store
from verifier_service.registry.migrate import upgrade
from verifier_service.registry.pgserver import PostgresServer, PostgresUnavailable
from verifier_service.settings import Settings

_db_names = itertools.count()
TEMPLATE = "zk_template"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    try:
        server = PostgresServer()
        server.start()
    except PostgresUnavailable as exc:
        pytest.fail(f"PostgreSQL is required for the verifier_service tests: {exc}", pytrace=False)
    try:
        # every test database is a copy of one migrated template: much faster than migrating
        store = Store(server.create_database(TEMPLATE))
        upgrade(store)
        store.dispose()
        yield server
    finally:
        server.stop()


def _database(request: pytest.FixtureRequest, tmp_path: Path, template: str | None) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'registry.sqlite3'}"
        return
    pg: PostgresServer = request.getfixturevalue("pg_server")
    name = f"zk_{os.getpid()}_{next(_db_names)}"
    url = pg.create_database(name, template=template)
    try:
        yield url
    finally:
        pg.drop_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database at the current schema (PostgreSQL: a copy of the migrated template)."""
    yield from _database(request, tmp_path, TEMPLATE)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database without any table."""
    yield from _database(request, tmp_path, None)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return settings_for(tmp_path / "data", db_url)


@pytest.fixture
def dep(settings: Settings, clock: Clock) -> Iterator[Deployment]:
    yield from make_deployment(settings, clock)


@pytest.fixture
def live(dep: Deployment) -> Iterator[str]:
    """The same deployment behind a real uvicorn server on loopback."""
    url, stop = run_in_thread(dep.rt.settings, runtime=dep.rt)
    try:
        yield url
    finally:
        stop()


@pytest.fixture
def make_settings(tmp_path: Path, db_url: str) -> Callable[..., Settings]:
    def make(**kw: object) -> Settings:
        return settings_for(tmp_path / "data", db_url, **kw)

    return make
