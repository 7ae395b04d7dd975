"""Rendering with qrcode and reading back with zxing-cpp: round trips, sizing, typed results."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
import qrcode
import qrcode.base
import qrcode.constants
import qrcode.util
from PIL import Image

from sdk.errors import QRDecodeError
from sdk.transport import (
    Complete,
    Receiver,
    Scanner,
    ScanStatus,
    decode_image,
    encode,
    render_code,
    render_cycle,
    render_terminal,
    scan_image,
    version_for,
)
from sdk.transport.framing import CodeKind
from sdk.transport.render import BYTE_CAPACITY_L, QUIET_ZONE, byte_capacity


def side_by_side(*images: Any, gap: int = 40) -> Any:
    height = max(im.shape[0] for im in images)
    parts = []
    for im in images:
        pad = np.full((height, im.shape[1] + gap), 255, np.uint8)
        pad[: im.shape[0], gap // 2 : gap // 2 + im.shape[1]] = im
        parts.append(pad)
    return np.hstack(parts)


def foreign_code(text: str, box: int = 6) -> Any:
    """A code made the way a payment app or a URL generator would: qrcode defaults."""
    img = qrcode.make(text, box_size=box).convert("L")
    return np.asarray(img)


# --- capacity table ---------------------------------------------------------------------


def test_capacity_table_agrees_with_the_qrcode_block_table() -> None:
    """Table 7 of ISO/IEC 18004 restated from the RS block structure qrcode encodes with:
    data codewords * 8 minus the 4-bit mode indicator and the character count field."""
    for version in range(1, 41):
        blocks = qrcode.base.rs_blocks(version, qrcode.constants.ERROR_CORRECT_L)
        data_bits = 8 * sum(block.data_count for block in blocks)
        count_bits = 8 if version < 10 else 16
        assert byte_capacity(version) == (data_bits - 4 - count_bits) // 8
    assert version_for(1000) == 22 and version_for(1003) == 22 and version_for(1004) == 23
    assert render_code(b"\xd9\xd9\xf7" + bytes(range(250)) * 4).version == 22
    assert render_code(b"\xd9\xd9\xf7" + bytes(range(250)) * 4 + b"!").version == 23
    assert len(BYTE_CAPACITY_L) == 40


# --- round trips through images ---------------------------------------------------------


@pytest.mark.parametrize("size", [1, 3, 700, 1000, 1001, 4096, 16 * 1024])
def test_round_trip_through_images(size: int, payload: Callable[..., bytes]) -> None:
    message = payload(size, size)
    prefixed = size >= 3
    enc = encode(message, require_prefix=prefixed)
    assert enc.single == (prefixed and size <= 1000)
    receiver = Receiver(require_prefix=prefixed)
    scanner = Scanner(receiver)
    done = None
    # systematic parts in reverse order: order does not matter
    for seq in reversed(range(enc.count)):
        rendered = render_code(enc.code(seq), module_px=3)
        update = scanner.feed(rendered.image)
        assert update.scan.status is ScanStatus.OK
        assert update.scan.data == enc.code(seq)  # raw bytes, byte for byte
        done = update.complete or done
    assert isinstance(done, Complete) and done.payload == message


def test_bytes_that_are_not_utf8_survive() -> None:
    nasty = b"\xd9\xd9\xf7" + bytes([0x00, 0xC3, 0x28, 0xFF, 0xFE, 0xED, 0xA0, 0x80, 0x0A, 0x0D])
    nasty += bytes(range(256)) + b"1234567890" * 5 + b"HELLO WORLD $%*+-./:"
    assert decode_image(render_code(nasty).image) == nasty


def test_screen_sizing_and_quiet_zone() -> None:
    code = render_code(b"\xd9\xd9\xf7" + bytes(range(1, 250)) * 4 + b"x", screen_px=720)
    side = code.modules + 2 * QUIET_ZONE
    assert code.version == 22 and code.modules == 105
    assert code.module_px == 720 // side == 6 and code.size_px == side * 6 <= 720
    margin = QUIET_ZONE * code.module_px
    img = code.image
    for border in (img[:margin], img[-margin:], img[:, :margin], img[:, -margin:]):
        assert (border == 255).all()
    assert img[margin, margin] == 0  # finder pattern corner
    png = code.png()
    assert png.startswith(b"\x89PNG")
    back = np.asarray(Image.open(io.BytesIO(png)))
    assert back.shape == img.shape and (back == img).all()
    assert render_code(b"\xd9\xd9\xf7", module_px=9).size_px == (21 + 8) * 9


def test_animation_frames_share_one_version(payload: Callable[..., bytes]) -> None:
    enc = encode(payload(4096, 5))
    frames = render_cycle(enc, module_px=2)
    assert len(frames) == enc.count + max(2, -(-enc.count // 2))
    assert len({(f.version, f.size_px) for f in frames}) == 1
    assert frames[0].version == version_for(enc.frame_size) <= 18


def test_terminal_rendering_scans(payload: Callable[..., bytes]) -> None:
    data = payload(120, 9)
    for dark_background in (True, False):
        text = render_terminal(data, dark_background=dark_background)
        lines = text.splitlines()
        modules = 17 + 4 * version_for(len(data)) + 4
        assert all(len(line) == modules for line in lines)
        assert len(lines) == (modules + 1) // 2
        top = {" ": 0, "\u2580": 1, "\u2584": 0, "\u2588": 1}
        bottom = {" ": 0, "\u2580": 0, "\u2584": 1, "\u2588": 1}
        ink = np.array(
            [[m[ch] for ch in line] for line in lines for m in (top, bottom)], dtype=np.uint8
        )
        # a terminal draws ink light on a dark background, or dark on a light one; either
        # way the code must come out dark-on-light, as most phone scanners expect
        gray = ink * 255 if dark_background else (1 - ink) * 255
        image = cv2.resize(gray.astype(np.uint8), None, fx=6, fy=6, interpolation=cv2.INTER_NEAREST)
        result = scan_image(image)
        assert result.data == data
        assert result.symbols[0].inverted is False


def test_light_on_dark_code_is_read_on_a_second_pass(payload: Callable[..., bytes]) -> None:
    data = payload(300, 6)
    result = scan_image(255 - render_code(data, module_px=4).image)
    assert result.data == data and result.symbols[0].inverted is True


def test_zero_runs_render_despite_the_qrcode_rs_bug() -> None:
    """qrcode 8.2 raises ValueError('glog(0)') on an all-zero Reed-Solomon block; the
    renderer supplies those codewords itself and the codes still decode."""
    for data in (b"\xd9\xd9\xf7" + bytes(997), b"\xd9\xd9\xf7\x01" + bytes(600) + b"\x02"):
        assert decode_image(render_code(data, module_px=3).image) == data


@pytest.mark.parametrize("version", [1, 9, 10, 18, 22, 27, 40])
def test_fallback_codewords_equal_qrcode_where_qrcode_works(version: int) -> None:
    from sdk.transport.render import _codewords

    for n in (1, byte_capacity(version) // 2, byte_capacity(version)):
        data = random.Random(version * 1000 + n).randbytes(n)
        expected = qrcode.util.create_data(
            version,
            qrcode.constants.ERROR_CORRECT_L,
            [qrcode.util.QRData(data, mode=qrcode.util.MODE_8BIT_BYTE)],
        )
        assert _codewords(version, data) == expected


# --- typed results for what is in view --------------------------------------------------


def test_no_code() -> None:
    blank = np.full((480, 640, 3), 200, np.uint8)
    noise = np.random.default_rng(0).integers(0, 256, (480, 640), dtype=np.uint8)
    for image in (blank, noise):
        result = scan_image(image)
        assert result.status is ScanStatus.NO_CODE and result.data is None
        with pytest.raises(QRDecodeError) as info:
            decode_image(image)
        assert info.value.reason == "no_code"


@pytest.mark.parametrize(
    "text",
    [
        "https://example.org/pay?to=alice&amount=10",
        "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678"
        "52044900530398454031005802CN5914BEST TRANSPORT6007BEIJING6304A13A",
        "ZKB account 1234",
    ],
)
def test_foreign_code_is_reported_with_its_raw_bytes(text: str) -> None:
    result = scan_image(foreign_code(text))
    assert result.status is ScanStatus.FOREIGN_CODE
    assert result.foreign == (text.encode(),) and result.data is None
    with pytest.raises(QRDecodeError) as info:
        result.unwrap()
    assert info.value.reason == "foreign_code"
    update = Scanner().feed(foreign_code(text))
    assert update.message is None and update.scan.foreign == (text.encode(),)


def test_several_codes(payload: Callable[..., bytes]) -> None:
    a = render_code(payload(200, 1), module_px=4).image
    b = render_code(payload(300, 2), module_px=4).image
    result = scan_image(side_by_side(a, b))
    assert result.status is ScanStatus.SEVERAL_CODES and len(result.symbols) == 2
    with pytest.raises(QRDecodeError) as info:
        decode_image(side_by_side(a, b))
    assert info.value.reason == "several_codes"
    # the same code twice (a reflection) is still one code
    assert scan_image(side_by_side(a, a)).status is ScanStatus.OK
    # a zkaid code beside a payment poster: the zkaid one is taken, the other listed
    url = foreign_code("https://pay.example/x", box=4)
    mixed = scan_image(side_by_side(a, url))
    assert mixed.status is ScanStatus.OK and mixed.data == payload(200, 1)
    assert mixed.foreign == (b"https://pay.example/x",)
    kinds = {s.kind for s in mixed.symbols}
    assert kinds == {CodeKind.PAYLOAD, CodeKind.FOREIGN}


def test_damaged_code_is_unreadable_not_absent(payload: Callable[..., bytes]) -> None:
    image = render_code(payload(600, 3), module_px=5).image.copy()
    h, w = image.shape
    image[h // 3 : h // 3 + h // 5, w // 4 : 3 * w // 4] = 255  # a sticker over the middle
    result = scan_image(image)
    assert result.status is ScanStatus.UNREADABLE and result.unreadable >= 1
    with pytest.raises(QRDecodeError) as info:
        decode_image(image)
    assert info.value.reason == "unreadable"


def test_inputs_files_pil_and_colour(tmp_path: Path, payload: Callable[..., bytes]) -> None:
    data = payload(500, 4)
    code = render_code(data, module_px=4)
    path = tmp_path / "code.png"
    path.write_bytes(code.png())
    assert decode_image(path) == data
    assert decode_image(str(path)) == data
    assert decode_image(Image.open(path)) == data
    bgr = cv2.cvtColor(code.image, cv2.COLOR_GRAY2BGR)
    bgra = cv2.cvtColor(code.image, cv2.COLOR_GRAY2BGRA)
    assert decode_image(bgr) == decode_image(bgra) == decode_image(code.image[:, :, None]) == data
    jpg = tmp_path / "code.jpg"
    cv2.imwrite(str(jpg), bgr, [cv2.IMWRITE_JPEG_QUALITY, 50])
    assert decode_image(jpg) == data


@pytest.mark.parametrize(
    "bad",
    [
        np.zeros((10, 10), np.float32),
        np.zeros((10, 10, 2), np.uint8),
        np.zeros((0, 0), np.uint8),
        "/nonexistent/code.png",
        12345,
    ],
)
def test_bad_image_input_is_a_typed_error(bad: Any, tmp_path: Path) -> None:
    with pytest.raises(QRDecodeError) as info:
        scan_image(bad)
    assert info.value.reason == "bad_image"


def test_not_an_image_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.png"
    path.write_text("not a picture")
    with pytest.raises(QRDecodeError) as info:
        decode_image(path)
    assert info.value.reason == "bad_image"


@pytest.mark.parametrize("mask", range(8))
def test_every_fixed_mask_decodes(mask: int) -> None:
    """A fixed mask pattern (faster to render) is read like the best-penalty one."""
    from sdk.transport import decode_image, render_code

    payload = b"\xd9\xd9\xf7" + bytes(range(256)) * 3
    assert decode_image(render_code(payload, mask=mask).image) == payload
