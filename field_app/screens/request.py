"""Show this person's request as a QR code; the next step is scanning their answer."""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.screenmanager import Screen

from field_app.config import SetupError
from field_app.present import display_agency, readiness_text, stats_text
from field_app.screens.textures import texture_from_image

__all__ = ["FieldRequestScreen"]


class FieldRequestScreen(Screen):  # Kivy ships no type hints
    code = ObjectProperty(None, allownone=True)  # the QR texture
    ready = BooleanProperty(False)
    status = StringProperty("")
    scope = StringProperty("")
    purpose = StringProperty("")
    signed = StringProperty("")
    stats = StringProperty("")
    fix_with = StringProperty("")  # "setup" or "sync" when not ready

    _frames: list[Any]
    _tick: Any = None
    _seq = 0
    _shown: bytes = b""

    def on_pre_enter(self, *_: Any) -> None:
        self.refresh()

    def on_leave(self, *_: Any) -> None:
        self._stop_animation()

    def refresh(self, *, new: bool = False) -> None:
        """Show the open request, or make one (``new``, or when there is none open)."""
        app = App.get_running_app()
        svc, tr = app.service, app.tr
        app.refresh_status()
        self.stats = stats_text(svc.stats(), tr, local=True)  # the device's own time zone
        ready = svc.readiness()
        self.ready = ready.ready
        if not ready.ready:
            self._clear(readiness_text(ready, tr), "setup" if ready.state == "not_set_up" else "sync")
            if ready.state == "no_trust_list":
                self.fix_with = "setup"
            return
        current = svc.current_request
        try:
            if new or current is None or current not in svc.open_requests or current.expires_at <= svc.now():
                current = svc.new_request()
        except SetupError as exc:
            self.ready = False
            self._clear(tr(f"setup.error.{exc.reason}") if tr.has(f"setup.error.{exc.reason}") else str(exc),
                        "setup")
            return
        cfg = svc.config
        self.status = ""
        self.fix_with = ""
        self.scope = tr("request.scope", scope=cfg.scope if cfg else "")
        purpose = current.received.request.purpose
        self.purpose = purpose.get(app.lang) or purpose.get("en") or ""
        agency = display_agency(svc.trust_list, cfg.agency) if cfg else ""  # the name the trust list gives it
        self.signed = tr("request.signed", agency=agency) if current.signed else tr("request.unsigned")
        self._show(current.data)

    def _clear(self, status: str, fix_with: str) -> None:
        self._stop_animation()
        self._shown = b""
        self.code = None
        self.status = status
        self.fix_with = fix_with

    def _show(self, data: bytes) -> None:
        from sdk.transport import encode, render_code

        if data == self._shown and self.code is not None:
            return
        self._stop_animation()
        self._shown = data
        enc = encode(data)
        if enc.single:
            self.code = texture_from_image(render_code(data, module_px=1).image, sharp=True)
            return
        # A request too large for one code: animate its parts at 5 frames per second.
        self._frames = [texture_from_image(render_code(enc.code(i), module_px=1).image, sharp=True)
                        for i in range(enc.count + max(2, enc.count // 2))]
        self._seq = 0
        self.code = self._frames[0]
        self._tick = Clock.schedule_interval(self._next_frame, 0.2)

    def _next_frame(self, _dt: float) -> None:
        self._seq = (self._seq + 1) % len(self._frames)
        self.code = self._frames[self._seq]

    def _stop_animation(self) -> None:
        if self._tick is not None:
            self._tick.cancel()
            self._tick = None

    def scan(self) -> None:
        svc = App.get_running_app().service
        current = svc.current_request
        if current is None or current.expires_at <= svc.now():
            self.refresh(new=True)  # the code on screen timed out: show a new one first
            return
        App.get_running_app().go("scan")

    def new_code(self) -> None:
        self.refresh(new=True)

    def fix(self) -> None:
        App.get_running_app().go(self.fix_with or "setup")
