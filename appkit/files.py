"""Durable, atomic file replacement for the apps' data folders.

A phone can lose power between any two system calls. A reader must then find either the old
file or the new one, never a truncated mix, and a finished save must survive the power cut.
The POSIX recipe: write a temporary file in the same directory, ``fsync`` it, ``os.replace``
it over the target (atomic within one filesystem), then ``fsync`` the directory so the
rename itself is on disk (rename(2) alone only orders it in the page cache).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

__all__ = ["atomic_write", "fsync_dir"]


def fsync_dir(directory: str | os.PathLike[str]) -> None:
    """Flush a directory entry change (a rename, a new file) to disk where the OS allows it."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # platforms without directory handles (Windows)
        return
    try:
        os.fsync(fd)
    except OSError:  # some filesystems refuse fsync on directories; nothing more can be done
        return
    finally:
        os.close(fd)


def atomic_write(path: str | os.PathLike[str], data: bytes, *, mode: int = 0o600,
                 make_parents: bool = False) -> None:
    """Replace ``path`` with ``data``: a reader sees the old or the new bytes, never a mix.

    The file has permissions ``mode`` from its first byte (0600 by default: app data is
    private). Raises ``OSError`` (for example ``ENOSPC``) with the old file left untouched
    and no temporary file behind; callers turn it into their own typed error.
    """
    target = Path(path)
    if make_parents:
        target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        try:
            os.fchmod(fd, mode)  # the umask may have narrowed or widened what O_CREAT gave
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(target.parent)

