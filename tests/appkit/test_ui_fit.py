"""The render tests' layout check (tests/ui_fit.py): a child taller or wider than a layout of
fixed size is reported; a layout that is not fixed in that direction is not held to it."""

from __future__ import annotations

import pytest


def _bar(height: float, child_height: float, *, fixed: bool = True) -> object:
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.widget import Widget

    bar = BoxLayout(size_hint=(None, None) if fixed else (1, 1), size=(300, height), pos=(0, 0))
    bar.add_widget(Widget(size_hint_y=None, height=child_height))
    bar.do_layout()
    return bar


@pytest.mark.parametrize(("height", "child", "fixed", "reported"), [
    (56, 64, True, True),  # a 64 px button in a 56 px bar
    (56, 48, True, False),
    (56, 64, False, False),  # the bar follows its parent's size: not fixed
])
def test_a_child_outside_a_fixed_bar_is_reported(height: float, child: float, fixed: bool, reported: bool) -> None:
    from tests.ui_fit import misfits, overflowing_children

    bar = _bar(height, child, fixed=fixed)
    found = overflowing_children(bar)
    assert bool(found) is reported, found
    assert misfits(bar) == found  # no label here: the same list
    if reported:
        assert "height" in found[0] and "BoxLayout 300x56" in found[0]


def test_a_wide_child_in_a_fixed_width_column() -> None:
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.widget import Widget

    from tests.ui_fit import overflowing_children

    col = BoxLayout(orientation="vertical", size_hint=(None, None), size=(100, 200))
    col.add_widget(Widget(size_hint_x=None, width=140))
    col.do_layout()
    found = overflowing_children(col)
    assert len(found) == 1 and "width" in found[0], found


def _label(text: str, width: float, *, fit: bool) -> object:
    from appkit.ui.rtl import DirectionalLabel

    label = DirectionalLabel(text=text, font_size=40, size_hint=(None, None), size=(width, 400), fit_words=fit)
    label.text_size = (width, None)
    label.texture_update()
    return label


def test_a_word_cut_across_lines_is_reported() -> None:
    from tests.ui_fit import broken_words, misfits

    narrow = _label("Household registration", 120, fit=False)  # Kivy cuts "Household" and "registration"
    found = broken_words(narrow)
    assert len(found) == 1 and "word cut" in found[0], found
    assert found[0] in misfits(narrow)


def test_words_wrapped_at_spaces_pass() -> None:
    from tests.ui_fit import broken_words

    assert broken_words(_label("a cat and a dog", 90, fit=False)) == []
    assert broken_words(_label("request/a4118eaa5207a45d48bfce376ab", 120, fit=False)) == []  # an id may be cut


def test_a_long_word_is_drawn_just_small_enough_to_fit() -> None:
    from appkit.ui.rtl import widest_word
    from tests.ui_fit import broken_words

    label: object = _label("Household registration", 200, fit=True)
    assert broken_words(label) == []
    size = label._label.options["font_size"]  # type: ignore[attr-defined]
    assert 40 * 0.6 <= size < 40
    assert widest_word(label, size) <= 200 < widest_word(label, size + 2)
    label._label.options["font_size"] = size  # type: ignore[attr-defined]
    assert label.font_size == 40  # type: ignore[attr-defined]  # the property is left as the app set it
    assert _label("a cat", 200, fit=True)._label.options["font_size"] == 40  # type: ignore[attr-defined]


def test_tiles_take_two_columns_when_a_word_would_be_cut() -> None:
    from kivy.uix.boxlayout import BoxLayout

    from appkit.ui.rtl import DirectionalLabel, WordFitGrid

    def grid(word: str) -> WordFitGrid:
        g = WordFitGrid(size_hint=(None, None), size=(500, 300), spacing=10)
        for text in ("Tap", "History", word):
            tile = BoxLayout()
            lbl = DirectionalLabel(text=text, font_size=40, text_size=(100, None))
            lbl.bind(width=lambda w, v: setattr(w, "text_size", (v, None)))
            tile.add_widget(lbl)
            g.add_widget(tile)
        for _ in range(3):
            g.do_layout()
            for tile in g.children:
                tile.do_layout()
        return g

    assert grid("Help").cols == 3
    assert grid("Orientationsssss").cols == 2
