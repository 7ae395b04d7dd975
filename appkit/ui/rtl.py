"""Kivy labels, buttons and rows that lay out right to left (see :mod:`appkit.ui.text`).

:func:`install` puts :class:`DirectionalLabel`, :class:`DirectionalButton` and
:class:`MirroredBoxLayout` in Kivy's Factory under the names ``Label``, ``Button`` and
``BoxLayout``, before an app loads its kv files, so every label, button and row of every
screen (and every ``Foo@Label`` or ``Foo@BoxLayout`` class of the kv files) follows the app's
direction without each screen knowing about it: text is shaped, reordered and aligned right,
and a horizontal row (an icon beside its words, buttons side by side) is laid out from the
right. Python widget classes that are rows derive from :class:`MirroredBoxLayout` themselves.
In a left-to-right language they draw exactly as Kivy's own; :func:`set_rtl` switches the
whole app and :func:`refresh` redraws a widget tree after a language change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.factory import Factory
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.label import Label
from kivy.utils import get_hex_from_color

from appkit.ui.text import display_lines

__all__ = ["DirectionalButton", "DirectionalLabel", "MirroredBoxLayout", "install", "is_rtl", "refresh", "set_rtl"]

_state = {"rtl": False}


def set_rtl(rtl: bool) -> None:
    _state["rtl"] = bool(rtl)


def is_rtl() -> bool:
    return _state["rtl"]


class _Directional:
    """Mixin over a Kivy Label: in RTL mode, wrap in logical order, shape, reorder, align right."""

    def texture_update(self, *largs: Any) -> None:
        label: Any = self
        core = label._label
        if not _state["rtl"] or not label.text:
            if core.__class__.__name__ != "MarkupLabel":
                core.text = label.text  # undo a right-to-left rendering after a language change
            super().texture_update(*largs)  # type: ignore[misc]
            return
        # Measure with the face Kivy will draw with: a label's bold (or font_name) set after the
        # label was made reaches core.options at once, but the font file it picks is only looked
        # up again in refresh(). Measured with the regular face, a bold line came out wider than
        # the label and Kivy wrapped it a second time, putting the end of the line above its start.
        core.resolve_font_name()
        width = label.text_size[0]
        if width is not None:
            pad = label.padding
            width = max(1.0, width - (pad[0] + pad[2] if len(pad) == 4 else 2 * pad[0]))

        def measure(s: str) -> float:
            return float(core.get_extents(s)[0])

        markup = core.__class__.__name__ == "MarkupLabel"
        if markup:  # keep the [b] spans: each line comes back as markup, runs shaped one by one
            shown = display_lines(label.text, width, measure, _bold_measure(core))
            color = label.disabled_color if label.disabled else label.color
            core.text = f"[color={get_hex_from_color(color)}]{shown}[/color]"
        else:
            core.text = display_lines(label.text, width, measure)
        halign = label.halign
        core.options["halign"] = "right" if halign in ("left", "auto") else halign
        label.texture = None
        core.refresh()
        core.options["halign"] = halign
        if core.texture is not None:
            label.texture = core.texture
            label.texture_size = list(core.texture.size)
        label.is_shortened = core.is_shortened


def _bold_measure(core: Any) -> Callable[[str], float]:
    """Widths in the bold face of ``core``'s font and size (a label already bold measures as is)."""
    if core.options.get("bold"):
        return lambda s: float(core.get_extents(s)[0])
    from kivy.core.text import Label as CoreLabel

    opts = core.options
    bold = CoreLabel(font_name=opts["font_name"], font_size=opts["font_size"], bold=True,
                     italic=opts.get("italic", False))
    bold.resolve_font_name()
    return lambda s: float(bold.get_extents(s)[0])


class DirectionalLabel(_Directional, Label):  # Kivy ships no type hints
    pass


class DirectionalButton(_Directional, Button):  # Kivy ships no type hints
    pass


class MirroredBoxLayout(BoxLayout):  # Kivy ships no type hints
    """A BoxLayout whose horizontal rows run from the right in a right-to-left language: Kivy
    lays the children out left to right, then each is mirrored inside the row (padding
    included), so the first child (an icon, the main button) stands at the right edge."""

    def do_layout(self, *largs: Any) -> None:
        super().do_layout(*largs)
        if _state["rtl"] and self.orientation == "horizontal":
            left, right = self.x, self.right
            for child in self.children:
                child.x = left + right - child.right


def install() -> None:
    """Replace Kivy's Label, Button and BoxLayout in the Factory (once; before kv files load)."""
    if Factory.classes.get("Label", {}).get("cls") is DirectionalLabel:
        return
    for name, cls in (("Label", DirectionalLabel), ("Button", DirectionalButton), ("BoxLayout", MirroredBoxLayout)):
        Factory.unregister(name)
        Factory.register(name, cls=cls)


def refresh(widget: Any) -> None:
    """Redraw the text of ``widget`` and everything under it and lay its rows out again
    (after :func:`set_rtl`); widgets with a ``refresh_direction`` method (directional icons)
    redraw themselves."""
    if isinstance(widget, Label):
        widget.texture_update()
    if isinstance(widget, MirroredBoxLayout):
        widget._trigger_layout()
    hook = getattr(widget, "refresh_direction", None)
    if callable(hook):
        hook()
    for child in getattr(widget, "children", ()):
        refresh(child)
