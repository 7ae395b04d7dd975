"""Driving the Kivy wallet headless: build the app on the offscreen window, press buttons by
their translated words (so the kv wiring is what runs), pump the Clock, take screenshots."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PHONE = (720, 1440)  # px; with KIVY_METRICS_DENSITY=2 this is a 360 x 720 dp phone


def window() -> Any:
    from kivy.config import Config

    Config.set("graphics", "width", str(PHONE[0]))
    Config.set("graphics", "height", str(PHONE[1]))
    Config.set("graphics", "resizable", "1")
    Config.set("input", "mouse", "")  # no mouse provider: no stray touches offscreen
    from kivy.core.window import Window

    if tuple(Window.size) != PHONE:
        Window.size = PHONE
    return Window


class UI:
    def __init__(self, app: Any, shots: Path) -> None:
        self.app = app
        self.shots = shots
        self._n = 0

    # -- the clock -------------------------------------------------------------------
    def idle(self, frames: int = 3) -> None:
        from kivy.base import EventLoop

        for _ in range(frames):
            EventLoop.idle()

    def wait(self, until: Callable[[], bool] | None = None, timeout: float = 30.0) -> None:
        """Pump the event loop until background work is done (and ``until`` holds)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.idle(1)
            if not self.app.busy and (until is None or until()):
                self.idle(2)
                return
            time.sleep(0.01)
        raise AssertionError(f"timed out on screen {self.app.current!r} (busy={self.app.busy})")

    # -- finding and pressing ------------------------------------------------------------
    @property
    def screen(self) -> Any:
        return self.app.screen(self.app.current)

    def texts(self) -> list[str]:
        from kivy.uix.label import Label

        return [w.text for w in self.screen.walk() if isinstance(w, Label) and w.text]

    def button(self, key: str, **values: Any) -> Any:
        from wallet_app.screens.widgets import BigAction

        word = self.app.t(key, **values)
        found = [w for w in self.screen.walk() if isinstance(w, BigAction) and w.text == word]
        assert found, f"no button {word!r} on {self.app.current}"
        return found[0]

    def press(self, key: str, **values: Any) -> None:
        btn = self.button(key, **values)
        assert not btn.disabled and not btn.hidden, f"button {key} is disabled or hidden"
        btn.dispatch("on_press")
        self.idle()

    def type_pin(self, pin: str) -> None:
        pad = self.screen.ids.pad
        for digit in pin:
            pad.key_widget(digit).dispatch("on_press")
        self.idle()

    def go_to(self, name: str) -> None:
        self.wait(lambda: self.app.current == name)

    # -- screenshots -----------------------------------------------------------------------
    def screenshot(self, name: str | None = None, *, settle: int = 6) -> Path:
        from kivy.core.window import Window

        self.idle(settle)  # let layouts settle and icons redraw
        self._n += 1
        target = self.shots / f"{name or 'shot'}-{self._n:03d}.png"
        written = Window.screenshot(name=str(target))
        path = Path(written)
        if name:  # Kivy inserts a counter before the suffix; use the exact name asked for
            final = self.shots / f"{name}.png"
            path.replace(final)
            return final
        return path


@contextmanager
def running(service: Any, shots: Path, *, platform: Any = None) -> Iterator[UI]:
    window()
    from kivy.app import App

    from wallet_app.main import WalletApp
    from wallet_app.platform.camera import Platform

    app = WalletApp(service, platform or Platform(use_camera=False))
    app._run_prepare()
    ui = UI(app, shots)
    ui.idle()
    try:
        yield ui
    finally:
        app.dispatch("on_stop")
        win = app._app_window
        if win is not None:
            for child in list(win.children):
                win.remove_widget(child)
        App._running_app = None
        ui.idle(1)
