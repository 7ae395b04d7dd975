"""Right-to-left text for Kivy labels, and a font that covers Arabic.

Kivy's SDL2 text provider draws code points one by one, left to right, with no shaping: Arabic
would come out as isolated letters in the wrong order. So for a right-to-left language each
label's text is wrapped to the label's width in *logical* order first (so the first words of
a sentence stay on the first line), then every line is shaped (arabic-reshaper picks the
joined presentation form of each letter) and reordered for display (python-bidi, the Unicode
bidirectional algorithm, UAX #9). Digits, Latin ids and punctuation keep their own order inside
the line. Left-to-right languages are left exactly as written.

The font: Kivy's default Roboto has no Arabic. DejaVu Sans has Latin, French accents and the
Arabic presentation forms, and matplotlib ships it, so both apps register it as their default
font (:func:`use_wide_font`) instead of carrying a font file of their own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

__all__ = ["display_lines", "font_path", "shape_line", "strip_markup", "use_wide_font"]

# Bidi_Mirrored pairs: in a right-to-left line a bracket shows as its mirror image. Kivy draws
# glyphs left to right with no mirroring, so the display string carries the mirrored ones.
_MIRROR = str.maketrans("()[]{}<>«»‹›", ")(][}{><»«›‹")
_MARKUP = re.compile(r"\[/?(?:b|i|u|s|sub|sup|color|size|font|ref|anchor)(?:=[^\]]*)?\]")


def font_path() -> Path | None:
    """DejaVu Sans from matplotlib's data folder, or None when matplotlib is not installed."""
    try:
        import matplotlib
    except ImportError:
        return None
    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    return path if path.is_file() else None


def use_wide_font() -> bool:
    """Make DejaVu Sans (regular and bold) Kivy's default font; False when it is not found
    (the app then keeps Roboto and Arabic shows as boxes, which the render test catches)."""
    regular = font_path()
    if regular is None:
        return False
    from kivy.core.text import DEFAULT_FONT, LabelBase

    bold = regular.with_name("DejaVuSans-Bold.ttf")
    LabelBase.register(DEFAULT_FONT, str(regular), fn_bold=str(bold) if bold.is_file() else None)
    return True


def strip_markup(text: str) -> str:
    """Kivy markup tags out (bidi would reorder them with the words)."""
    return _MARKUP.sub("", text)


def shape_line(line: str) -> str:
    """One logical line, joined letters, in display order (UAX #9, paragraph direction RTL),
    brackets and guillemets mirrored (rule L4). Simplification: a bracket inside an embedded
    left-to-right run is mirrored too (the apps' texts have none)."""
    import arabic_reshaper
    from bidi import get_display

    return str(get_display(arabic_reshaper.reshape(line), base_dir="R")).translate(_MIRROR)


def display_lines(text: str, width: float | None, measure: Callable[[str], float]) -> str:
    """Wrap ``text`` to ``width`` (in the units of ``measure``) in logical order, then shape
    and reorder each line for right-to-left display. ``width`` None: no wrapping."""
    out: list[str] = []
    for paragraph in strip_markup(text).split("\n"):
        words = paragraph.split(" ")
        line = ""
        for word in words:
            candidate = f"{line} {word}" if line else word
            if width is not None and line and measure(shape_line(candidate)) > width:
                out.append(line)
                line = word
            else:
                line = candidate
        out.append(line)
    return "\n".join(shape_line(line) for line in out)
