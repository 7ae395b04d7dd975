"""Shared helpers for the QR transport tests, handed out as fixtures.

Helpers are fixtures (not an importable module) so the tests work whether or not the
``tests`` tree becomes a package later. OpenCV is imported inside the helpers only, so the
pure framing tests never load it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

from sdk.transport.framing import ZKAID_PREFIX


def make_payload(size: int, seed: int = 0) -> bytes:
    """A zkaid-looking payload: the D9 D9 F7 prefix, then random bytes (all 256 values)."""
    body = random.Random(seed).randbytes(max(0, size - len(ZKAID_PREFIX)))
    return (ZKAID_PREFIX + body)[:size]


def make_scene(
    code: Any, *, width: int = 1280, height: int = 720, fill: float = 0.7, seed: int = 0
) -> Any:
    """Put a rendered code (grayscale array) in the middle of a camera-like BGR frame: a
    textured mid-grey table, the code covering ``fill`` of the frame height."""
    import cv2
    import numpy as np

    rng = np.random.default_rng(seed)
    table = rng.normal(110, 18, size=(height, width)).clip(0, 255).astype(np.uint8)
    table = np.asarray(cv2.GaussianBlur(table, (0, 0), 3), dtype=np.uint8)
    side = int(height * fill)
    code_img = cv2.resize(np.asarray(code), (side, side), interpolation=cv2.INTER_AREA)
    y, x = (height - side) // 2, (width - side) // 2
    table[y : y + side, x : x + side] = code_img
    return cv2.cvtColor(table, cv2.COLOR_GRAY2BGR)


@pytest.fixture(scope="session")
def payload() -> Callable[..., bytes]:
    return make_payload


@pytest.fixture(scope="session")
def scene() -> Callable[..., Any]:
    return make_scene
