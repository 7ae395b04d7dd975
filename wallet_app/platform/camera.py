"""Camera adapter: where scan frames come from, with a file fallback.

Order of preference when the scan screen opens:

1. frames injected by the caller (tests, the screenshot script, ``--scan-file``): image
   files read in order, no camera needed (:class:`appkit.frames.FileFrames`, shared with the
   field app);
2. a desktop or laptop camera through OpenCV (:class:`appkit.frames.CameraFrames`);
3. the phone camera through Kivy's camera provider (Android), read back as RGBA pixels;
4. none: the scan screen offers to open a picture instead (file chooser).

Decoding is always zxing-cpp through ``sdk.transport.Scanner``; this module only supplies
frames (BGR uint8 arrays, the layout sdk.transport expects).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from appkit.frames import CameraFrames, FileFrames, FrameSource

__all__ = ["FileFrames", "FrameSource", "Platform"]


class Platform:
    """Phone services the screens need: a frame source and screen brightness."""

    def __init__(self, inject: Sequence[str | os.PathLike[str]] | None = None, *,
                 use_camera: bool = True) -> None:
        self._inject: list[Path] = [Path(p) for p in inject or ()]
        self.use_camera = use_camera

    def inject(self, paths: Sequence[str | os.PathLike[str]]) -> None:
        """Frames for the next scan (image files), instead of the camera."""
        self._inject = [Path(p) for p in paths]

    def open_source(self) -> FrameSource | None:
        if self._inject:
            paths, self._inject = self._inject, []
            return FileFrames(paths)
        if not self.use_camera:
            return None
        from kivy.utils import platform

        if platform == "android":
            from appkit.ui.camera import KivyCameraFrames

            try:
                return KivyCameraFrames()
            except (ImportError, OSError, RuntimeError, AttributeError):
                return None
        from sdk.errors import TransportError

        try:
            return CameraFrames(0)
        except (ImportError, TransportError, OSError):
            return None  # no camera: the scan screen offers to open a picture instead

    def set_bright(self, on: bool) -> None:
        """Full screen brightness while a code is shown (Android); elsewhere nothing."""
        from kivy.utils import platform

        if platform != "android":
            return
        try:
            from android.runnable import run_on_ui_thread
            from jnius import autoclass
        except ImportError:
            return
        on_ui_thread: Any = run_on_ui_thread

        def apply() -> None:
            activity = autoclass("org.kivy.android.PythonActivity").mActivity
            window = activity.getWindow()
            params = window.getAttributes()
            params.screenBrightness = 1.0 if on else -1.0  # -1: back to the user's setting
            window.setAttributes(params)

        on_ui_thread(apply)()
