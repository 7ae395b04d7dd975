"""Does every label's text fit its box, and every widget its parent's? Used by the apps' render
tests (tests/*/test_ui_render.py) through :func:`misfits`.

A label overflows when its rendered text is wider than the label (a word or a button caption
that does not wrap), or taller than a label whose height does not follow its text (a fixed
height, a tile, a bar). Labels that are not shown (empty, transparent, zero-sized) are skipped.
Text clipped by Kivy to a fixed ``text_size`` is measured again without the clip.

A child overflows when its box reaches outside the box of a layout whose size is fixed in that
direction (``size_hint`` None there: a bar of 56 dp holding a button of 64 dp); a layout that
grows with its children, or a scroll view's content, is not held to it.

A word is broken when Kivy, wrapping a label to its width, had to cut a word that is wider
than the label ("Household registratio / n"): every line Kivy laid out (the core label's
cached lines) must be made of whole words of the text it was given. For an Arabic label
appkit/ui/rtl.py wraps the logical text itself, at spaces only, and hands Kivy the shaped lines;
a word too wide for the label is then cut by Kivy's second wrap, so the same comparison, made on
the shaped text Kivy was given, covers right-to-left labels too.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["broken_words", "misfits", "overflowing_children", "overflowing_labels"]

SLACK = 2.0  # px of rounding


def _shown(widget: Any) -> bool:
    w: Any = widget
    while w is not None:
        if getattr(w, "opacity", 1) <= 0:
            return False
        parent = w.parent
        if parent is w or parent is None:
            break
        w = parent
    return widget.width > 1 and widget.height > 1


def _needed(label: Any) -> tuple[float, float]:
    """The size the text needs at the label's width (Kivy's own layout, no height clip)."""
    from kivy.core.text import Label as CoreLabel
    from kivy.core.text.markup import MarkupLabel

    width = label.text_size[0]
    size = label._label.options.get("font_size", label.font_size)  # appkit may draw a long word smaller
    core = (MarkupLabel if label.markup else CoreLabel)(text=label._label.text, font_size=size, font_name=label.font_name,
                     bold=label.bold, italic=label.italic, halign=label.halign, padding=label.padding,
                     text_size=(width, None), markup=label.markup)
    core.refresh()
    return (float(core.texture.size[0]), float(core.texture.size[1])) if core.texture else (0.0, 0.0)


def overflowing_labels(root: Any) -> list[str]:
    from kivy.uix.label import Label

    bad: list[str] = []
    for w in root.walk(restrict=True):
        if not isinstance(w, Label) or not w.text.strip() or not _shown(w):
            continue
        tw, th = float(w.texture_size[0]), float(w.texture_size[1])
        if w.text_size[1] is not None:  # Kivy clips to a fixed box: measure without the clip
            tw, th = _needed(w)
        if tw > w.width + SLACK or th > w.height + SLACK:
            bad.append(f"{w.text[:60]!r}: needs {tw:.0f}x{th:.0f}, has {w.width:.0f}x{w.height:.0f}")
    return bad


def _name(w: Any) -> str:
    text = getattr(w, "text", "")
    return f"{type(w).__name__}" + (f" {text[:40]!r}" if isinstance(text, str) and text.strip() else "")


def overflowing_children(root: Any) -> list[str]:
    """Shown widgets whose box reaches outside a fixed-size layout parent (window coordinates)."""
    from kivy.uix.layout import Layout

    bad: list[str] = []
    for w in root.walk(restrict=True):
        p = w.parent
        if p is None or p is w or not isinstance(p, Layout) or not _shown(w) or not _shown(p):
            continue
        wx, wy = w.to_window(w.x, w.y)
        px, py = p.to_window(p.x, p.y)
        where = []
        if p.size_hint_y is None and (wy < py - SLACK or wy + w.height > py + p.height + SLACK):
            where.append(f"height: {_name(w)} spans y {wy - py:.0f}..{wy - py + w.height:.0f}")
        if p.size_hint_x is None and (wx < px - SLACK or wx + w.width > px + p.width + SLACK):
            where.append(f"width: {_name(w)} spans x {wx - px:.0f}..{wx - px + w.width:.0f}")
        bad += [f"{s} of {_name(p)} {p.width:.0f}x{p.height:.0f}" for s in where]
    return bad


_TAG = re.compile(r"\[/?[a-z]+(?:=[^\]]*)?\]")


def _plain(text: str, markup: bool) -> str:
    if not markup:
        return text
    return _TAG.sub("", text).replace("&bl;", "[").replace("&br;", "]").replace("&amp;", "&")


def _cut_tokens(text_tokens: list[str], lines: list[list[str]]) -> list[str]:
    """The tokens of the text that Kivy's lines (their tokens, in order) hold cut in pieces."""
    pieces = [(t, i) for i, line in enumerate(lines) for t in line]
    cut: list[str] = []
    k = 0
    for token in text_tokens:
        if k >= len(pieces):
            break
        if pieces[k][0] == token:
            k += 1
            continue
        acc, first = "", pieces[k][1]
        while k < len(pieces) and len(acc) < len(token):
            acc += pieces[k][0]
            k += 1
        if acc != token:  # not the text we were given: compare no further
            return cut
        if pieces[k - 1][1] != first:
            cut.append(token)
    return cut


def broken_words(root: Any) -> list[str]:
    """Shown wrapping labels in which Kivy cut a word across two lines (an identifier or a
    number may be cut: see :func:`appkit.ui.text.is_word`)."""
    from kivy.uix.label import Label

    from appkit.ui.text import is_word, shape_line

    bad: list[str] = []
    for w in root.walk(restrict=True):
        if not isinstance(w, Label) or not w.text.strip() or not _shown(w) or w.text_size[0] is None:
            continue
        core = w._label
        markup = core.__class__.__name__ == "MarkupLabel"
        if w.shorten or not getattr(core, "_cached_lines", None):
            continue
        lines = [[p for word in line.words for p in word.text.split()] for line in core._cached_lines]
        cut = _cut_tokens(_plain(core.text, markup).split(), lines)
        logical = {shape_line(t): t for t in _plain(w.text, w.markup).split()} if core.text != w.text else {}
        words = [t for t in cut if is_word(logical.get(t, t))]
        if words:
            bad.append(f"{w.text[:60]!r}: word cut across lines ({words[0]!r}) at width {w.width:.0f}")
    return bad


def misfits(root: Any) -> list[str]:
    """Labels whose text does not fit or whose words are cut, and children outside a fixed-size parent."""
    return overflowing_labels(root) + broken_words(root) + overflowing_children(root)
