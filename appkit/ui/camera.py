"""Phone camera frames through Kivy's camera provider (``kivy.core.camera``; on Android the
``camera_android`` provider, which drives ``android.hardware.Camera`` through pyjnius).

Both apps' platform adapters use it on Android; on desktops they read frames through OpenCV
(:class:`appkit.frames.CameraFrames`) or from image files. Frames come back as BGR uint8
arrays, top row first, the layout ``sdk.transport`` decodes.

Not yet run on a phone: no Android device or SDK was available where this was written (see
docs/wallet.md and docs/field-app.md, "Building for Android").
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["KivyCameraFrames", "on_android"]


def on_android() -> bool:
    from kivy.utils import platform

    return bool(platform == "android")


class KivyCameraFrames:
    """A live frame source over Kivy's core camera; frames are read back from its texture."""

    live = True

    def __init__(self, index: int = 0, resolution: tuple[int, int] = (1280, 720)) -> None:
        from kivy.core.camera import Camera as CoreCamera

        self._cam: Any = CoreCamera(index=index, resolution=resolution, stopped=True)
        self._cam.start()
        self._ended = False

    @property
    def ended(self) -> bool:
        return self._ended

    def read(self) -> NDArray[np.uint8] | None:
        tex = self._cam.texture
        if tex is None:
            return None
        w, h = tex.size
        rgba = np.frombuffer(tex.pixels, dtype=np.uint8).reshape(h, w, 4)
        return np.ascontiguousarray(rgba[::-1, :, 2::-1])  # RGBA bottom-up -> BGR top-down

    def close(self) -> None:
        self._ended = True
        self._cam.stop()
