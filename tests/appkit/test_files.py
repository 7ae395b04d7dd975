"""appkit.files.atomic_write: old or new bytes after any crash, and the rename reaches the disk."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from appkit import files
from appkit.files import atomic_write

ROOT = Path(__file__).resolve().parents[2]


def test_replaces_the_file_with_private_permissions(tmp_path: Path) -> None:
    target = tmp_path / "state.bin"
    target.write_bytes(b"old")
    atomic_write(target, b"new contents")
    assert target.read_bytes() == b"new contents"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    atomic_write(target, b"public", mode=0o644)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["state.bin"]  # no temp file left behind


def test_creates_parents_only_when_asked(tmp_path: Path) -> None:
    nested = tmp_path / "a" / "b" / "c.json"
    with pytest.raises(FileNotFoundError):
        atomic_write(nested, b"{}")
    atomic_write(nested, b"{}", make_parents=True)
    assert nested.read_bytes() == b"{}"


@pytest.mark.parametrize("crash_in", ["fsync", "replace"])
def test_a_process_killed_mid_write_leaves_the_old_file(tmp_path: Path, crash_in: str) -> None:
    """A real crash (os._exit, no cleanup runs) after the data is written but before or at
    the rename: the target still holds every old byte."""
    target = tmp_path / "vault.bin"
    old = os.urandom(4096)
    target.write_bytes(old)
    code = (
        "import os, sys\n"
        "from appkit import files\n"
        f"files.os.{crash_in} = lambda *a, **k: os._exit(17)\n"
        "files.atomic_write(sys.argv[1], os.urandom(65536))\n"
    )
    res = subprocess.run([sys.executable, "-c", code, str(target)], cwd=ROOT, timeout=60,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert res.returncode == 17
    assert target.read_bytes() == old


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "ledger.json"
    target.write_bytes(b"old")
    real_write = os.write
    calls = []

    def disk_full(fd: int, data: bytes | memoryview) -> int:
        calls.append(len(data))
        if len(calls) == 1:
            return real_write(fd, bytes(data[:10]))  # a short write, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "write", disk_full)
    with pytest.raises(OSError) as err:
        atomic_write(target, b"x" * 1000)
    assert err.value.errno == errno.ENOSPC
    assert len(calls) == 2  # the short write was continued, not taken as done
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["ledger.json"]


def test_the_file_and_then_its_directory_are_fsynced(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[tuple[str, bool]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        synced.append(("fsync", stat.S_ISDIR(os.fstat(fd).st_mode)))
        real_fsync(fd)

    def replace(src: str, dst: str) -> None:
        synced.append(("replace", False))
        real_replace(src, dst)

    monkeypatch.setattr(files.os, "fsync", fsync)
    monkeypatch.setattr(files.os, "replace", replace)
    atomic_write(tmp_path / "prefs.json", b"{}")
    # file data before the rename, the directory entry after it
    assert synced == [("fsync", False), ("replace", False), ("fsync", True)]


def test_a_directory_that_refuses_fsync_is_not_an_error(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "Invalid argument")
        real_fsync(fd)

    monkeypatch.setattr(files.os, "fsync", fsync)
    atomic_write(tmp_path / "x", b"1")
    assert (tmp_path / "x").read_bytes() == b"1"
