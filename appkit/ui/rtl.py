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

In every language, a label that wraps to its width never cuts a word: when its longest word is
wider than the label (a long French or English word in large text, "Enregistrement" in a
third of a row), the label draws its text just small enough that the word fits, down to
``min_font_scale`` of its ``font_size`` (:func:`fit_word_size`); the ``font_size`` property
itself is left alone, so the app's text scale and the kv rules stay as written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.factory import Factory
from kivy.properties import BooleanProperty, NumericProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.utils import get_hex_from_color

from appkit.ui.text import display_lines, is_word, shape_line, strip_markup

__all__ = ["DirectionalButton", "DirectionalLabel", "MirroredBoxLayout", "WordFitGrid", "fit_word_size", "install", "is_rtl",
           "refresh", "set_rtl", "widest_word"]

_state = {"rtl": False}


def set_rtl(rtl: bool) -> None:
    _state["rtl"] = bool(rtl)


def is_rtl() -> bool:
    return _state["rtl"]


class _Directional:
    """Mixin over a Kivy Label: in RTL mode, wrap in logical order, shape, reorder, align right."""

    fit_words = BooleanProperty(True)
    """Draw the text smaller when its longest word is wider than the label (never cut a word)."""
    min_font_scale = NumericProperty(0.6)
    """The smallest fraction of ``font_size`` a long word is drawn at."""

    def on_fit_words(self, *_: Any) -> None:
        self._trigger_texture()  # type: ignore[attr-defined]

    on_min_font_scale = on_fit_words

    def texture_update(self, *largs: Any) -> None:
        label: Any = self
        core = label._label
        core.options["font_size"] = fit_word_size(label)
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


def fit_word_size(label: Any) -> float:
    """The font size ``label`` draws at: its ``font_size``, or less when the widest word of its
    text would not fit the width it wraps to (text_size minus padding), but no less than
    ``min_font_scale`` of it. Words are measured as drawn: shaped in a right-to-left language,
    in the bold face too when the text is markup (its [b] spans)."""
    base = float(label.font_size)
    width = label.text_size[0]
    if not getattr(label, "fit_words", False) or width is None or not label.text.strip():
        return base
    pad = label.padding
    width = float(width) - (pad[0] + pad[2] if len(pad) == 4 else 2 * pad[0])
    floor = base * float(getattr(label, "min_font_scale", 0.6))
    need = widest_word(label, base)
    if need <= width:
        return base
    size: float = max(floor, base * width / need)
    while size > floor and widest_word(label, size) > width:  # glyph widths do not scale exactly
        size = max(floor, size - 1.0)
    return size


def widest_word(label: Any, size: float) -> float:
    """The width of the widest word of ``label``'s text drawn at ``size`` (0 without words).
    Leaves the core label's font size at ``size``: callers set it again before drawing."""
    core = label._label
    words = [w for w in (strip_markup(label.text) if label.markup else label.text).split() if is_word(w)]
    if not words:
        return 0.0
    if _state["rtl"]:
        words = [shape_line(w) for w in words]
    core.options["font_size"] = size
    core.resolve_font_name()
    measures: list[Callable[[str], float]] = [lambda s: float(core.get_extents(s)[0])]
    if label.markup:
        measures.append(_bold_measure(core))
    return max(m(w) for w in words for m in measures)


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


class WordFitGrid(GridLayout):  # Kivy ships no type hints
    """Buttons side by side in as many columns (``max_cols`` at most) as let the words of every
    one fit at no less than ``min_font_scale`` of their font size: three tiles in a row where
    their words fit, two columns (and a second row) where a long word ("Orientations" in large
    text) would otherwise be cut. Rows run from the right in a right-to-left language."""

    max_cols = NumericProperty(3)

    def _labels(self, child: Any) -> list[Any]:
        return [w for w in child.walk(restrict=True) if isinstance(w, Label) and w.text_size[0] is not None]

    def best_cols(self) -> int:
        pad = self.padding
        inner = self.width - (pad[0] + pad[2] if len(pad) == 4 else 2 * pad[0])
        gap = self.spacing[0] if isinstance(self.spacing, (list, tuple)) else self.spacing
        kids = self.children
        most = max(1, min(int(self.max_cols), len(kids)))
        for cols in range(most, 1, -1):
            cell = (inner - gap * (cols - 1)) / cols
            if all(self._fits(lbl, cell - (child.width - lbl.width)) for child in kids for lbl in self._labels(child)):
                return cols
        return 1

    @staticmethod
    def _fits(label: Any, width: float) -> bool:
        base = float(label.font_size)
        try:
            pad = label.padding
            width -= pad[0] + pad[2] if len(pad) == 4 else 2 * pad[0]
            return widest_word(label, base * float(getattr(label, "min_font_scale", 0.6))) <= width
        finally:
            label._label.options["font_size"] = fit_word_size(label)

    def add_widget(self, widget: Any, *args: Any, **kwargs: Any) -> None:
        super().add_widget(widget, *args, **kwargs)
        for lbl in self._labels(widget):  # a new language or text scale may change the columns
            lbl.bind(text=self._trigger_layout, font_size=self._trigger_layout)

    def do_layout(self, *largs: Any) -> None:
        cols = self.best_cols()
        current: Any = getattr(self, "cols", None)
        if cols != current:
            self.cols = cols  # lays out again
        super().do_layout(*largs)
        if _state["rtl"]:
            left, right = self.x, self.right
            for child in self.children:
                child.x = left + right - child.right


def install() -> None:
    """Replace Kivy's Label, Button and BoxLayout in the Factory (once; before kv files load),
    and register :class:`WordFitGrid`."""
    if Factory.classes.get("Label", {}).get("cls") is DirectionalLabel:
        return
    if "WordFitGrid" not in Factory.classes:
        Factory.register("WordFitGrid", cls=WordFitGrid)
    for name, cls in (("Label", DirectionalLabel), ("Button", DirectionalButton), ("BoxLayout", MirroredBoxLayout)):
        Factory.unregister(name)
        Factory.register(name, cls=cls)


def refresh(widget: Any) -> None:
    """Redraw the text of ``widget`` and everything under it and lay its rows out again
    (after :func:`set_rtl`); widgets with a ``refresh_direction`` method (directional icons)
    redraw themselves."""
    if isinstance(widget, Label):
        widget.texture_update()
    if isinstance(widget, (MirroredBoxLayout, WordFitGrid)):
        widget._trigger_layout()
    hook = getattr(widget, "refresh_direction", None)
    if callable(hook):
        hook()
    for child in getattr(widget, "children", ()):
        refresh(child)
