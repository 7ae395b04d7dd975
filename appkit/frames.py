"""Where scan frames come from, without Kivy: image files, or a camera through OpenCV.

A scan screen asks a :class:`FrameSource` for frames one at a time and never knows which
adapter it has. :class:`CameraFrames` is live: a missing frame means "nothing yet", and
scanning goes on until a whole message arrives or the person cancels. :class:`FileFrames`
is finite (a photo sent by someone who could not come, a folder with the frames of a
multi-part code, the pictures tests and screenshot scripts feed): when it ends, the scan
ends with a verdict. A phone camera through Kivy lives in the app's ``platform/`` package.

Frames are BGR uint8 arrays (image files are read with ``sdk.transport.ImageSource``), or
whatever object a test handed over, passed through unchanged.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from sdk.errors import TransportError

__all__ = ["CameraFrames", "FileFrames", "FrameSource", "open_frames"]


class FrameSource(Protocol):
    live: bool  # a camera: frames may be missing for a while; files: the end is the end

    @property
    def ended(self) -> bool:
        """True once a finite source has nothing more, or the source was closed."""
        ...

    def read(self) -> Any | None:
        """The next frame, or None (live: not yet; finite: no more)."""
        ...

    def close(self) -> None: ...


class CameraFrames:
    """A desktop or laptop camera (device index) through :class:`sdk.transport.CameraSource`."""

    live = True

    def __init__(self, index: int = 0, *, width: int = 1280, height: int = 720) -> None:
        from sdk.transport import CameraSource  # OpenCV loads when a camera is opened

        self._source = CameraSource(index, width=width, height=height)
        self._ended = False

    @property
    def ended(self) -> bool:
        return self._ended

    def read(self) -> Any | None:
        return self._source.read()

    def close(self) -> None:
        self._ended = True
        self._source.close()


class FileFrames:
    """Frames from image files, a folder of them, or objects (arrays) handed over by a test.

    Paths are read to BGR arrays one per call, in order (a folder: its images sorted by
    name); then ``read`` returns None and ``ended`` is true.
    """

    live = False

    def __init__(self, items: str | os.PathLike[str] | Sequence[Any], *, repeat: int = 1) -> None:
        self._items: list[Any] = _expand(items)
        self._it: Iterator[Any] = iter(self._items * max(1, repeat))
        self._ended = not self._items

    @property
    def ended(self) -> bool:
        return self._ended

    def read(self) -> Any | None:
        try:
            item = next(self._it)
        except StopIteration:
            self._ended = True
            return None
        if isinstance(item, str | os.PathLike):
            from sdk.transport import ImageSource  # imaging libraries load on the first picture

            return next(iter(ImageSource(item)))
        return item

    def close(self) -> None:
        self._ended = True
        self._it = iter(())


def _expand(items: str | os.PathLike[str] | Sequence[Any]) -> list[Any]:
    if isinstance(items, str | os.PathLike):
        root = Path(items)
        if root.is_dir():
            from sdk.transport.camera import IMAGE_SUFFIXES

            return [p for p in sorted(root.iterdir()) if p.suffix.lower() in IMAGE_SUFFIXES]
        if root.is_file():
            return [root]
        raise TransportError(f"No image file or folder at {os.fspath(items)!r}.", reason="bad_image")
    return list(items)


def open_frames(camera: int | None = 0, images: str | os.PathLike[str] | None = None) -> FrameSource | None:
    """Images when given, else the camera; None when there is neither (the screen says so)."""
    if images is not None:
        return FileFrames(images)
    if camera is None:
        return None
    try:
        return CameraFrames(camera)
    except (TransportError, ImportError, OSError):
        return None
