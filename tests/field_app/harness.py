"""Drive the Kivy field app without a display: offscreen SDL window, real screens.

:func:`prepare_kivy` must run before Kivy is first imported (the tests' conftest and the
screenshot script call it). The window is SDL's *offscreen* driver with a real OpenGL
context (Mesa), so layouts render and screenshots are real pixels; never ``dummy`` or
``KIVY_GL_BACKEND=mock``, which skip drawing.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from field_app.service import FieldService

__all__ = ["UI", "prepare_kivy"]

WIDTH, HEIGHT = 540, 960  # the app's phone, in dp
SHARED_WINDOW = (720, 1440)  # px; the process-wide test window (also what the wallet tests use)


def prepare_kivy(*, width: int = SHARED_WINDOW[0], height: int = SHARED_WINDOW[1]) -> None:
    """Environment for a headless Kivy with real rendering; call before importing kivy.

    The window is shared by every Kivy test in the process and SDL's offscreen driver does
    not really resize it, so it is made once at one size that all suites agree on; the
    field app is laid out in a fixed-size root of its own (:class:`UI`), whatever the
    window's size or density.
    """
    if os.environ.get("SDL_VIDEODRIVER") in (None, "", "dummy"):
        os.environ["SDL_VIDEODRIVER"] = "offscreen"
    if os.environ.get("KIVY_GL_BACKEND") == "mock":
        del os.environ["KIVY_GL_BACKEND"]
    os.environ["KIVY_NO_ARGS"] = "1"
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="zkaid-kivy-home-"))
    from kivy.config import Config

    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("input", "mouse", "")  # no input providers: nothing touches the screen but the test
    for name, _ in Config.items("input"):  # no probing of touch devices (mtdev, hidinput)
        if name != "mouse":
            Config.remove_option("input", name)


class UI:
    """One field app on the (shared) offscreen window, driven by method calls."""

    def __init__(self, service: FieldService, *, size: tuple[int, int] = (WIDTH, HEIGHT)) -> None:
        from kivy.core.window import Window
        from kivy.metrics import Metrics

        from field_app.main import FieldApp
        from field_app.platform.camera import FileFrames

        self.window = Window
        # The same phone in dp whatever the window or the density another suite in this
        # process chose (the wallet's tests run at KIVY_METRICS_DENSITY=2); the window itself
        # is left alone (screenshots render the root through an Fbo, not the window).
        self.size = (int(size[0] * Metrics.density), int(size[1] * Metrics.density))
        self.frames: Sequence[Any] | None = None  # what the "camera" will show next
        self._file_frames = FileFrames
        self.app = FieldApp(service=service, frames=self._open)
        self.app.root = root = self.app.build()
        root.size_hint = (None, None)
        root.size = self.size
        root.pos = (0, 0)
        for child in list(Window.children):
            Window.remove_widget(child)
        Window.add_widget(root)
        self.pump()

    def _open(self) -> Any:
        return self._file_frames(self.frames) if self.frames is not None else None

    def use_camera(self, factory: Callable[[], Any] | None = None) -> None:
        """Scan from ``factory()`` (a live-camera stand-in), or back to ``self.frames``."""
        self.app.frame_factory = factory or self._open

    @property
    def service(self) -> FieldService:
        return self.app.service

    @property
    def current(self) -> str:
        return str(self.app.root.current)

    def screen(self, name: str | None = None) -> Any:
        return self.app.root.get_screen(name or self.current)

    def press(self, widget_id: str, screen: str | None = None) -> None:
        """Tap a button the way a finger would (its on_press handler)."""
        button = self.screen(screen).ids[widget_id]
        assert not button.disabled, f"{widget_id} is disabled"
        button.dispatch("on_press")
        self.pump()

    def pump(self, until: Callable[[], bool] | None = None, *, timeout: float = 10.0, frames: int = 2) -> None:
        """Run the Kivy clock (and draw) until ``until()`` holds, or a few frames."""
        from kivy.base import EventLoop

        deadline = time.monotonic() + timeout
        n = 0
        while True:
            EventLoop.idle()
            n += 1
            if until is None and n >= frames:
                return
            if until is not None and until():
                EventLoop.idle()
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out on screen {self.current!r}")
            time.sleep(0.004)

    def go(self, name: str) -> None:
        self.app.go(name)
        self.pump()

    def scan(self, images: Sequence[Any]) -> Any:
        """From the request screen: tap Scan, show ``images`` to the camera, wait for the
        result screen; returns it."""
        self.frames = list(images)
        self.press("scan", "request")
        self.pump(lambda: self.current == "result")
        return self.screen("result")

    def screenshot(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.pump(frames=3)
        self.app.root.export_to_png(str(path))
        return path

    def close(self) -> None:
        """Stop the app and leave the shared window as it was found."""
        from kivy.app import App
        from kivy.clock import Clock

        self.app.dispatch("on_stop")  # also releases kv's cached `app` proxy
        self.window.remove_widget(self.app.root)
        if App.get_running_app() is self.app:
            App._running_app = None
        # Timers this app left (the result screen's return to the next person, a sync done in a
        # worker) must not fire into the next test's app, which is then the running app.
        for event in Clock.get_events():
            event.cancel()
        self.pump(frames=1)
