"""The Kivy app: wiring only. Logic lives in field_app.service (Kivy-free), words in
field_app.i18n and field_app.present, frames in field_app.platform.

    python -m field_app                 # camera 0, data in the app's user data folder
    python -m field_app run --images answers/   # no camera: scan image files
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.screenmanager import NoTransition, ScreenManager

from appkit.ui import rtl
from appkit.ui.feedback import SoundPlayer, Vibrator, default_vibrator
from appkit.ui.text import use_wide_font
from field_app.config import default_data_dir
from field_app.i18n import Translator
from field_app.platform.camera import FrameSource, open_frames
from field_app.present import freshness_text
from field_app.screens import SCREENS, load_kv
from field_app.service import FieldService, Result

__all__ = ["AUDIO_DIR", "LARGE_TEXT", "FieldApp", "run_app"]

AUDIO_DIR = Path(__file__).resolve().parent / "audio"  # scripts/make_audio.py makes these
LARGE_TEXT = 1.3


class FieldApp(App):  # Kivy ships no type hints
    lang = StringProperty("en")
    freshness = StringProperty("")
    freshness_state = StringProperty("none")  # fresh / stale / expired / none
    text_scale = NumericProperty(1.0)  # 1.0, or LARGE_TEXT for the large-text mode
    auto_next_seconds = NumericProperty(4.0)  # after YES, back to the next person by itself

    def __init__(self, *, service: FieldService | None = None, data_dir: str | Path | None = None,
                 frames: Callable[[], FrameSource | None] | None = None, camera: int | None = 0,
                 images: str | Path | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._service = service
        self._data_dir = data_dir
        self.frame_factory: Callable[[], FrameSource | None] = frames or (lambda: open_frames(camera, images))
        self.tr = Translator("en")
        self._status_tick: Any = None
        self.vibrator: Vibrator = default_vibrator()
        self.sounds = SoundPlayer(AUDIO_DIR)

    @property
    def service(self) -> FieldService:
        if self._service is None:
            self._service = FieldService(self._data_dir or self._default_data_dir())
        return self._service

    def _default_data_dir(self) -> str | Path:
        """On a phone, the app's private folder; on a laptop, the folder the command line
        uses too (``$ZKAID_FIELD_HOME`` or ``~/.zkaid/field``), so both see one ledger."""
        from kivy.utils import platform

        return self.user_data_dir if platform in ("android", "ios") else default_data_dir()

    def build(self) -> ScreenManager:
        self.title = "zkaid field"
        cfg = self.service.config
        self.lang = cfg.language if cfg else "en"
        self.tr = Translator(self.lang)
        rtl.set_rtl(self.tr.rtl)
        rtl.install()
        use_wide_font()
        load_kv()
        manager = ScreenManager(transition=NoTransition())
        for name, cls in SCREENS.items():
            manager.add_widget(cls(name=name))
        self.refresh_status()
        manager.current = "request" if cfg is not None else "setup"
        manager.bind(current=lambda _m, name: self.prompt(name))  # spoken prompt, where one is recorded
        self._status_tick = Clock.schedule_interval(lambda _dt: self._tick_status(), 30)
        return manager

    def on_lang(self, _instance: Any, lang: str) -> None:
        self.tr = Translator(lang)
        rtl.set_rtl(self.tr.rtl)
        self.refresh_status()
        if self.root is not None:
            rtl.refresh(self.root)

    def set_large_text(self, on: bool) -> None:
        """Large-text mode: every font size of the screens times LARGE_TEXT."""
        self.text_scale = LARGE_TEXT if on else 1.0

    def signal(self, kind: str, pattern: tuple[float, ...]) -> None:
        """A result's sound (``<kind>.wav``, in the app's language) and vibration."""
        self.sounds.play(kind, self.lang)
        self.vibrator.vibrate(pattern)

    def prompt(self, name: str) -> bool:
        """Speak a screen's prompt (``prompt.<name>.wav``); False when there is none."""
        return self.sounds.play(f"prompt.{name}", self.lang)

    def t(self, key: str, lang: str = "", **args: Any) -> str:
        """For kv: ``app.t('key', app.lang)`` re-evaluates when the language changes (kv
        bindings may run before ``on_lang``, hence the explicit language)."""
        tr = self.tr if not lang or lang == self.tr.lang else Translator(lang)
        return tr(key, **args)

    def go(self, name: str) -> None:
        self.root.current = name

    def refresh_status(self) -> None:
        f = self.service.freshness()
        self.freshness_state = f.state.value if f else "none"
        self.freshness = freshness_text(f, self.tr, local=True)  # the device's own time zone

    def _tick_status(self) -> None:
        """Every 30 s: the banner follows the clock, and a request left on screen past its
        lifetime is replaced before anyone answers it."""
        self.refresh_status()
        if self.root is not None and self.root.current == "request":
            self.root.get_screen("request").refresh()

    def show_result(self, result: Result) -> None:
        self.refresh_status()
        self.root.get_screen("result").show(result)
        self.go("result")

    def next_person(self) -> None:
        """A fresh request for whoever is next."""
        screen = self.root.get_screen("request")
        self.go("request")
        screen.refresh(new=True)

    def on_stop(self) -> None:
        if self._status_tick is not None:
            self._status_tick.cancel()
        if self._service is not None:
            self._service.close()


def run_app(*, data_dir: str | Path | None = None, camera: int | None = 0, images: str | Path | None = None) -> int:
    FieldApp(data_dir=data_dir, camera=camera, images=images).run()
    return 0
