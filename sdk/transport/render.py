"""Render code contents as images for a phone screen, and as text for a terminal.

Symbols are built with ``qrcode`` from one byte-mode segment at error correction level L
(ISO/IEC 18004:2015, 7.4.5 and Table 7): zkaid content is binary CBOR, so byte mode is the
only honest mode, and level L gives the most capacity for a screen, where the threat is
glare and blur over the whole code rather than a torn corner, and where a failed read is
simply retried on the next camera frame.

Images use an integer number of pixels per module so that no resampling smears module
edges, and keep the 4-module quiet zone the standard requires (ISO/IEC 18004, 6.3.8).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import qrcode
import qrcode.constants
import qrcode.util
from numpy.typing import NDArray
from PIL import Image

from sdk.errors import FrameError, ParameterError
from sdk.reasons import TransportReason
from sdk.transport.framing import QREncoding

__all__ = [
    "BYTE_CAPACITY_L",
    "DEFAULT_SCREEN_PX",
    "QUIET_ZONE",
    "RenderedCode",
    "byte_capacity",
    "render_code",
    "render_cycle",
    "render_terminal",
    "symbol_modules",
    "version_for",
]

BYTE_CAPACITY_L: tuple[int, ...] = (
    17, 32, 53, 78, 106, 134, 154, 192, 230, 271,
    321, 367, 425, 458, 520, 586, 644, 718, 792, 858,
    929, 1003, 1091, 1171, 1273, 1367, 1465, 1528, 1628, 1732,
    1840, 1952, 2068, 2188, 2303, 2431, 2563, 2699, 2809, 2953,
)  # fmt: skip
"""Byte-mode data capacity of versions 1..40 at EC level L (ISO/IEC 18004:2015, Table 7)."""

QUIET_ZONE = 4
"""Light margin in modules; 4 is the minimum ISO/IEC 18004 (6.3.8) asks for."""

DEFAULT_SCREEN_PX = 720
"""Short side of a cheap phone screen in pixels; codes are sized to fit it."""


def byte_capacity(version: int) -> int:
    """Bytes one byte-mode segment can hold at EC level L in ``version`` (1..40)."""
    if not 1 <= version <= 40:
        raise ParameterError(f"QR versions are 1..40, got {version}")
    return BYTE_CAPACITY_L[version - 1]


def version_for(n_bytes: int) -> int:
    """Smallest QR version that holds ``n_bytes`` in byte mode at EC level L."""
    for version, capacity in enumerate(BYTE_CAPACITY_L, start=1):
        if n_bytes <= capacity:
            return version
    raise FrameError(
        f"{n_bytes} bytes do not fit one QR code (at most {BYTE_CAPACITY_L[-1]}).",
        reason=TransportReason.TOO_LARGE,
    )


def symbol_modules(data: bytes, *, mask: int | None = None) -> tuple[int, NDArray[np.bool_]]:
    """The QR version and the module matrix (True = dark), without quiet zone.

    ``mask=None`` evaluates the eight mask patterns and keeps the one with the lowest
    penalty (ISO/IEC 18004, 7.8.3), which costs about two thirds of the time in pure
    Python. Any fixed pattern 0..7 is equally valid for every decoder; a fixed mask
    renders about 3x faster, which matters for animated codes on slow phones.
    """
    data = bytes(data)
    if not data:
        raise ParameterError("A QR code needs at least one byte of content.")
    if mask is not None and not 0 <= mask <= 7:
        raise ParameterError(f"QR mask patterns are 0..7, got {mask}")
    version_for(len(data))  # typed error before qrcode raises its own
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, border=0, mask_pattern=mask)
    # One explicit 8-bit segment: qrcode's default splits digit runs into numeric segments.
    qr.add_data(qrcode.util.QRData(data, mode=qrcode.util.MODE_8BIT_BYTE))
    try:
        qr.make(fit=True)
    except ValueError:
        # qrcode 8.2 fails with "glog(0)" when one Reed-Solomon block's data codewords are
        # all zero (lincolnloop/python-qrcode#330, fixed after 8.2), e.g. a long run of 0x00
        # in a payload. Supply the codewords ourselves and let qrcode place and mask them.
        qr.data_cache = _codewords(int(qr.version), data)
        qr.make(fit=False)
    matrix = np.array(qr.get_matrix(), dtype=np.bool_)
    return int(qr.version), matrix


def _gf_tables() -> tuple[tuple[int, ...], tuple[int, ...]]:
    """exp/log tables of GF(256) with the QR field polynomial x^8+x^4+x^3+x^2+1 (0x11D)."""
    exp = [0] * 512
    log = [0] * 256
    value = 1
    for i in range(255):
        exp[i] = value
        log[value] = i
        value <<= 1
        if value & 0x100:
            value ^= 0x11D
    for i in range(255, 512):
        exp[i] = exp[i - 255]
    return tuple(exp), tuple(log)


_GF_EXP, _GF_LOG = _gf_tables()


def _rs_remainder(block: list[int], n_ec: int) -> list[int]:
    """Error correction codewords of one block (ISO/IEC 18004, 7.5.2): the remainder of
    block(x) * x^n_ec divided by the generator prod(x - a^i), i = 0..n_ec-1."""
    generator = [1]
    for i in range(n_ec):
        nxt = [0] * (len(generator) + 1)
        for j, coef in enumerate(generator):
            nxt[j] ^= coef
            if coef:
                nxt[j + 1] ^= _GF_EXP[_GF_LOG[coef] + i]
        generator = nxt
    rem = [0] * n_ec
    for codeword in block:
        factor = codeword ^ rem[0]
        rem = [*rem[1:], 0]
        if factor:
            log_f = _GF_LOG[factor]
            for i, coef in enumerate(generator[1:]):
                if coef:
                    rem[i] ^= _GF_EXP[_GF_LOG[coef] + log_f]
    return rem


def _codewords(version: int, data: bytes) -> list[int]:
    """Final codeword sequence for one byte-mode segment at EC level L: mode indicator,
    character count, data, terminator, pad codewords 0xEC/0x11, then per-block error
    correction and interleaving (ISO/IEC 18004, 7.4 to 7.6)."""
    blocks = qrcode.base.rs_blocks(version, qrcode.constants.ERROR_CORRECT_L)
    capacity = sum(int(b.data_count) for b in blocks)
    count_bits = 8 if version < 10 else 16
    value = (0b0100 << count_bits) | len(data)
    value = (value << (8 * len(data))) | int.from_bytes(data, "big")
    nbits = 4 + count_bits + 8 * len(data)
    tail = min(4, capacity * 8 - nbits)
    tail += (-(nbits + tail)) % 8
    value <<= tail
    stream = list(value.to_bytes((nbits + tail) // 8, "big"))
    stream += [0xEC, 0x11] * ((capacity - len(stream)) // 2 + 1)
    stream = stream[:capacity]
    data_blocks: list[list[int]] = []
    ec_blocks: list[list[int]] = []
    offset = 0
    for b in blocks:
        chunk = stream[offset : offset + int(b.data_count)]
        offset += int(b.data_count)
        data_blocks.append(chunk)
        ec_blocks.append(_rs_remainder(chunk, int(b.total_count) - int(b.data_count)))
    out: list[int] = []
    for group in (data_blocks, ec_blocks):
        for i in range(max(len(g) for g in group)):
            out.extend(g[i] for g in group if i < len(g))
    return out


@dataclass(frozen=True)
class RenderedCode:
    """One code ready for display: grayscale image (0 = dark) and what was encoded."""

    data: bytes
    version: int
    module_px: int
    quiet_zone: int
    image: NDArray[np.uint8] = field(repr=False, compare=False)

    @property
    def modules(self) -> int:
        """Modules per side without quiet zone (17 + 4 * version)."""
        return 17 + 4 * self.version

    @property
    def size_px(self) -> int:
        return int(self.image.shape[0])

    def png(self) -> bytes:
        """PNG bytes of the image, for files, HTTP responses or a Kivy texture."""
        buf = io.BytesIO()
        Image.fromarray(self.image).save(buf, format="PNG")  # 2-D uint8: mode L
        return buf.getvalue()


def render_code(
    data: bytes,
    *,
    module_px: int | None = None,
    screen_px: int = DEFAULT_SCREEN_PX,
    quiet_zone: int = QUIET_ZONE,
    mask: int | None = None,
) -> RenderedCode:
    """Draw one code. Without ``module_px``, the largest whole module size that fits
    ``screen_px`` (quiet zone included) is used, so the code fills a phone screen.
    ``mask``: see :func:`symbol_modules`."""
    if quiet_zone < 0:
        raise ParameterError(f"quiet_zone must be >= 0, got {quiet_zone}")
    version, matrix = symbol_modules(data, mask=mask)
    side = matrix.shape[0] + 2 * quiet_zone
    if module_px is None:
        if screen_px < side:
            raise ParameterError(
                f"A {screen_px}px screen cannot show version {version} ({side} modules "
                "with quiet zone) at one pixel per module or more."
            )
        module_px = screen_px // side
    if module_px < 1:
        raise ParameterError(f"module_px must be >= 1, got {module_px}")
    light = np.pad(~matrix, quiet_zone, constant_values=True)
    gray = np.where(light, np.uint8(255), np.uint8(0)).astype(np.uint8)
    image = np.repeat(np.repeat(gray, module_px, axis=0), module_px, axis=1)
    return RenderedCode(bytes(data), version, module_px, quiet_zone, image)


def render_cycle(
    encoding: QREncoding,
    *,
    repair: int | None = None,
    module_px: int | None = None,
    screen_px: int = DEFAULT_SCREEN_PX,
    quiet_zone: int = QUIET_ZONE,
    mask: int | None = None,
) -> tuple[RenderedCode, ...]:
    """Images of :meth:`QREncoding.cycle`, for an animation that loops.

    All frames share one version and module size (the framing balances part lengths).
    A live display should instead render ``encoding.stream()`` as it goes, which never
    repeats a repair part.
    """
    codes: Sequence[bytes] = encoding.cycle(repair)
    return tuple(
        render_code(code, module_px=module_px, screen_px=screen_px, quiet_zone=quiet_zone, mask=mask)
        for code in codes
    )


_HALF_BLOCKS = {
    (False, False): " ",
    (True, False): "\u2580",  # upper half block
    (False, True): "\u2584",  # lower half block
    (True, True): "\u2588",  # full block
}


def render_terminal(data: bytes, *, quiet_zone: int = 2, dark_background: bool = True) -> str:
    """The code as Unicode half blocks, two module rows per text line.

    On a dark terminal background the *light* modules are drawn as glyphs, so the code
    still reads dark-on-light; ``dark_background=False`` draws the dark modules instead.
    A 2-module margin keeps the code within an 80-column window for small versions;
    scanners cope with it on a screen, where nothing crowds the code.
    """
    if quiet_zone < 0:
        raise ParameterError(f"quiet_zone must be >= 0, got {quiet_zone}")
    _, matrix = symbol_modules(data)
    dark = np.pad(matrix, quiet_zone, constant_values=False)
    ink = ~dark if dark_background else dark
    if ink.shape[0] % 2:
        ink = np.vstack([ink, np.zeros((1, ink.shape[1]), dtype=np.bool_)])
    lines = []
    for top, bottom in zip(ink[0::2], ink[1::2], strict=True):
        lines.append(
            "".join(_HALF_BLOCKS[(bool(t), bool(b))] for t, b in zip(top, bottom, strict=True))
        )
    return "\n".join(lines) + "\n"
