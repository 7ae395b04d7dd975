"""Frame sources for the field app's scan screen.

The file and OpenCV-camera sources are shared with the wallet (:mod:`appkit.frames`); this
module is the field app's platform seam, where a phone camera adapter would be added.
"""

from __future__ import annotations

from appkit.frames import CameraFrames, FileFrames, FrameSource, open_frames

__all__ = ["CameraFrames", "FileFrames", "FrameSource", "open_frames"]
