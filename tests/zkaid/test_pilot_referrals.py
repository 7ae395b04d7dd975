"""The pilot's referral invariants are computed from the database itself: they turn false
when a plaintext or a declined referral is there."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from zkaid.pilot.referrals import _inspect


def test_the_database_check_finds_what_is_there(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.sqlite3'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id TEXT, blob BLOB)"))
        conn.execute(text("INSERT INTO t VALUES ('ab12', :b)"), {"b": b"xx note: lives by the river xx"})
    engine.dispose()
    found, sent = _inspect(url, [b"lives by the river", b"never stored"], [("ab12", b"s" * 80), ("cd34", b"q" * 80)])
    assert found == [b"lives by the river"]
    assert sent == ["ab12"]
    clean, none = _inspect(url, [b"never stored"], [("cd34", b"q" * 80)])
    assert clean == [] and none == []
