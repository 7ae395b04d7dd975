"""Scan the person's answer: camera frames in, a result out, with progress for
multi-part codes. Frames come from whatever source the app was given (a camera, or
image files on a laptop and in the tests)."""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import NumericProperty, ObjectProperty, StringProperty
from kivy.uix.screenmanager import Screen

from field_app.scanning import ScanEvent, ScanSession
from field_app.screens.textures import texture_from_image

__all__ = ["FieldScanScreen"]

FRAMES_PER_SECOND = 15  # a 30 fps camera sampled every other frame; ~6 looks per 5 fps part


class FieldScanScreen(Screen):  # Kivy ships no type hints
    preview = ObjectProperty(None, allownone=True)
    received = NumericProperty(0)
    needed = NumericProperty(0)
    progress = StringProperty("")
    hint = StringProperty("")

    source: Any = None
    session: ScanSession | None = None
    _tick: Any = None

    def on_enter(self, *_: Any) -> None:
        self.start()

    def on_leave(self, *_: Any) -> None:
        self.stop()

    def start(self) -> None:
        app = App.get_running_app()
        self.stop()
        self.received, self.needed, self.progress, self.preview = 0, 0, "", None
        self.source = app.frame_factory()
        if self.source is None:
            self.hint = app.tr("scan.no_camera")
            return
        self.hint = app.tr("scan.hint.starting")
        self.session = ScanSession()
        self._tick = Clock.schedule_interval(self.tick, 1.0 / FRAMES_PER_SECOND)

    def stop(self) -> None:
        if self._tick is not None:
            self._tick.cancel()
            self._tick = None
        if self.source is not None:
            self.source.close()
            self.source = None

    def tick(self, _dt: float = 0.0) -> bool:
        """Look at one frame; False stops the schedule (the scan is over)."""
        if self.source is None or self.session is None:
            return False
        frame = self.source.read()
        if frame is None:
            if self.source.ended:
                self._finish(self.session.finish())
                return False
            return True
        if self.source.live:  # every other pixel is plenty for a preview, and 4x cheaper
            self.preview = texture_from_image(frame[::2, ::2] if hasattr(frame, "shape") else frame)
        event = self.session.feed(frame)
        self._show(event)
        if event.final:
            self._finish(event)
            return False
        return True

    def _show(self, event: ScanEvent) -> None:
        tr = App.get_running_app().tr
        if event.needed:
            self.received, self.needed = event.received, event.needed
            self.progress = tr("scan.progress", received=event.received, needed=event.needed)
        if event.hint:
            self.hint = tr(event.hint)

    def _finish(self, event: ScanEvent) -> None:
        app = App.get_running_app()
        self.stop()
        if event.kind == "complete" and event.data is not None:
            result = app.service.check(event.data)
        else:
            result = app.service.refuse(event.kind if event.kind in ("foreign", "unreadable") else "unreadable",
                                        event.detail)
        app.show_result(result)

    def cancel(self) -> None:
        self.stop()
        App.get_running_app().go("request")
