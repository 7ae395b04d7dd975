"""Kivy wiring: the App, its screens and the flow between them. No wallet logic lives here.

``WalletApp(service, platform)`` is built by :func:`run` for real use, and directly by the
UI tests and the screenshot script (which drive it offscreen).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.screenmanager import NoTransition, ScreenManager

from appkit.ui import rtl
from appkit.ui.feedback import SoundPlayer
from appkit.ui.text import use_wide_font
from wallet_app.i18n import Translator, available_languages
from wallet_app.platform.camera import Platform
from wallet_app.service import Onboarding, PresentationCodes, WalletService
from wallet_app.words import Problem, error_text, problem_view

__all__ = ["SCREENS", "WalletApp", "run"]

HERE = Path(__file__).resolve().parent
SCREENS = (
    "language", "welcome", "pin_setup", "recovery_show", "recovery_check", "restore", "unlock",
    "home", "scan", "receive", "consent", "present", "history", "settings", "referral",
    "change_pin", "remove_card", "help", "restore_scan",
)
LARGE_TEXT = 1.3  # the large-text mode's scale of every font size
AUDIO_DIR = HERE / "audio"  # spoken prompts (scripts/make_audio.py)


def load_kv() -> None:
    """Load the widget and screen rules once per process (not at import)."""
    files = [HERE / "screens" / "widgets.kv"] + [HERE / "screens" / f"{name}.kv" for name in SCREENS]
    for f in files:
        if str(f) not in Builder.files:
            Builder.load_file(str(f))


class WalletApp(App):
    lang = StringProperty("en")
    tasks = NumericProperty(0)
    busy = BooleanProperty(False)
    text_scale = NumericProperty(1.0)  # LARGE_TEXT in the large-text mode
    offline = BooleanProperty(False)  # the last attempt to reach the agency failed
    removing = ObjectProperty(None, allownone=True)  # the card the remove screen asks about
    title = "zkaid"

    def __init__(self, service: WalletService, platform: Platform | None = None, **kw: Any) -> None:
        super().__init__(**kw)
        self.service = service
        self.platform = platform or Platform()
        self.lang = service.language
        # Flow state between screens (never persisted; the PIN is dropped as soon as it is used).
        self.onboarding: Onboarding | None = None
        self.new_pin: str | None = None
        self.setup_mode = "new"  # "new" or "restore"
        self.restore_code: str | None = None
        self.scanned: bytes | None = None
        self.codes: PresentationCodes | None = None
        self.language_next = "welcome"
        self.prepared = False  # range parameters checked in the background this session
        self.sounds = SoundPlayer(AUDIO_DIR)

    # -- building ----------------------------------------------------------------------
    def build(self) -> ScreenManager:
        from kivy.factory import Factory

        import wallet_app.screens  # noqa: F401 - registers the screen classes with the Factory

        rtl.set_rtl(Translator(self.lang).rtl)
        rtl.install()
        use_wide_font()
        load_kv()
        Window.clearcolor = (1, 1, 1, 1)
        Window.softinput_mode = "below_target"
        sm = ScreenManager(transition=NoTransition())
        for name in SCREENS:
            cls = getattr(Factory, "".join(p.capitalize() for p in name.split("_")) + "Screen")
            sm.add_widget(cls(name=name))
        sm.current = "unlock" if self.service.has_wallet() else "language"
        sm.bind(current=lambda _m, name: self.prompt(name))  # spoken prompt, where one is recorded
        return sm

    # -- text ------------------------------------------------------------------------------
    def t(self, key: str, *_bind: Any, **values: Any) -> str:
        """Translated text. kv passes ``app.lang`` as an extra argument so that labels are
        re-evaluated when the language changes."""
        return self.service.t(key, **values)

    def error_text(self, err: BaseException) -> str:
        return error_text(self.service.t, err)

    def problem(self, err: BaseException) -> Problem:
        """What went wrong, the detail and what to do now (the scan screens)."""
        return problem_view(self.service.t, err)

    def languages(self) -> dict[str, str]:
        return available_languages()

    def set_language(self, lang: str) -> None:
        self.service.set_language(lang)
        self.lang = lang

    def on_lang(self, _instance: Any, lang: str) -> None:
        rtl.set_rtl(Translator(lang).rtl)
        if self.root is not None:
            rtl.refresh(self.root)

    def set_large_text(self, on: bool) -> None:
        self.text_scale = LARGE_TEXT if on else 1.0

    def ask_remove(self, view: Any) -> None:
        """A card's Remove button: ask first, on a screen of its own."""
        self.removing = view
        self.go("remove_card")

    def prompt(self, name: str) -> bool:
        """Speak a screen's prompt (``prompt.<name>.wav`` in the person's language)."""
        return self.sounds.play(f"prompt.{name}", self.lang)

    # -- navigation ----------------------------------------------------------------------
    def go(self, name: str) -> None:
        if self.root is not None:
            self.root.current = name

    @property
    def current(self) -> str:
        return str(self.root.current) if self.root is not None else ""

    def screen(self, name: str) -> Any:
        return self.root.get_screen(name)

    def begin_task(self) -> None:
        self.tasks += 1
        self.busy = True

    def end_task(self) -> None:
        self.tasks = max(0, self.tasks - 1)
        self.busy = self.tasks > 0

    def lock(self) -> None:
        self.service.lock()
        self.codes = None
        self.scanned = None
        self.go("unlock")

    # -- app lifecycle: a shared phone locks the wallet whenever the app leaves the screen --
    def on_pause(self) -> bool:
        if self.service.is_unlocked:
            self.service.decline()
            self.service.lock()
        return True

    def on_resume(self) -> None:
        if self.service.has_wallet() and not self.service.is_unlocked:
            Clock.schedule_once(lambda _dt: self.go("unlock"), 0)

    def on_stop(self) -> None:
        self.platform.set_bright(False)
        self.service.lock()


def run(service: WalletService, platform: Platform | None = None) -> None:
    WalletApp(service, platform).run()
