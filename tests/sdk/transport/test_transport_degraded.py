"""Camera-like degradations made with OpenCV: what a field verifier's phone actually sees.

The "moderate" envelope below is the promise: every single code up to 1,000 bytes decodes
in every case. A phone held 20 to 40 cm away puts a version-22 code at roughly 2 to 4 camera
pixels per module, tilted, slightly out of focus, noisy in low light and JPEG-compressed by
the camera pipeline.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import cv2
import numpy as np
import pytest

from sdk.transport import Complete, Scanner, ScanStatus, encode, render_code, scan_image

Image = Any  # numpy uint8 arrays; kept loose so tests read simply


def downscale(img: Image, factor: float) -> Image:
    return cv2.resize(img, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)


def rotate(img: Image, degrees: float) -> Image:
    h, w = img.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(img, matrix, (w, h), borderMode=cv2.BORDER_REPLICATE)


def perspective(img: Image, amount: float) -> Image:
    """Corners pulled in unevenly by up to ``amount`` of the short side: a phone held at
    an angle to the camera."""
    h, w = img.shape[:2]
    d = amount * min(w, h)
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    dst = np.array(
        [[d, 0.5 * d], [w - 0.3 * d, d], [w - d, h - 0.2 * d], [0.4 * d, h - d]], dtype=np.float32
    )
    matrix = cv2.getPerspectiveTransform(src, dst)
    return cv2.warpPerspective(img, matrix, (w, h), borderMode=cv2.BORDER_REPLICATE)


def blur(img: Image, sigma: float) -> Image:
    return cv2.GaussianBlur(img, (0, 0), sigma)


def jpeg(img: Image, quality: int) -> Image:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)


def noise(img: Image, sigma: float, seed: int = 0) -> Image:
    rng = np.random.default_rng(seed)
    noisy = img.astype(np.float32) + rng.normal(0, sigma, img.shape).astype(np.float32)
    return noisy.clip(0, 255).astype(np.uint8)


MODERATE: dict[str, Callable[[Image], Image]] = {
    "downscale_0.6": lambda x: downscale(x, 0.6),
    "rotate_5": lambda x: rotate(x, 5),
    "rotate_12": lambda x: rotate(x, 12),
    "rotate_20": lambda x: rotate(x, 20),
    "rotate_-20": lambda x: rotate(x, -20),
    "perspective_0.08": lambda x: perspective(x, 0.08),
    "perspective_0.15": lambda x: perspective(x, 0.15),
    "blur_1.0": lambda x: blur(x, 1.0),
    "jpeg_50": lambda x: jpeg(x, 50),
    "noise_10": lambda x: noise(x, 10),
    "noise_20": lambda x: noise(x, 20),
    "all_at_once": lambda x: jpeg(noise(blur(perspective(rotate(x, 20), 0.08), 1.0), 12), 50),
}

SEVERE: dict[str, Callable[[Image], Image]] = {
    "downscale_0.35": lambda x: downscale(x, 0.35),
    "blur_2.5": lambda x: blur(x, 2.5),
    "jpeg_10": lambda x: jpeg(x, 10),
    "noise_60": lambda x: noise(x, 60),
    "perspective_0.3": lambda x: perspective(x, 0.3),
}

SINGLE_SIZES = (3, 100, 400, 700, 1000)


@pytest.fixture(scope="module")
def scenes(
    payload: Callable[..., bytes], scene: Callable[..., Image]
) -> dict[int, tuple[bytes, Image]]:
    """One 1280x720 camera frame per payload size, the code filling 60% of its height
    (a version-22 code then gets about 3.8 camera pixels per module, 2.3 after the 0.6
    downscale)."""
    out = {}
    for size in SINGLE_SIZES:
        data = payload(size, size)
        out[size] = (data, scene(render_code(data, module_px=4).image, fill=0.6, seed=size))
    return out


@pytest.mark.parametrize("case", sorted(MODERATE))
def test_single_codes_decode_in_every_moderate_case(
    case: str, scenes: dict[int, tuple[bytes, Image]]
) -> None:
    failures = []
    for size, (data, scene) in scenes.items():
        result = scan_image(MODERATE[case](scene))
        if result.data != data:
            failures.append((size, result.status))
    assert failures == [], f"{case}: {failures}"


@pytest.mark.parametrize("case", sorted(SEVERE))
def test_severe_damage_never_yields_wrong_bytes(
    case: str, scenes: dict[int, tuple[bytes, Image]]
) -> None:
    """Beyond the envelope a read may fail, but only as a typed status, never as other
    bytes: QR's Reed-Solomon check and zxing-cpp's raw byte output see to that."""
    for data, scene in scenes.values():
        result = scan_image(SEVERE[case](scene))
        assert result.status in {ScanStatus.OK, ScanStatus.NO_CODE, ScanStatus.UNREADABLE}
        assert result.data in (None, data)


def degraded_stream(seed: int) -> Callable[[int, Image], Image]:
    cases = list(MODERATE.values())
    rng = random.Random(seed)
    return lambda seq, img: cases[rng.randrange(len(cases))](img)


def test_four_kb_reassembles_with_a_quarter_of_frames_dropped(
    payload: Callable[..., bytes], scene: Callable[..., Image]
) -> None:
    """Live display: frames 0, 1, 2, ... of the fountain stream, every fourth one lost
    (the camera was refocusing), each kept frame degraded by a moderate case."""
    message = payload(4096, 44)
    enc = encode(message)
    assert enc.count == 7
    degrade = degraded_stream(1)
    scanner = Scanner()
    shown = 0
    done = None
    for seq in range(3 * enc.count):
        shown += 1
        if seq % 4 == 1:
            continue
        frame = degrade(seq, scene(render_code(enc.code(seq), module_px=4).image, seed=seq))
        update = scanner.feed(frame)
        assert update.scan.status is ScanStatus.OK, f"frame {seq}: {update.scan.status}"
        if update.complete is not None:
            done = update.complete
            break
    assert isinstance(done, Complete) and done.payload == message
    # 7 parts with a quarter lost: about 7 / 0.75 frames shown, plus a little fountain
    # overhead; far less than waiting for a second full cycle.
    assert shown <= 2 * enc.count


def test_looped_animation_completes_on_the_next_pass(
    payload: Callable[..., bytes], scene: Callable[..., Image]
) -> None:
    """Pre-rendered loop: a random quarter of the first pass is lost (deterministic seed);
    the second pass, with its own losses, fills the gaps."""
    message = payload(4096, 45)
    enc = encode(message)
    loop = [render_code(code, module_px=4).image for code in enc.cycle()]
    rng = random.Random(7)
    degrade = degraded_stream(2)
    scanner = Scanner()
    done = None
    for _ in range(2):
        dropped = set(rng.sample(range(len(loop)), k=len(loop) // 4))
        for seq, image in enumerate(loop):
            if seq in dropped:
                continue
            update = scanner.feed(degrade(seq, scene(image, seed=seq)))
            done = update.complete or done
            if done:
                break
        if done:
            break
    assert isinstance(done, Complete) and done.payload == message
