"""From camera frames (or image files) to one presentation, with progress, no Kivy.

:class:`ScanSession` feeds each frame to :class:`sdk.transport.Scanner` and turns what it
saw into a :class:`ScanEvent` for the scan screen:

- ``progress`` for every new part of a multi-part code (``received`` of ``needed``);
- ``complete`` with the message bytes, to hand to :meth:`FieldService.check`;
- ``hint`` for what a person can fix while the camera keeps running (no code in view,
  glare, two phones, a damaged part);
- ``foreign`` when only a non-zkaid code (a link, a payment code) stays in view, and, when a
  finite source such as a folder of images ends, ``unreadable`` or ``foreign`` as the final
  word (:meth:`ScanSession.finish`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sdk.errors import FrameError, IntegrityError

if TYPE_CHECKING:
    from sdk.transport import Scanner

__all__ = ["ScanEvent", "ScanSession"]


@dataclass(frozen=True)
class ScanEvent:
    kind: str  # "idle", "hint", "progress", "complete", "foreign", "unreadable"
    data: bytes | None = None
    received: int = 0
    needed: int = 0
    hint: str = ""  # i18n key, e.g. "scan.hint.unreadable"
    detail: str = ""

    @property
    def final(self) -> bool:
        return self.kind in ("complete", "foreign", "unreadable")


_HINTS = {
    "no_code": "scan.hint.no_code",
    "unreadable": "scan.hint.unreadable",
    "several_codes": "scan.hint.several",
    "foreign_code": "scan.hint.foreign",
}


class ScanSession:
    """One person's answer being scanned. ``foreign_patience`` consecutive frames showing
    only a foreign code end the scan with a clear "this is not a zkaid code"."""

    def __init__(self, *, foreign_patience: int = 8) -> None:
        from sdk.transport import Scanner  # imaging libraries load when a scan starts

        self._scanner: Scanner = Scanner()
        self._patience = max(1, foreign_patience)
        self._foreign_run = 0
        self.frames = 0
        self.last = ScanEvent("idle")
        self._seen_foreign = False
        self._seen_zkaid = False
        self._errors: list[str] = []

    @property
    def progress(self) -> tuple[int, int]:
        pending = self._scanner.receiver.pending
        return (pending[-1].received, pending[-1].needed) if pending else (0, 0)

    def feed(self, frame: Any) -> ScanEvent:
        """Scan one frame (a BGR/grayscale array, a PIL image or an image path)."""
        from sdk.transport import Complete, Progress

        self.frames += 1
        try:
            update = self._scanner.feed(frame)
        except (FrameError, IntegrityError) as exc:
            self._seen_zkaid = True
            self._errors.append(str(exc))
            self.last = ScanEvent("hint", hint="scan.hint.damaged", detail=str(exc))
            return self.last
        status = update.scan.status.value
        if status == "foreign_code":
            self._seen_foreign = True
            self._foreign_run += 1
            if self._foreign_run >= self._patience:
                self.last = ScanEvent("foreign", detail="a QR code that is not a zkaid code")
                return self.last
        else:
            self._foreign_run = 0
        message = update.message
        if isinstance(message, Complete):
            self.last = ScanEvent("complete", data=message.payload, received=message.parts,
                                  needed=message.parts)
            return self.last
        if isinstance(message, Progress):
            self._seen_zkaid = True
            self.last = ScanEvent("progress", received=message.received, needed=message.needed,
                                  hint="scan.hint.keep_going")
            return self.last
        self.last = ScanEvent("hint", hint=_HINTS.get(status, "scan.hint.no_code"), detail=status,
                              received=self.progress[0], needed=self.progress[1])
        return self.last

    def finish(self) -> ScanEvent:
        """The source ended (the last image of a folder) without a whole message."""
        received, needed = self.progress
        if needed:
            return ScanEvent("unreadable", received=received, needed=needed,
                             detail=f"incomplete multi-part code: {received} of {needed} parts")
        if self._seen_foreign and not self._seen_zkaid:
            return ScanEvent("foreign", detail="a QR code that is not a zkaid code")
        detail = self._errors[-1] if self._errors else (self.last.detail or "no readable code")
        return ScanEvent("unreadable", detail=detail)
