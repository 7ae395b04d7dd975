"""QR transport benchmark: decode time per camera frame, and transfer time per payload size.

Run: .venv/bin/python bench/qr.py [--quick]

Table 1 times the whole per-frame path an app runs (``scan_image``: zxing-cpp on the frame,
an inverted second pass only when nothing was found, classification) on camera-like BGR
frames at 1280x720 and 1920x1080, and compares the median with the 15 ms target.

Table 2 shows, per payload size, the QR version and part count the framing picks, and the
seconds to transfer at a stated display rate: with no frame lost, and with a quarter of
the frames lost (median of simulated runs through the real Receiver), for the fountain
stream and, for comparison, for a plain loop of the K systematic parts.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2
import numpy as np

from sdk.transport import (
    Complete,
    QREncoding,
    Receiver,
    encode,
    render_code,
    scan_image,
    version_for,
)

Frame = Any  # numpy uint8 arrays; OpenCV's stubs type them loosely

TARGET_MS = 15.0
DISPLAY_FPS = 5.0
DROP_RATE = 0.25
SIZES = (100, 500, 1000, 2048, 4096, 8192, 16384, 65536)


def payload(size: int, seed: int = 0) -> bytes:
    return (b"\xd9\xd9\xf7" + random.Random(seed).randbytes(size))[:size]


def camera_frame(code: Frame | None, width: int, height: int, fill: float = 0.6) -> Frame:
    """A textured table with the phone's code covering ``fill`` of the frame height."""
    rng = np.random.default_rng(width)
    table = rng.normal(110, 18, size=(height, width)).clip(0, 255).astype(np.uint8)
    table = np.asarray(cv2.GaussianBlur(table, (0, 0), 3), dtype=np.uint8)
    if code is not None:
        side = int(height * fill)
        img = cv2.resize(code, (side, side), interpolation=cv2.INTER_AREA)
        y, x = (height - side) // 2, (width - side) // 2
        table[y : y + side, x : x + side] = img
    return cv2.cvtColor(table, cv2.COLOR_GRAY2BGR)


def degrade(frame: Frame) -> Frame:
    h, w = frame.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), 12, 1.0)
    frame = cv2.warpAffine(frame, matrix, (w, h), borderMode=cv2.BORDER_REPLICATE)
    frame = cv2.GaussianBlur(frame, (0, 0), 1.0)
    ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 50])
    assert ok
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm-up
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def decode_table(repeats: int) -> None:
    single = payload(1000, 1)
    part = encode(payload(8192, 2)).code(3)
    scenes = {
        "single code, 1000 B (v22)": render_code(single, module_px=4).image,
        f"animation frame, {len(part)} B (v{version_for(len(part))})": render_code(
            part, module_px=4
        ).image,
        "no code in view": None,
    }
    print(f"Decode time per frame, median of {repeats} (scan_image; target {TARGET_MS:.0f} ms)")
    header = f"{'frame content':<34}{'resolution':>12}{'clean ms':>10}{'x target':>9}"
    header += f"{'degraded ms':>13}{'x target':>9}{'read':>6}"
    print(header)
    print("-" * len(header))
    for label, code in scenes.items():
        for width, height in ((1280, 720), (1920, 1080)):
            frame = camera_frame(code, width, height)
            rough = degrade(frame)
            clean_ms = median_ms(partial(scan_image, frame), repeats)
            rough_ms = median_ms(partial(scan_image, rough), repeats)
            ok = scan_image(frame).status.value
            ok_rough = scan_image(rough).status.value
            read = "yes" if code is None or (ok == "ok" and ok_rough == "ok") else "NO"
            if code is None:
                read = "-" if ok == "no_code" else "??"
            print(
                f"{label:<34}{f'{width}x{height}':>12}{clean_ms:>10.1f}"
                f"{clean_ms / TARGET_MS:>9.2f}{rough_ms:>13.1f}{rough_ms / TARGET_MS:>9.2f}"
                f"{read:>6}"
            )
    print("degraded = rotated 12 degrees, Gaussian blur sigma 1, JPEG quality 50\n")


def loop_code(enc: QREncoding, seq: int) -> bytes:
    """A plain loop of the K systematic parts, for comparison with the fountain."""
    return enc.code(seq % enc.count)


def frames_until_complete(
    codes: Callable[[int], bytes], rng: random.Random, drop: float, limit: int
) -> int:
    """Frames *shown* until the receiver completes, losing each with probability drop."""
    receiver = Receiver()
    for shown in range(1, limit + 1):
        if rng.random() < drop:
            continue
        if isinstance(receiver.push(codes(shown - 1)), Complete):
            return shown
    return limit


def transfer_table(trials: int) -> None:
    print(
        f"Transfer per payload size at {DISPLAY_FPS:g} fps display "
        f"(median of {trials} simulated runs; lost = {DROP_RATE:.0%} of frames lost)"
    )
    header = (
        f"{'payload':>8}{'kind':>8}{'code B':>8}{'ver':>5}{'modules':>9}{'parts':>7}"
        f"{'render ms':>11}{'s, none lost':>14}{'s, lost':>9}{'s, lost, loop':>15}"
    )
    print(header)
    print("-" * len(header))
    for size in SIZES:
        enc = encode(payload(size, size))
        code_bytes = enc.frame_size
        version = version_for(code_bytes)
        render_ms = median_ms(partial(render_code, enc.code(0)), 3)
        if enc.single:
            none_lost = lost = loop = 1 / DISPLAY_FPS
        else:
            k = enc.count
            rng = random.Random(size)
            limit = 50 * k + 100
            fountain = [
                frames_until_complete(enc.code, rng, DROP_RATE, limit) for _ in range(trials)
            ]
            plain = [
                frames_until_complete(partial(loop_code, enc), rng, DROP_RATE, limit)
                for _ in range(trials)
            ]
            none_lost = k / DISPLAY_FPS
            lost = statistics.median(fountain) / DISPLAY_FPS
            loop = statistics.median(plain) / DISPLAY_FPS
        print(
            f"{size:>8}{'single' if enc.single else 'multi':>8}{code_bytes:>8}{version:>5}"
            f"{17 + 4 * version:>9}{enc.count:>7}{render_ms:>11.0f}{none_lost:>14.1f}"
            f"{lost:>9.1f}{loop:>15.1f}"
        )
    print(
        "s, lost: fountain stream (parts K, K+1, ... are XOR repair parts); "
        "s, lost, loop: the K parts repeated without repair parts.\n"
        "A single code is read from one frame (shown as 1/fps); render ms is qrcode on this "
        "machine, one code.\n"
    )


def environment() -> Iterator[str]:
    yield f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs"
    versions = {name: metadata.version(name) for name in ("zxing-cpp", "qrcode", "numpy")}
    yield ", ".join(f"{k} {v}" for k, v in versions.items()) + f", opencv {cv2.__version__}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    for line in environment():
        print(line)
    print()
    decode_table(repeats=9 if args.quick else 31)
    transfer_table(trials=21 if args.quick else 201)


if __name__ == "__main__":
    main()
