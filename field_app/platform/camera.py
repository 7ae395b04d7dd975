"""Frame sources for the scan screen: a camera through OpenCV, or image files.

The scan screen asks for frames one at a time (``read``) from whatever adapter the app was
given; it never knows which. :class:`CameraFrames` is a live camera: a missing frame means
"nothing yet", and scanning goes on until a whole message arrives or the operator cancels.
:class:`FileFrames` is finite (a photo sent by someone who could not come, a folder with
the frames of a multi-part code, the images the tests feed): when it ends, the scan
ends with a verdict. A laptop without a camera falls back to files.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from sdk.errors import TransportError

__all__ = ["CameraFrames", "FileFrames", "FrameSource", "open_frames"]


class FrameSource(Protocol):
    live: bool  # a camera: frames may be missing for a while; files: the end is the end

    @property
    def ended(self) -> bool: ...

    def read(self) -> Any | None:
        """The next frame (BGR or grayscale array, PIL image or path), or None."""
        ...

    def close(self) -> None: ...


class CameraFrames:
    """A camera (device index) through :class:`sdk.transport.CameraSource`."""

    live = True

    def __init__(self, index: int = 0, *, width: int = 1280, height: int = 720) -> None:
        from sdk.transport import CameraSource

        self._source = CameraSource(index, width=width, height=height)
        self._ended = False

    @property
    def ended(self) -> bool:
        return self._ended

    def read(self) -> Any | None:
        frame = self._source.read()
        return frame

    def close(self) -> None:
        self._ended = True
        self._source.close()


class FileFrames:
    """Frames from image files, a folder of them, or arrays handed over by a test."""

    live = False

    def __init__(self, items: str | os.PathLike[str] | Sequence[Any], *, repeat: int = 1) -> None:
        self._items: list[Any] = list(_expand(items))
        self._it: Iterator[Any] = iter(self._items * max(1, repeat))
        self._ended = not self._items

    @property
    def ended(self) -> bool:
        return self._ended

    def read(self) -> Any | None:
        try:
            return next(self._it)
        except StopIteration:
            self._ended = True
            return None

    def close(self) -> None:
        self._ended = True


def _expand(items: str | os.PathLike[str] | Sequence[Any]) -> Iterable[Any]:
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
    except (TransportError, ImportError):
        return None
