"""Frame sources: a camera or video file through OpenCV, and image files or folders.

OpenCV (the headless build) is used here only to grab frames; decoding is zxing-cpp's job
(see :mod:`sdk.transport.decode`). A device index and a video file path go through the same
:class:`CameraSource`, so the code path an app uses with a real camera is the one the tests
exercise with a recorded animation.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import cast

import cv2
import numpy as np
from numpy.typing import NDArray

from sdk.errors import ParameterError, QRDecodeError, TransportError
from sdk.reasons import TransportReason

__all__ = ["IMAGE_SUFFIXES", "CameraSource", "ImageSource"]

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"})


class CameraSource:
    """BGR frames from ``cv2.VideoCapture``: a device index (0 is the default camera) or a
    video file path.

    A live camera occasionally fails one grab (USB hiccup, exposure change), so iteration
    stops only after ``max_misses`` failed grabs in a row; a file stops at its first failed
    read, which is its end.
    """

    def __init__(
        self,
        source: int | str | os.PathLike[str],
        *,
        width: int | None = None,
        height: int | None = None,
        max_misses: int = 10,
    ) -> None:
        if max_misses < 1:
            raise ParameterError(f"max_misses must be >= 1, got {max_misses}")
        target: int | str
        if isinstance(source, int):
            target = source
            self._label = f"camera {source}"
        else:
            target = os.fspath(source)
            self._label = repr(target)
            if not Path(target).is_file():
                raise TransportError(
                    f"No video file at {self._label}.", reason=TransportReason.CAMERA_UNAVAILABLE
                )
        self.is_device = isinstance(target, int)
        self._capture = cv2.VideoCapture(target)
        if not self._capture.isOpened():
            self._capture.release()
            raise TransportError(
                f"Cannot open {self._label}. Check that no other app is using it and that "
                "the app may use the camera.",
                reason=TransportReason.CAMERA_UNAVAILABLE,
            )
        if self.is_device:
            # Requests only; drivers pick the nearest mode they support.
            if width is not None:
                self._capture.set(cv2.CAP_PROP_FRAME_WIDTH, float(width))
            if height is not None:
                self._capture.set(cv2.CAP_PROP_FRAME_HEIGHT, float(height))
        self._max_misses = max_misses if self.is_device else 1
        self._closed = False

    @property
    def fps(self) -> float:
        """Frame rate reported by the device or file (0.0 when unknown)."""
        return float(self._capture.get(cv2.CAP_PROP_FPS))

    def read(self) -> NDArray[np.uint8] | None:
        """The next frame, or None when a grab fails (or the file has ended)."""
        if self._closed:
            return None
        ok, frame = self._capture.read()
        if not ok or frame is None:
            return None
        return cast(NDArray[np.uint8], frame)

    def __iter__(self) -> Iterator[NDArray[np.uint8]]:
        misses = 0
        while not self._closed:
            frame = self.read()
            if frame is None:
                misses += 1
                if misses >= self._max_misses:
                    return
                continue
            misses = 0
            yield frame

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._capture.release()

    def __enter__(self) -> CameraSource:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class ImageSource:
    """BGR frames from one image file or every image in a folder (sorted by name).

    For scanning screenshots or photos sent by people who could not scan in person, and for
    feeding a saved animation (frame_000.png, frame_001.png, ...) in order.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        root = Path(path)
        if root.is_dir():
            self.paths = tuple(
                p for p in sorted(root.iterdir()) if p.suffix.lower() in IMAGE_SUFFIXES
            )
        elif root.is_file():
            self.paths = (root,)
        else:
            raise TransportError(
                f"No image file or folder at {os.fspath(path)!r}.", reason=TransportReason.BAD_IMAGE
            )

    def __len__(self) -> int:
        return len(self.paths)

    def __iter__(self) -> Iterator[NDArray[np.uint8]]:
        for path in self.paths:
            frame = cv2.imread(os.fspath(path), cv2.IMREAD_COLOR)
            if frame is None:
                raise QRDecodeError(
                    f"Cannot read {os.fspath(path)!r} as an image.", reason=TransportReason.BAD_IMAGE
                )
            yield cast(NDArray[np.uint8], frame)
