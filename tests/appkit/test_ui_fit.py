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
