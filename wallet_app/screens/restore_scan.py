"""Restore by scanning the printed recovery QR (``zkaid wallet create --recovery-qr``) through
the same frame adapter as the scan screen: camera frames, or a picture. A wrong QR is said in
words (not a recovery code; a recovery code that does not check out) with what to do now."""

from __future__ import annotations

from typing import Any

from sdk.errors import QRDecodeError, ZkaidError
from wallet_app.screens.scan import FrameScreen

__all__ = ["RestoreScanScreen"]


class RestoreScanScreen(FrameScreen):
    """The printed recovery code, read as a QR: the same restore as typing it, then a new PIN."""

    def take(self, frame: Any, *, live: bool) -> bool:
        from sdk.transport import scan_image

        scan = scan_image(frame)
        try:
            code = self.app.service.recovery_code_from_scan(scan)
        except ZkaidError as err:
            self.show_error(err)  # a camera keeps looking: the person may move to the right paper
            return True
        if code is None:
            if not live and scan.status.value != "no_code":
                self.show_error(QRDecodeError("", reason=scan.status.value))
            return True
        self.stop()
        self.clear_problem()
        self.app.restore_code = code
        self.app.setup_mode = "restore"
        self.app.go("pin_setup")
        return False

    def back(self) -> None:
        self.stop()
        self.app.go("restore")
