"""How a field phone's camera sees a QR code on a beneficiary's screen, simulated with OpenCV.

Each rendered code is placed on a 1280x720 frame (a table, a hand, a second screen's
glare), then put through the degradations a cheap camera adds: scale, rotation, a
perspective tilt, defocus blur, uneven brightness, sensor noise and JPEG compression.
``unreadable`` adds what makes a real scan fail: a finger or a crack over a third of the
code plus heavy blur. Randomness comes from a seeded numpy Generator (reproducible runs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

__all__ = ["CameraModel", "photograph"]

FRAME_W, FRAME_H = 1280, 720


@dataclass(frozen=True)
class CameraModel:
    """Moderate conditions at a distribution desk (defaults) or worse."""

    max_rotation_deg: float = 15.0
    max_tilt: float = 0.06  # perspective corner jitter, fraction of the code size
    blur_sigma: tuple[float, float] = (0.0, 1.2)
    noise_sigma: tuple[float, float] = (2.0, 8.0)
    jpeg_quality: tuple[int, int] = (55, 85)
    code_height: tuple[float, float] = (0.55, 0.85)  # fraction of the frame height


def _background(rng: np.random.Generator) -> NDArray[np.uint8]:
    base = float(rng.integers(70, 170))
    gx = np.linspace(-1, 1, FRAME_W, dtype=np.float32)[None, :] * (25 * rng.uniform(-1, 1))
    gy = np.linspace(-1, 1, FRAME_H, dtype=np.float32)[:, None] * (25 * rng.uniform(-1, 1))
    return np.asarray(np.clip(base + gx + gy, 0, 255), dtype=np.uint8)


def photograph(code: NDArray[np.uint8], rng: np.random.Generator, *, model: CameraModel = CameraModel(),
               unreadable: bool = False) -> NDArray[np.uint8]:
    """A grayscale camera frame (1280x720) showing ``code`` (a grayscale rendered QR)."""
    frame: NDArray[Any] = _background(rng)
    # the phone screen: the code on a bright display, scaled into the frame
    size = int(FRAME_H * rng.uniform(*model.code_height))
    screen = cv2.resize(code, (size, size), interpolation=cv2.INTER_AREA)
    lo, gain = rng.uniform(20, 45), rng.uniform(0.75, 0.95)
    screen = cv2.convertScaleAbs(screen, alpha=gain, beta=lo)  # screen black is never black
    cx = FRAME_W / 2 + rng.uniform(-0.15, 0.15) * FRAME_W
    cy = FRAME_H / 2 + rng.uniform(-0.05, 0.05) * FRAME_H
    half = size / 2
    src = np.array([[0, 0], [size, 0], [size, size], [0, size]], dtype=np.float32)
    corners = np.array([[-half, -half], [half, -half], [half, half], [-half, half]], dtype=np.float32)
    jitter = rng.uniform(-model.max_tilt, model.max_tilt, corners.shape).astype(np.float32) * size
    angle = np.deg2rad(rng.uniform(-model.max_rotation_deg, model.max_rotation_deg))
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]], dtype=np.float32)
    dst = (corners + jitter) @ rot.T + np.array([cx, cy], dtype=np.float32)
    M = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    cv2.warpPerspective(screen, M, (FRAME_W, FRAME_H), dst=frame, flags=cv2.INTER_LINEAR,
                        borderMode=cv2.BORDER_TRANSPARENT)
    if unreadable:
        # a thumb or a crack over a third of the code, then a shaking hand
        x0, y0 = int(cx - half * 0.3), int(cy - half * 0.9)
        cv2.ellipse(frame, (x0, y0), (int(size * 0.35), int(size * 0.5)), float(rng.uniform(0, 180)), 0, 360,
                    int(rng.integers(90, 150)), -1)
        frame = cv2.GaussianBlur(frame, (0, 0), 6.0)
    # defocus, uneven light, sensor noise, compression
    sigma = rng.uniform(*model.blur_sigma)
    if sigma > 0.2:
        frame = cv2.GaussianBlur(frame, (0, 0), sigma)
    noise: NDArray[Any] = np.empty(frame.shape, dtype=np.int16)
    # OpenCV takes scalar mean and deviation here; its stubs only list arrays
    cv2.randn(noise, 0, float(rng.uniform(*model.noise_sigma)))  # type: ignore[call-overload]
    frame = cv2.add(cv2.convertScaleAbs(frame, alpha=rng.uniform(0.85, 1.1), beta=rng.uniform(-15, 15)).astype(np.int16),
                    noise)
    img = np.asarray(np.clip(frame, 0, 255), dtype=np.uint8)
    quality = int(rng.integers(model.jpeg_quality[0], model.jpeg_quality[1] + 1))
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:  # pragma: no cover - OpenCV always encodes a valid array
        return img
    out = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    return np.asarray(out, dtype=np.uint8)
