"""The presentation QR: large, black on white, screen at full brightness.

A presentation that does not fit one code is shown as the looping animation of
specs/qr-transport.md §3.4 (K parts plus repair parts, 5 codes a second), rendered lazily
and cached, so a cheap phone renders each code once.
"""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.graphics.texture import Texture
from kivy.metrics import dp
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from wallet_app.screens.widgets import WalletScreen

FRAMES_PER_SECOND = 5


class PresentScreen(WalletScreen):
    hint = StringProperty("")
    animated = BooleanProperty(False)
    shown_part = NumericProperty(0)
    history_failed = BooleanProperty(False)

    def on_enter(self, *_a: Any) -> None:
        codes = self.app.codes
        if codes is None:
            self.app.go("home")
            return
        self._loop = codes.loop()
        self._textures: dict[int, Texture] = {}
        self._index = 0
        self.animated = codes.animated
        self.history_failed = not codes.history_saved
        self.hint = self.t("present.animated") if codes.animated else self.t("present.single")
        self.app.platform.set_bright(True)
        self.show(0)
        if codes.animated:
            Clock.schedule_interval(self.next_code, 1.0 / FRAMES_PER_SECOND)

    def code_px(self) -> int:
        """The largest square that fits: the full width, at most 70% of the height."""
        from kivy.core.window import Window

        w, h = (self.width, self.height) if self.width > 200 else Window.size
        return int(min(w - dp(24), h * 0.62))

    def show(self, index: int) -> None:
        from sdk.transport import render_code

        tex = self._textures.get(index)
        if tex is None:
            rendered = render_code(self._loop[index], screen_px=max(self.code_px(), 200))
            img = rendered.image[::-1].copy()  # Kivy textures start at the bottom row
            tex = Texture.create(size=(rendered.size_px, rendered.size_px), colorfmt="luminance")
            tex.blit_buffer(img.tobytes(), colorfmt="luminance", bufferfmt="ubyte")
            tex.mag_filter = tex.min_filter = "nearest"
            self._textures[index] = tex
        self._index = index
        self.shown_part = index
        qr = self.ids.qr
        qr.texture = tex
        qr.size = tex.size

    def next_code(self, _dt: float) -> None:
        self.show((self._index + 1) % len(self._loop))

    def on_leave(self, *_a: Any) -> None:
        Clock.unschedule(self.next_code)
        self.app.platform.set_bright(False)
        self._textures = {}
        self.ids.qr.texture = None
        self.app.codes = None  # the presentation is not kept anywhere

    def done(self) -> None:
        self.app.go("home")
