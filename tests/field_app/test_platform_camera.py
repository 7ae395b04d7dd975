"""The field app's frame-source adapter: on a desktop, image files when given, else OpenCV's
camera or none; the Android camera path (Kivy's provider) is chosen only on Android."""

from __future__ import annotations

from pathlib import Path

from appkit.frames import FileFrames
from appkit.ui.camera import on_android
from field_app.platform.camera import open_frames
from sdk.transport import render_code


def test_desktop_choices(tmp_path: Path) -> None:
    assert not on_android()
    pic = tmp_path / "a.png"
    pic.write_bytes(render_code(b"hello").png())
    src = open_frames(0, tmp_path)
    assert isinstance(src, FileFrames)
    frame = src.read()
    assert frame is not None and frame.ndim == 3
    src.close()
    assert open_frames(None, None) is None  # no camera asked for, no pictures: the screen says so
