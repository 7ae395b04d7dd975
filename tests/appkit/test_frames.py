"""appkit.frames: finite file sources end, paths become frames, no camera is not a crash."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from appkit.frames import FileFrames, open_frames
from sdk.errors import TransportError
from sdk.transport import render_code


def test_objects_pass_through_and_the_source_ends() -> None:
    src = FileFrames([1, 2], repeat=2)
    assert not src.live and not src.ended
    assert [src.read() for _ in range(5)] == [1, 2, 1, 2, None] and src.ended


def test_a_folder_gives_its_pictures_as_bgr_arrays_in_name_order(tmp_path: Path) -> None:
    (tmp_path / "b.png").write_bytes(render_code(b"second").png())
    (tmp_path / "a.png").write_bytes(render_code(b"first, a longer payload").png())
    (tmp_path / "notes.txt").write_text("ignored")
    src = FileFrames(tmp_path)
    first, second = src.read(), src.read()
    assert isinstance(first, np.ndarray) and first.dtype == np.uint8 and first.ndim == 3
    assert isinstance(second, np.ndarray) and first.shape != second.shape
    assert src.read() is None and src.ended


def test_closing_ends_the_source(tmp_path: Path) -> None:
    src = FileFrames([1, 2, 3])
    assert src.read() == 1
    src.close()
    assert src.read() is None and src.ended


def test_a_missing_path_is_a_typed_error(tmp_path: Path) -> None:
    with pytest.raises(TransportError) as err:
        FileFrames(tmp_path / "nothing-here.png")
    assert err.value.reason == "bad_image"


def test_open_frames_prefers_images_and_survives_no_camera(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(render_code(b"x").png())
    assert isinstance(open_frames(None, tmp_path), FileFrames)
    assert open_frames(None) is None
    assert open_frames(57) is None  # no such camera: the screen says so
