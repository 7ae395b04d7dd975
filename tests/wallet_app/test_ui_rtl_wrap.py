"""Arabic that wraps onto several lines reads in order: the first line of the label (the top
one) holds the first words of the sentence, and each line reads right to left.

The labels wrap the logical text themselves (appkit.ui.text.display_lines) and hand Kivy lines
that are already in display order; if they measured with another face than Kivy draws with
(the regular face for a bold label), Kivy wraps those lines a second time and puts the end of a
line above its beginning. Every line is checked against the words of the logical text.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.wallet_app.ui import window
from wallet_app.i18n import catalog

# the red error line of 17-scan-error-ar.png, and a long line of the consent screen
KEYS = ("error.predicate_not_satisfied", "next.request_bad_signature")


@pytest.fixture
def arabic() -> Iterator[None]:
    from appkit.ui import rtl
    from appkit.ui.text import use_wide_font

    window()  # a GL context for the textures
    assert use_wide_font()
    was = rtl.is_rtl()
    rtl.set_rtl(True)
    yield
    rtl.set_rtl(was)


def _rendered_lines(label: object) -> list[str]:
    """The lines Kivy drew, top to bottom, as the glyph strings it drew them with."""
    core = label._label  # type: ignore[attr-defined]
    return ["".join(word.text for word in line.words).strip() for line in core._cached_lines]


@pytest.mark.parametrize("markup", [False, True])
@pytest.mark.parametrize("bold", [False, True])
@pytest.mark.parametrize("key", KEYS)
def test_wrapped_arabic_lines_come_in_reading_order(arabic: None, key: str, bold: bool, markup: bool) -> None:
    from appkit.ui.rtl import DirectionalLabel
    from appkit.ui.text import shape_line

    text = catalog("ar")[key]
    words = text.split(" ")
    logical = [shape_line(w) for w in words]  # each word joined, as it is drawn on its own
    for width in range(270, 900, 45):  # px: from two words a line to the whole sentence on one
        label = DirectionalLabel(text=text, markup=markup, font_size=40, halign="left",
                                 size=(width, 400), text_size=(width, None))
        label.bold = bold  # set after the label is made, as a kv rule or a screen change does
        label.texture_update()
        lines = _rendered_lines(label)
        # pure Arabic lines: the words of a line stand right to left, so reversed they read in order
        read = [w for line in lines for w in reversed(line.split(" ")) if w]
        where = f"bold={bold} markup={markup} width={width}: {lines}"
        assert read == logical, where
        assert logical[0] in lines[0].split(" "), where  # the first word starts the top line
        assert label.texture_size[0] <= width + 1, where
        if width == 270:
            assert len(lines) > 2, where  # it did wrap


@pytest.mark.parametrize("key", KEYS)
def test_bold_words_keep_their_bold_and_their_place(arabic: None, key: str) -> None:
    """A markup label with its first words in [b] (a heading, an attribute's name): the bold
    words stay bold when shaped, and the lines still read in order."""
    from appkit.ui.rtl import DirectionalLabel
    from appkit.ui.text import shape_line

    words = catalog("ar")[key].split(" ")
    logical = [shape_line(w) for w in words]
    text = "[b]" + " ".join(words[:3]) + "[/b] " + " ".join(words[3:])
    for width in range(270, 900, 45):
        label = DirectionalLabel(text=text, markup=True, font_size=40, halign="left",
                                 size=(width, 400), text_size=(width, None))
        label.texture_update()
        lines = _rendered_lines(label)
        read = [w for line in lines for w in reversed(line.split(" ")) if w]
        where = f"width={width}: {lines}"
        assert read == logical, where
        assert label.texture_size[0] <= width + 1, where
        drawn = [w for line in label._label._cached_lines for w in line.words if w.text.strip()]
        bold = {w.strip() for d in drawn if d.options["bold"] for w in d.text.split(" ") if w.strip()}
        assert set(logical[:3]) <= bold, where
        assert not (set(logical[3:]) - set(logical[:3])) & bold, where  # the rest is regular
