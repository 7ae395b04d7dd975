"""Numpy images to Kivy textures: QR codes (nearest-neighbour, so modules stay sharp) and
camera frames for the preview."""

from __future__ import annotations

from typing import Any

import numpy as np
from kivy.graphics.texture import Texture

__all__ = ["texture_from_image"]


def texture_from_image(image: Any, *, sharp: bool = False) -> Texture | None:
    """A texture from a grayscale (H, W) or BGR (H, W, 3) uint8 array; None for anything
    else (a path or a PIL image handed over by a file source shows no preview).

    Pixels are uploaded as RGBA, whose rows are always 4-byte aligned whatever the width.
    """
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim not in (2, 3):
        return None
    if image.ndim == 2:
        rgba = np.repeat(image[:, :, None], 4, axis=2)
        rgba[:, :, 3] = 255
    elif image.shape[2] >= 3:
        rgba = np.empty((*image.shape[:2], 4), dtype=np.uint8)
        rgba[:, :, :3] = image[:, :, 2::-1][:, :, :3]  # BGR -> RGB
        rgba[:, :, 3] = 255
    else:
        return None
    h, w = rgba.shape[:2]
    tex = Texture.create(size=(w, h), colorfmt="rgba")
    tex.blit_buffer(np.ascontiguousarray(np.flipud(rgba)).tobytes(), colorfmt="rgba", bufferfmt="ubyte")
    if sharp:
        tex.mag_filter = "nearest"
        tex.min_filter = "nearest"
    return tex
