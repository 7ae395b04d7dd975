"""QR transport: move zkaid bytes between phones as single or animated QR codes.

The framing (:mod:`sdk.transport.framing`) is pure Python and imported eagerly. Rendering
(qrcode, Pillow, numpy), decoding (zxing-cpp) and frame grabbing (OpenCV) are imported only
when one of their names is first used, so that ``import sdk.transport`` works on a phone
without OpenCV and costs nothing in a server that never draws a code.

This package knows bytes, never credentials: it imports nothing from sdk.bbs,
sdk.credential or sdk.wire.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from sdk.transport.framing import (
    DEFAULT_FRAME_SIZE,
    DEFAULT_SINGLE_MAX,
    HEADER_SIZE,
    MAX_MESSAGE_SIZE,
    MAX_PARTS,
    ZKAID_PREFIX,
    CodeKind,
    Complete,
    Foreign,
    Frame,
    Progress,
    QREncoding,
    Receiver,
    ReceiveResult,
    classify,
    encode,
    parse_frame,
)

if TYPE_CHECKING:
    from sdk.transport.camera import CameraSource, ImageSource
    from sdk.transport.decode import (
        Scanner,
        ScanResult,
        ScanStatus,
        ScanUpdate,
        Symbol,
        decode_image,
        receive,
        scan_image,
    )
    from sdk.transport.render import (
        RenderedCode,
        render_code,
        render_cycle,
        render_terminal,
        version_for,
    )

__all__ = [
    "DEFAULT_FRAME_SIZE",
    "DEFAULT_SINGLE_MAX",
    "HEADER_SIZE",
    "MAX_MESSAGE_SIZE",
    "MAX_PARTS",
    "ZKAID_PREFIX",
    "CameraSource",
    "CodeKind",
    "Complete",
    "Foreign",
    "Frame",
    "ImageSource",
    "Progress",
    "QREncoding",
    "ReceiveResult",
    "Receiver",
    "RenderedCode",
    "ScanResult",
    "ScanStatus",
    "ScanUpdate",
    "Scanner",
    "Symbol",
    "classify",
    "decode_image",
    "encode",
    "parse_frame",
    "receive",
    "render_code",
    "render_cycle",
    "render_terminal",
    "scan_image",
    "version_for",
]

_LAZY = {
    "CameraSource": "camera",
    "ImageSource": "camera",
    "ScanResult": "decode",
    "ScanStatus": "decode",
    "ScanUpdate": "decode",
    "Scanner": "decode",
    "Symbol": "decode",
    "decode_image": "decode",
    "receive": "decode",
    "scan_image": "decode",
    "RenderedCode": "render",
    "render_code": "render",
    "render_cycle": "render",
    "render_terminal": "render",
    "version_for": "render",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'sdk.transport' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"sdk.transport.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
