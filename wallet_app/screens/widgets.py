"""Shared widgets: theme, icons, big buttons, the PIN pad, cards, and the base screen.

Design for people who read little, on cheap shared phones: one primary action per screen,
touch targets of at least 64 dp, large type, an icon beside every action word, strong
contrast (dark text on white, white on deep blue), red only for warnings.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.graphics import Color, Ellipse, Line, Rectangle
from kivy.properties import (
    BooleanProperty,
    ColorProperty,
    NumericProperty,
    ObjectProperty,
    OptionProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from appkit.ui import rtl

__all__ = ["THEME", "Banner", "BigAction", "CardWidget", "Icon", "IconButton", "IconTile", "ItemRow", "PinKey", "PinPad", "ProvenRow", "WalletScreen"]

THEME: dict[str, Any] = {
    "bg": (1, 1, 1, 1),
    "text": (0.07, 0.09, 0.13, 1),
    "muted": (0.30, 0.33, 0.38, 1),
    "primary": (0.05, 0.30, 0.75, 1),
    "primary_text": (1, 1, 1, 1),
    "secondary": (0.90, 0.92, 0.95, 1),
    "ok": (0.05, 0.50, 0.25, 1),
    "danger": (0.72, 0.07, 0.10, 1),
    "warn_bg": (1.0, 0.93, 0.70, 1),
    "card_bg": (0.93, 0.96, 1.0, 1),
    "line": (0.75, 0.78, 0.83, 1),
}

# Icons drawn as glyphs of DejaVu Sans (which Kivy ships); the others are drawn as shapes.
_GLYPHS = {
    "check": "\u2713", "cross": "\u2717", "warning": "\u26a0", "back": "\u2190", "gear": "\u2699",
    "refresh": "\u21bb", "pencil": "\u270e", "home": "\u2302", "write": "\u270d", "person": "\u263a",
    "shown": "\u25c9", "proven": "\u2611", "qr": "\u25a6", "erase": "\u232b", "flag": "\u2691",
    "picture": "\u25a3", "next": "\u2192",
}
# Icons that point along the reading direction: drawn mirrored in a right-to-left language.
_MIRRORED_GLYPHS = {"next": "back", "back": "next"}


def _symbol_font() -> str:
    """Kivy's bundled DejaVuSans, which has the symbols above (also inside Android builds)."""
    import kivy

    bundled = Path(kivy.__file__).parent / "data" / "fonts" / "DejaVuSans.ttf"
    return str(bundled) if bundled.exists() else "Roboto"


class Icon(Widget):
    """A simple icon: ``name`` picks a glyph or a drawn shape, in ``color``."""

    name = StringProperty("")
    color = ColorProperty((0, 0, 0, 1))

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.bind(name=self._redraw, color=self._redraw, pos=self._redraw, size=self._redraw)
        Clock.schedule_once(self._redraw, 0)

    def refresh_direction(self) -> None:
        """Called by appkit.ui.rtl.refresh after a language change."""
        self._redraw()

    def _redraw(self, *_a: Any) -> None:
        self.canvas.clear()
        s = min(self.width, self.height)
        if s <= 0 or not self.name:
            return
        name = _MIRRORED_GLYPHS.get(self.name, self.name) if rtl.is_rtl() else self.name
        # Not center_x/center_y: those cached aliases can be stale inside a size callback.
        cx, cy = self.x + self.width / 2, self.y + self.height / 2
        lw = max(1.2, s * 0.065)
        with self.canvas:
            Color(*self.color)
            if name in _GLYPHS:
                lab = CoreLabel(text=_GLYPHS[name], font_size=s * 0.82, font_name=_symbol_font())
                lab.refresh()
                tex = lab.texture
                Rectangle(texture=tex, size=tex.size, pos=(cx - tex.width / 2, cy - tex.height / 2))
            elif name == "scan":
                h, k = s * 0.42, s * 0.18
                for sx in (-1, 1):
                    for sy in (-1, 1):
                        x, y = cx + sx * h, cy + sy * h
                        Line(points=[x - sx * k, y, x, y, x, y - sy * k], width=lw)
                Line(points=[cx - h * 0.8, cy, cx + h * 0.8, cy], width=lw)
            elif name == "lock":
                bw, bh = s * 0.62, s * 0.42
                Rectangle(pos=(cx - bw / 2, cy - s * 0.42), size=(bw, bh))
                Line(ellipse=(cx - s * 0.2, cy - s * 0.12, s * 0.4, s * 0.6, -90, 90), width=lw)
            elif name == "card":
                w, h = s * 0.9, s * 0.62
                x, y = cx - w / 2, cy - h / 2
                Line(rounded_rectangle=(x, y, w, h, s * 0.08), width=lw)
                Rectangle(pos=(x + w * 0.1, y + h * 0.25), size=(w * 0.25, h * 0.5))
                for f in (0.62, 0.42):
                    Line(points=[x + w * 0.45, y + h * f, x + w * 0.88, y + h * f], width=lw * 0.8)
            elif name == "history":
                r = s * 0.42
                Line(circle=(cx, cy, r), width=lw)
                Line(points=[cx, cy + r * 0.65, cx, cy, cx + r * 0.5, cy - r * 0.3], width=lw)
            elif name == "keypad":
                d = s * 0.13
                for i in range(3):
                    for j in range(3):
                        x = cx + (i - 1) * s * 0.3
                        y = cy + (j - 1) * s * 0.3
                        Ellipse(pos=(x - d / 2, y - d / 2), size=(d, d))
            elif name == "shield":
                w = s * 0.7
                Line(points=[cx, cy + s * 0.45, cx + w / 2, cy + s * 0.3, cx + w / 2, cy - s * 0.05,
                             cx, cy - s * 0.45, cx - w / 2, cy - s * 0.05, cx - w / 2, cy + s * 0.3],
                     width=lw, close=True)
            elif name == "language":
                r = s * 0.42
                Line(circle=(cx, cy, r), width=lw)
                Line(ellipse=(cx - r * 0.45, cy - r, r * 0.9, 2 * r), width=lw * 0.8)
                Line(points=[cx - r, cy, cx + r, cy], width=lw * 0.8)


class BigAction(ButtonBehavior, rtl.MirroredBoxLayout):
    """Base of the big buttons. ``kind``: primary, secondary, danger, ok."""

    text = StringProperty("")
    icon = StringProperty("")
    kind = OptionProperty("primary", options=["primary", "secondary", "danger", "ok"])
    hidden = BooleanProperty(False)


class IconButton(BigAction):
    """A wide button: an icon beside a short word."""


class IconTile(BigAction):
    """A square-ish button: the icon above one short word (for actions side by side)."""


class PinKey(ButtonBehavior, Label):
    """One key of the PIN pad; ``key`` is a digit or "erase"."""

    key = StringProperty("")


class PinPad(BoxLayout):
    """Six dots and a 3x4 keypad. Dispatches ``on_complete(pin)`` on the sixth digit."""

    pin = StringProperty("")
    length = NumericProperty(6)
    enabled = BooleanProperty(True)

    __events__ = ("on_complete",)

    def press(self, key: str) -> None:
        if not self.enabled:
            return
        if key == "erase":
            self.pin = self.pin[:-1]
            return
        if key.isdigit() and len(self.pin) < self.length:
            self.pin += key
            if len(self.pin) == self.length:
                pin, self.pin = self.pin, ""
                self.dispatch("on_complete", pin)

    def clear(self) -> None:
        self.pin = ""

    def on_complete(self, pin: str) -> None:
        pass

    def key_widget(self, key: str) -> PinKey:
        """The key button for ``key`` (tests press it through ``dispatch("on_press")``)."""
        for w in self.walk(restrict=True):
            if isinstance(w, PinKey) and w.key == key:
                return w
        raise LookupError(key)


class CardWidget(BoxLayout):
    """One credential as a card: title, issuer, attributes in plain words, expiry."""

    view = ObjectProperty(None, allownone=True)

    def on_kv_post(self, _base: Any) -> None:
        self.on_view(self, self.view)

    def on_view(self, _w: Any, view: Any) -> None:
        box = self.ids.get("rows")
        if box is None or view is None:
            return
        box.clear_widgets()
        for item in view.items:
            box.add_widget(ItemRow(label=item.label, value=item.value))


class ItemRow(BoxLayout):
    """"Label: value" on two lines, so long labels never squeeze the value."""

    label = StringProperty("")
    value = StringProperty("")


class ProvenRow(BoxLayout):
    """One condition proven without showing, with a tick."""

    text = StringProperty("")


class Banner(rtl.MirroredBoxLayout):
    """A coloured strip with an icon and a sentence (warnings, unverified requester)."""

    icon = StringProperty("warning")
    text = StringProperty("")
    bgc = ColorProperty((1, 0.93, 0.7, 1))
    fg = ColorProperty((0, 0, 0, 1))


class WalletScreen(Screen):
    """Base screen: access to the app, translated text and background work."""

    error = StringProperty("")
    busy = BooleanProperty(False)

    @property
    def app(self) -> Any:
        return App.get_running_app()

    def t(self, key: str, **kw: Any) -> str:
        return str(self.app.t(key, **kw))

    def show_error(self, err: BaseException) -> None:
        self.error = self.app.error_text(err)

    def run_async(self, work: Callable[[], Any], done: Callable[[Any], None],
                  failed: Callable[[BaseException], None] | None = None) -> None:
        """Run ``work`` off the UI thread (network, proofs); call back on the UI thread."""
        self.busy = True
        self.app.begin_task()

        def finish(result: Any, exc: BaseException | None) -> None:
            self.busy = False
            self.app.end_task()
            if exc is not None:
                (failed or self.show_error)(exc)
            else:
                done(result)

        def runner() -> None:
            try:
                result = work()
            except Exception as exc:  # noqa: BLE001 - handed to the UI thread, shown as a message
                Clock.schedule_once(lambda _dt, e=exc: finish(None, e), 0)
                return
            Clock.schedule_once(lambda _dt: finish(result, None), 0)

        threading.Thread(target=runner, daemon=True, name=f"wallet-{self.name}").start()
