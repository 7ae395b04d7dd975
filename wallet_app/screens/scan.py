"""Scan a code: camera frames (or a picture) -> zxing-cpp -> a whole message -> route it.

One Scan button serves both journeys: an offer goes to the receive screen, a request to
the consent screen. Frames come from the platform adapter (camera, or image files). The
restore screen's *Scan recovery code* reads the printed recovery QR through the same adapter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from kivy.clock import Clock
from kivy.factory import Factory
from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.popup import Popup

from sdk.errors import CredentialError, FrameError, IntegrityError, QRDecodeError
from sdk.reasons import CredentialReason, TransportReason
from sdk.transport.framing import Progress
from wallet_app.platform.camera import FileFrames, FrameSource
from wallet_app.referrals import is_referral_offer
from wallet_app.screens.widgets import WalletScreen

SCAN_FPS = 15


class FrameScreen(WalletScreen):
    """A screen that reads camera frames (or pictures) and shows a preview; what it does with
    a frame is the subclass's :meth:`take`. When a scan ends without a usable code, the screen
    says what went wrong, the detail (which condition, which agencies) and what to do now."""

    progress = StringProperty("")
    has_camera = BooleanProperty(True)
    detail = StringProperty("")  # the condition not met, the agencies accepted, when a request was made
    next_step = StringProperty("")  # what to do now

    def on_enter(self, *_a: Any) -> None:
        self.clear_problem()
        self.progress = ""
        self.ids.preview.texture = None
        self.start(self.app.platform.open_source())

    def clear_problem(self) -> None:
        self.error = self.detail = self.next_step = ""

    def show_error(self, err: BaseException) -> None:
        problem = self.app.problem(err)
        self.error, self.detail, self.next_step = problem.text, problem.detail, problem.next_step

    def start(self, source: FrameSource | None) -> None:
        self.stop()
        self._source = source
        self.reset()
        self.has_camera = source is not None and source.live
        if source is not None:
            Clock.schedule_interval(self.tick, 1.0 / SCAN_FPS)

    def reset(self) -> None:
        """A new scan begins (the subclass forgets what it had collected)."""

    def stop(self) -> None:
        Clock.unschedule(self.tick)
        src = getattr(self, "_source", None)
        if src is not None:
            src.close()
        self._source = None

    def on_leave(self, *_a: Any) -> None:
        self.stop()

    def tick(self, _dt: float) -> bool:
        """One frame: read, show, take. Returns False to stop the Clock."""
        src = self._source
        if src is None:
            return False
        frame = src.read()
        if frame is None:
            if not src.live:  # pictures exhausted without a whole message
                self.stop()
                if not self.error:
                    self.ended()
                return False
            return True
        self._show(frame)
        return self.take(frame, live=src.live)

    def take(self, frame: Any, *, live: bool) -> bool:
        """Use one frame; False once done (the Clock stops)."""
        raise NotImplementedError

    def ended(self) -> None:
        """The pictures ended and nothing usable was read."""
        self.show_error(QRDecodeError("", reason=TransportReason.NO_CODE))

    def _show(self, frame: np.ndarray) -> None:
        h, w = frame.shape[:2]
        rgb = np.ascontiguousarray(frame[::-1, :, ::-1]) if frame.ndim == 3 else np.ascontiguousarray(
            np.repeat(frame[::-1, :, None], 3, axis=2))
        tex = Texture.create(size=(w, h), colorfmt="rgb")
        tex.blit_buffer(rgb.tobytes(), colorfmt="rgb", bufferfmt="ubyte")
        self.ids.preview.texture = tex

    # -- no camera: open a picture ---------------------------------------------------------
    def pick_file(self) -> None:
        chooser = Factory.PictureChooser()
        popup = Popup(title=self.t("scan.pick_file"), content=chooser, size_hint=(0.95, 0.9))
        chooser.ids.files.path = str(Path.home())

        def chosen(*_a: Any) -> None:
            sel = chooser.ids.files.selection
            popup.dismiss()
            if sel:
                self.clear_problem()
                self.start(FileFrames(sel))

        chooser.ids.open.bind(on_press=chosen)
        chooser.ids.cancel.bind(on_press=lambda *_a: popup.dismiss())
        popup.open()


class ScanScreen(FrameScreen):
    """Requests, offers and referrals: zkaid codes, single or animated."""

    def reset(self) -> None:
        from sdk.transport import Scanner

        self._scanner = Scanner()
        self._seen_code = False

    def ended(self) -> None:
        self.show_error(QRDecodeError("", reason=TransportReason.INCOMPLETE if self._seen_code
                                      else TransportReason.NO_CODE))

    def take(self, frame: Any, *, live: bool) -> bool:
        try:
            update = self._scanner.feed(frame)
        except (FrameError, IntegrityError, QRDecodeError) as err:
            self.show_error(err)
            return True
        if update.complete is not None:
            self.stop()
            self.handle(update.complete.payload)
            return False
        if isinstance(update.message, Progress):
            self._seen_code = True
            self.clear_problem()
            self.progress = self.t("scan.progress", received=update.message.received,
                                   needed=update.message.needed)
        elif not live and update.scan.status.value != "ok":
            self.show_error(QRDecodeError("", reason=update.scan.status.value))
        return True

    def handle(self, data: bytes) -> None:
        app = self.app
        kind = app.service.scanned_kind(data)
        if kind == "offer":
            app.scanned = data
            app.go("receive")
        elif kind == "request":
            # Off the UI thread: the first check of an issuer's range parameters is slow in
            # pure Python (see WalletService.prepare).
            self.run_async(lambda: app.service.consider_request(data), lambda _view: app.go("consent"))
        elif is_referral_offer(data):
            app.scanned = data
            app.go("referral")
        else:
            self.show_error(CredentialError("a zkaid code, but neither an offer nor a request",
                                            reason=CredentialReason.FOREIGN))

    def back(self) -> None:
        self.stop()
        self.app.go("home")
