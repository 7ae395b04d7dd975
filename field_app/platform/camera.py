"""Frame sources for the field app's scan screen (the field app's platform seam).

- image files (``--images``, ``--demo``): :class:`appkit.frames.FileFrames`;
- Android: the phone camera through Kivy's camera provider (:class:`appkit.ui.camera.KivyCameraFrames`);
- desktops and laptops: a camera through OpenCV (:class:`appkit.frames.CameraFrames`);
- none: the scan screen says there is no camera.
"""

from __future__ import annotations

import os

from appkit.frames import CameraFrames, FileFrames, FrameSource
from appkit.frames import open_frames as open_desktop_frames

__all__ = ["CameraFrames", "FileFrames", "FrameSource", "open_frames"]


def open_frames(camera: int | None = 0, images: str | os.PathLike[str] | None = None) -> FrameSource | None:
    """Images when given, else this platform's camera; None when there is neither."""
    if images is None and camera is not None:
        from appkit.ui.camera import KivyCameraFrames, on_android

        if on_android():
            try:
                return KivyCameraFrames(camera)
            except (ImportError, OSError, RuntimeError, AttributeError):  # no camera permission or provider
                return None
    return open_desktop_frames(camera, images)
