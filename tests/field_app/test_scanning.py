"""From camera frames to one presentation: progress, hints and final verdicts."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
import pytest

from field_app.platform.camera import FileFrames, open_frames
from field_app.scanning import ScanSession
from sdk.transport import encode, render_code
from tests.field_app.demo import Deployment, qr_images


def camera_view(code: Any, *, angle: float = 0.0, blur: float = 0.0, jpeg: int = 0, seed: int = 0) -> Any:
    """A code held in front of a 1280x720 camera: on a textured table, turned, blurred,
    compressed."""
    rng = np.random.default_rng(seed)
    h, w = 720, 1280
    table: Any = rng.normal(120, 20, size=(h, w)).clip(0, 255).astype(np.uint8)
    side = int(h * 0.8)
    img = cv2.resize(np.asarray(code), (side, side), interpolation=cv2.INTER_AREA)
    y, x = (h - side) // 2, (w - side) // 2
    table[y:y + side, x:x + side] = img
    if angle:
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        table = cv2.warpAffine(table, m, (w, h), borderValue=120)
    if blur:
        table = cv2.GaussianBlur(table, (0, 0), blur)
    if jpeg:
        ok, buf = cv2.imencode(".jpg", table, [cv2.IMWRITE_JPEG_QUALITY, jpeg])
        assert ok
        table = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    return cv2.cvtColor(table, cv2.COLOR_GRAY2BGR)


@pytest.fixture(scope="module")
def answers(deployment: Deployment, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    svc = deployment.device(tmp_path_factory.mktemp("dev"), predicates=["household_size ge 5"])
    p = deployment.person()
    multi = deployment.answer(p, svc.new_request().data)
    svc.close()
    svc = deployment.device(tmp_path_factory.mktemp("dev2"))
    single = deployment.answer(p, svc.new_request().data)
    svc.close()
    return {"single": single, "multi": multi}


def test_single_code_through_a_degraded_camera_view(answers: dict[str, bytes]) -> None:
    (code,) = qr_images(answers["single"])
    frame = camera_view(code, angle=12, blur=1.2, jpeg=60)
    s = ScanSession()
    event = s.feed(frame)
    assert event.kind == "complete" and event.data == answers["single"]


def test_multi_part_code_reports_progress_and_survives_lost_frames(answers: dict[str, bytes]) -> None:
    frames = qr_images(answers["multi"])
    assert len(frames) >= 4  # 2 parts + repair parts
    s = ScanSession()
    first = s.feed(camera_view(frames[0]))
    assert (first.kind, first.received, first.needed) == ("progress", 1, 2)
    assert first.hint == "scan.hint.keep_going"
    assert s.feed(np.full((720, 1280, 3), 128, np.uint8)).kind == "hint"  # the phone moved away
    # part 1 is never seen: the repair parts a live wallet shows next stand in for it
    enc = encode(answers["multi"])
    for seq in range(enc.count, enc.count + 20):
        done = s.feed(camera_view(render_code(enc.code(seq), module_px=4).image, angle=-8))
        if done.kind == "complete":
            break
    assert done.kind == "complete" and done.data == answers["multi"]


def test_foreign_codes_end_the_scan_after_a_few_frames() -> None:
    url = render_code(b"https://example.org/pay?invoice=12", module_px=8).image
    s = ScanSession(foreign_patience=3)
    kinds = [s.feed(camera_view(url)).kind for _ in range(3)]
    assert kinds == ["hint", "hint", "foreign"]


def test_a_finite_source_ends_with_a_verdict(answers: dict[str, bytes]) -> None:
    blank = np.full((480, 640), 255, np.uint8)
    s = ScanSession()
    s.feed(blank)
    assert s.finish().kind == "unreadable"

    s = ScanSession()
    s.feed(camera_view(qr_images(answers["multi"])[0]))
    end = s.finish()
    assert end.kind == "unreadable" and "1 of 2" in end.detail

    s = ScanSession()
    s.feed(render_code(b"WIFI:S:guest;;", module_px=6).image)
    assert s.finish().kind == "foreign"


def test_file_frames_and_camera_fallback(tmp_path: Any, answers: dict[str, bytes]) -> None:
    src = FileFrames([1, 2])
    assert not src.live and [src.read(), src.read(), src.read()] == [1, 2, None] and src.ended
    (tmp_path / "a.png").write_bytes(render_code(answers["single"]).png())
    (tmp_path / "notes.txt").write_text("ignored")
    folder = FileFrames(tmp_path)
    assert folder.read() is not None and folder.read() is None
    assert isinstance(open_frames(None, tmp_path), FileFrames)
    assert open_frames(None) is None
    assert open_frames(57) is None  # no such camera: the screen says "no camera"
