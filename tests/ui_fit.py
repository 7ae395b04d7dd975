"""Does every label's text fit its box, and every widget its parent's? Used by the apps' render
tests (tests/*/test_ui_render.py) through :func:`misfits`.

A label overflows when its rendered text is wider than the label (a word or a button caption
that does not wrap), or taller than a label whose height does not follow its text (a fixed
height, a tile, a bar). Labels that are not shown (empty, transparent, zero-sized) are skipped.
Text clipped by Kivy to a fixed ``text_size`` is measured again without the clip.

A child overflows when its box reaches outside the box of a layout whose size is fixed in that
direction (``size_hint`` None there: a bar of 56 dp holding a button of 64 dp); a layout that
grows with its children, or a scroll view's content, is not held to it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["misfits", "overflowing_children", "overflowing_labels"]

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
    core = (MarkupLabel if label.markup else CoreLabel)(text=label._label.text, font_size=label.font_size, font_name=label.font_name,
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


def misfits(root: Any) -> list[str]:
    """Labels whose text does not fit, and children outside a fixed-size parent."""
    return overflowing_labels(root) + overflowing_children(root)
