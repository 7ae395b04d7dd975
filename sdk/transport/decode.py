"""Find and read QR codes in images and camera frames with zxing-cpp, as raw bytes.

zxing-cpp rather than OpenCV's ``QRCodeDetector``: OpenCV returns decoded content as a
``str`` and mangles bytes that are not valid UTF-8 (all zkaid content is binary CBOR), and
it misses large, dense versions that zxing-cpp reads. Here, only ``Barcode.bytes`` is ever
used, never ``.text``.

Each image yields a typed :class:`ScanResult` (no code, several codes, a foreign code, a
damaged code, or exactly one zkaid code) rather than an exception, because in a camera loop
"nothing readable yet" is the normal case. :meth:`ScanResult.unwrap` turns the non-OK
statuses into :class:`~sdk.errors.QRDecodeError` for callers that want one code or nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import zxingcpp
from numpy.typing import NDArray

from sdk.errors import FrameError, IntegrityError, QRDecodeError, TransportError
from sdk.reasons import TransportReason
from sdk.transport.framing import CodeKind, Complete, Foreign, Progress, Receiver, classify

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

__all__ = [
    "ImageInput",
    "ScanResult",
    "ScanStatus",
    "ScanUpdate",
    "Scanner",
    "Symbol",
    "decode_image",
    "receive",
    "scan_image",
]

ImageInput: TypeAlias = "NDArray[Any] | PILImage | str | os.PathLike[str]"
"""A grayscale (H, W), BGR (H, W, 3) or BGRA (H, W, 4) uint8 array, a PIL image, or a path.

The array type is loose on purpose (OpenCV's stubs type frames loosely); the dtype and
shape are checked at run time and anything else is a ``bad_image`` error."""


class ScanStatus(Enum):
    """Outcome of looking at one image; the values match ``QRDecodeError.reason``."""

    OK = "ok"
    NO_CODE = "no_code"
    SEVERAL_CODES = "several_codes"
    FOREIGN_CODE = "foreign_code"
    UNREADABLE = "unreadable"


_ADVICE = {
    ScanStatus.NO_CODE: (
        "No QR code found. Hold the phone steady 20 to 40 cm from the camera with the whole "
        "code in view."
    ),
    ScanStatus.SEVERAL_CODES: "Several zkaid codes are in view. Show one phone at a time.",
    ScanStatus.FOREIGN_CODE: (
        "This QR code is not a zkaid code (it is a link, a payment code or other text). "
        "Ask for the code shown by the zkaid app."
    ),
    ScanStatus.UNREADABLE: (
        "A QR code is in view but could not be read. Tilt the phone against glare, wipe the "
        "screen, or move a little closer."
    ),
}


@dataclass(frozen=True)
class Symbol:
    """One readable QR symbol: its raw bytes, what they are, and where it was found."""

    data: bytes
    kind: CodeKind
    corners: tuple[tuple[int, int], ...]
    inverted: bool


@dataclass(frozen=True)
class ScanResult:
    """Every readable symbol in one image and the verdict on it.

    ``status`` is OK when exactly one distinct zkaid content is in view (foreign codes
    beside it are ignored but listed in ``symbols``). ``unreadable`` counts symbols that
    were located but failed error correction.
    """

    status: ScanStatus
    symbols: tuple[Symbol, ...]
    unreadable: int = 0

    @property
    def data(self) -> bytes | None:
        """The zkaid code's bytes when ``status`` is OK, else None."""
        if self.status is not ScanStatus.OK:
            return None
        return next(s.data for s in self.symbols if s.kind is not CodeKind.FOREIGN)

    @property
    def foreign(self) -> tuple[bytes, ...]:
        """Raw bytes of every foreign code in view, for callers that want to show them."""
        return tuple(s.data for s in self.symbols if s.kind is CodeKind.FOREIGN)

    def unwrap(self) -> bytes:
        """The zkaid code's bytes, or :class:`~sdk.errors.QRDecodeError` with the status as
        its reason."""
        data = self.data
        if data is None:
            raise QRDecodeError(_ADVICE[self.status], reason=self.status.value)
        return data


def _as_array(image: ImageInput) -> NDArray[np.uint8]:
    if isinstance(image, str | os.PathLike):
        return _load_file(image)
    if isinstance(image, np.ndarray):
        arr = image
    else:
        try:
            from PIL import Image
        except ImportError as exc:  # pragma: no cover - PIL ships with qrcode[pil]
            raise QRDecodeError(
                f"Cannot read an image of type {type(image).__name__}.", reason=TransportReason.BAD_IMAGE
            ) from exc
        if not isinstance(image, Image.Image):
            raise QRDecodeError(
                f"Cannot read an image of type {type(image).__name__}.", reason=TransportReason.BAD_IMAGE
            )
        arr = np.asarray(image.convert("L"))
    if arr.dtype != np.uint8 or arr.ndim not in (2, 3) or arr.size == 0:
        raise QRDecodeError(
            f"Expected an 8-bit grayscale or BGR image, got {arr.dtype} of shape {arr.shape}.",
            reason=TransportReason.BAD_IMAGE,
        )
    if arr.ndim == 3:
        channels = arr.shape[2]
        if channels == 1:
            arr = arr[:, :, 0]
        elif channels == 4:
            arr = arr[:, :, :3]
        elif channels != 3:
            raise QRDecodeError(
                f"Expected 1, 3 or 4 colour channels, got {channels}.", reason=TransportReason.BAD_IMAGE
            )
    return np.ascontiguousarray(arr, dtype=np.uint8)


def _load_file(path: str | os.PathLike[str]) -> NDArray[np.uint8]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            return np.ascontiguousarray(np.asarray(img.convert("L")), dtype=np.uint8)
    except (OSError, UnidentifiedImageError) as exc:
        raise QRDecodeError(
            f"Cannot open {os.fspath(path)!r} as an image: {exc}", reason=TransportReason.BAD_IMAGE
        ) from exc


def _read(arr: NDArray[np.uint8], inverted: bool) -> tuple[list[Symbol], int]:
    barcodes = zxingcpp.read_barcodes(
        arr,
        formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode),
        try_rotate=False,  # QR finder patterns already give orientation
        try_invert=False,  # done below, only when the direct pass finds nothing
        return_errors=True,
    )
    symbols: list[Symbol] = []
    errors = 0
    for barcode in barcodes:
        if not barcode.valid:
            errors += 1
            continue
        data = bytes(barcode.bytes)
        pos = barcode.position
        corners = tuple(
            (p.x, p.y) for p in (pos.top_left, pos.top_right, pos.bottom_right, pos.bottom_left)
        )
        symbols.append(Symbol(data, classify(data), corners, inverted))
    return symbols, errors


def scan_image(image: ImageInput) -> ScanResult:
    """Read every QR symbol in ``image`` and judge whether one zkaid code is in view.

    Bad *input* (an unreadable file, a float array) raises
    :class:`~sdk.errors.QRDecodeError` with reason ``bad_image``; everything about the
    *content* is reported in the result.
    """
    arr = _as_array(image)
    symbols, errors = _read(arr, inverted=False)
    if not symbols:
        # Light-on-dark codes (terminal renderings, dark-mode apps): one more pass, only
        # when needed, which costs far less than zxing-cpp's try_invert on every frame.
        symbols, inv_errors = _read(np.ascontiguousarray(255 - arr), inverted=True)
        errors = errors if symbols else max(errors, inv_errors)
    unique: dict[bytes, Symbol] = {}
    for symbol in symbols:
        unique.setdefault(symbol.data, symbol)
    found = tuple(unique.values())
    zkaid = [s for s in found if s.kind is not CodeKind.FOREIGN]
    if len(zkaid) == 1:
        status = ScanStatus.OK
    elif zkaid:
        status = ScanStatus.SEVERAL_CODES
    elif found:
        status = ScanStatus.FOREIGN_CODE
    elif errors:
        status = ScanStatus.UNREADABLE
    else:
        status = ScanStatus.NO_CODE
    return ScanResult(status, found, errors)


def decode_image(image: ImageInput) -> bytes:
    """The bytes of the one zkaid code in ``image``, or :class:`~sdk.errors.QRDecodeError`
    (reasons ``no_code``, ``several_codes``, ``foreign_code``, ``unreadable``, ``bad_image``)."""
    return scan_image(image).unwrap()


@dataclass(frozen=True)
class ScanUpdate:
    """One camera frame's worth of news: what was seen and, if a zkaid code was read,
    what the receiver made of it."""

    scan: ScanResult
    message: Complete | Progress | None

    @property
    def complete(self) -> Complete | None:
        return self.message if isinstance(self.message, Complete) else None


class Scanner:
    """Camera frames in, whole messages out: :func:`scan_image` feeding a
    :class:`~sdk.transport.framing.Receiver`."""

    def __init__(self, receiver: Receiver | None = None, *, require_prefix: bool = True) -> None:
        self.receiver = (
            receiver if receiver is not None else Receiver(require_prefix=require_prefix)
        )

    def feed(self, image: ImageInput) -> ScanUpdate:
        """Scan one frame. Raises FrameError / IntegrityError from the receiver (typed,
        and the receiver stays usable: keep feeding frames)."""
        scan = scan_image(image)
        data = scan.data
        if data is None:
            return ScanUpdate(scan, None)
        result = self.receiver.push(data)
        if isinstance(result, Foreign):  # pragma: no cover - scan_image filtered these
            return ScanUpdate(scan, None)
        return ScanUpdate(scan, result)


def receive(
    frames: Iterable[ImageInput],
    *,
    scanner: Scanner | None = None,
    max_frames: int | None = None,
    on_update: Callable[[ScanUpdate], None] | None = None,
    on_error: Callable[[TransportError], None] | None = None,
) -> Complete:
    """Feed frames until one message is complete (a camera, a video file, image files).

    A damaged message (``FrameError``, ``IntegrityError``) propagates unless ``on_error`` is
    given, in which case it is reported there and scanning goes on: the receiver has already
    dropped that message's state and collects it afresh. Running out of frames raises
    :class:`~sdk.errors.TransportError` with reason ``incomplete``.
    """
    scanner = scanner if scanner is not None else Scanner()
    seen = 0
    for frame in frames:
        if max_frames is not None and seen >= max_frames:
            break
        seen += 1
        try:
            update = scanner.feed(frame)
        except (FrameError, IntegrityError) as err:
            if on_error is None:
                raise
            on_error(err)
            continue
        if on_update is not None:
            on_update(update)
        if update.complete is not None:
            return update.complete
    pending = scanner.receiver.pending
    detail = f" ({pending[-1].received} of {pending[-1].needed} parts)" if pending else ""
    raise TransportError(
        f"The codes ended after {seen} frames before a message was complete{detail}. "
        "Keep the camera on the code for a few more seconds.",
        reason=TransportReason.INCOMPLETE,
    )
