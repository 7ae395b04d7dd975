"""The camera path for real: an animation recorded to a video file, read back through the
same CameraSource an app opens with a device index; and image files or folders."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from sdk.errors import IntegrityError, QRDecodeError, TransportError
from sdk.transport import (
    CameraSource,
    Complete,
    ImageSource,
    Receiver,
    Scanner,
    ScanUpdate,
    encode,
    receive,
    render_code,
    render_cycle,
)
from sdk.transport.framing import HEADER_SIZE

WIDTH, HEIGHT = 1280, 720


def record(path: Path, frames: list[Any], fps: float = 10.0) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (WIDTH, HEIGHT))
    assert writer.isOpened(), "OpenCV could not open an MJPG writer"
    for frame in frames:
        writer.write(frame)
    writer.release()


def test_animation_through_a_video_file(
    tmp_path: Path, payload: Callable[..., bytes], scene: Callable[..., Any]
) -> None:
    """A 5 fps display filmed at 10 fps: each code spans two video frames. Some video
    frames show nothing (a hand in the way), and the first frames show a payment QR on the
    table before the phone is put down."""
    message = payload(6000, 60)
    enc = encode(message)
    blank = scene(np.full((400, 400), 120, np.uint8), seed=99)
    poster = scene(render_code(b"https://pay.example/merchant/42", module_px=8).image, seed=98)
    frames: list[Any] = [poster, poster, blank]
    for seq in range(2 * enc.count):
        image = scene(render_code(enc.code(seq), module_px=4).image, seed=seq)
        frames += [blank, blank] if seq % 4 == 3 else [image, image]
    path = tmp_path / "animation.avi"
    record(path, frames)

    updates: list[ScanUpdate] = []
    with CameraSource(path) as camera:
        assert not camera.is_device and camera.fps == pytest.approx(10.0)
        done = receive(camera, on_update=updates.append)
    assert isinstance(done, Complete) and done.payload == message
    statuses = [u.scan.status.value for u in updates]
    assert statuses[:3] == ["foreign_code", "foreign_code", "no_code"]
    assert updates[0].scan.foreign == (b"https://pay.example/merchant/42",)
    progress = [
        u.message.received
        for u in updates
        if u.message is not None and not isinstance(u.message, Complete)
    ]
    assert progress == sorted(progress) and progress[-1] < enc.count


def test_video_ending_too_early_is_incomplete(
    tmp_path: Path, payload: Callable[..., bytes], scene: Callable[..., Any]
) -> None:
    enc = encode(payload(4000, 61))
    frames = [scene(render_code(enc.code(seq), module_px=4).image, seed=seq) for seq in range(3)]
    path = tmp_path / "short.avi"
    record(path, frames)
    with CameraSource(path) as camera, pytest.raises(TransportError) as info:
        receive(camera)
    assert info.value.reason == "incomplete"
    assert "3 of" in str(info.value)


def test_damaged_part_in_a_video_is_reported_and_recovered(
    tmp_path: Path, payload: Callable[..., bytes], scene: Callable[..., Any]
) -> None:
    """A sender bug corrupts one part: the receiver says so, drops that message's parts,
    and completes from the next clean parts of the stream."""
    message = payload(3000, 62)
    enc = encode(message)
    codes = [enc.code(seq) for seq in range(enc.count)]
    bad = bytearray(codes[1])
    bad[HEADER_SIZE + 5] ^= 0xFF
    codes[1] = bytes(bad)
    codes += [enc.code(seq) for seq in range(enc.count, enc.count + enc.count + 8)]
    path = tmp_path / "damaged.avi"
    record(path, [scene(render_code(c, module_px=4).image, seed=i) for i, c in enumerate(codes)])
    errors: list[TransportError] = []
    with CameraSource(path) as camera:
        done = receive(camera, on_error=errors.append)
    assert done.payload == message
    assert [e.reason for e in errors] == ["integrity"]
    with CameraSource(path) as camera, pytest.raises(IntegrityError):
        receive(camera)


def test_camera_that_cannot_open_is_a_typed_error(tmp_path: Path) -> None:
    with pytest.raises(TransportError) as info:
        CameraSource(97)  # no such device on a test machine
    assert info.value.reason == "camera_unavailable"
    with pytest.raises(TransportError) as info:
        CameraSource(tmp_path / "missing.avi")
    assert info.value.reason == "camera_unavailable"
    junk = tmp_path / "junk.avi"
    junk.write_bytes(b"not a video at all" * 10)
    with pytest.raises(TransportError) as info:
        CameraSource(junk)
    assert info.value.reason == "camera_unavailable"


def test_image_folder_in_name_order(tmp_path: Path, payload: Callable[..., bytes]) -> None:
    message = payload(5000, 63)
    enc = encode(message)
    for i, code in enumerate(render_cycle(enc, module_px=3)):
        (tmp_path / f"frame_{i:03d}.png").write_bytes(code.png())
    (tmp_path / "README.txt").write_text("not an image, skipped")
    source = ImageSource(tmp_path)
    assert len(source) == len(enc.cycle())
    done = receive(source, scanner=Scanner(Receiver()))
    assert done.payload == message
    single = tmp_path / "frame_000.png"
    assert len(ImageSource(single)) == 1


def test_image_source_errors(tmp_path: Path) -> None:
    with pytest.raises(TransportError) as info:
        ImageSource(tmp_path / "nowhere")
    assert info.value.reason == "bad_image"
    (tmp_path / "broken.png").write_bytes(b"\x89PNG not really")
    with pytest.raises(QRDecodeError) as qinfo:
        list(ImageSource(tmp_path))
    assert qinfo.value.reason == "bad_image"
