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

__all__ = ["display_lines", "font_path", "is_word", "shape_line", "strip_markup", "use_wide_font"]

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


_WORD = re.compile(r"[^\w]*[^\W\d_]+(?:[-'’.][^\W\d_]+)*[^\w]*")


def is_word(token: str) -> bool:
    """A word a person reads (letters, maybe joined by a hyphen or apostrophe, maybe between
    punctuation), not an identifier or number ("request/a411…", "2026-12", an URL), which
    may be cut at a line end where it does not fit."""
    return _WORD.fullmatch(token) is not None


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


def _bold_flags(paragraph: str) -> tuple[str, list[bool]]:
    """A paragraph's text without markup, and for each character whether it stands in [b]."""
    chars: list[str] = []
    flags: list[bool] = []
    depth = 0
    pos = 0
    for m in _MARKUP.finditer(paragraph):
        for ch in paragraph[pos:m.start()]:
            chars.append(ch)
            flags.append(depth > 0)
        tag = m.group(0)
        if tag == "[b]":
            depth += 1
        elif tag == "[/b]":
            depth = max(0, depth - 1)
        pos = m.end()
    for ch in paragraph[pos:]:
        chars.append(ch)
        flags.append(depth > 0)
    return "".join(chars), flags


def _runs(text: str, flags: list[bool]) -> list[tuple[str, bool]]:
    """``text`` cut where it goes in or out of bold, in logical order."""
    runs: list[tuple[str, bool]] = []
    for ch, bold in zip(text, flags, strict=True):
        if runs and runs[-1][1] == bold:
            runs[-1] = (runs[-1][0] + ch, bold)
        else:
            runs.append((ch, bold))
    return runs


def display_lines(text: str, width: float | None, measure: Callable[[str], float],
                  bold: Callable[[str], float] | None = None) -> str:
    """Wrap ``text`` to ``width`` (in the units of ``measure``) in logical order, then shape
    and reorder each line for right-to-left display. ``width`` None: no wrapping.

    ``bold`` None: markup is dropped and plain lines come back. Otherwise ``bold`` measures
    with the bold face, and the ``[b]`` spans of the text survive: each line comes back as
    Kivy markup, every bold or regular run shaped on its own, the runs placed right to left
    (the text of a run escaped, so the result is markup only through its ``[b]`` tags).
    Simplification: a run is shaped alone, so letters do not join across a bold boundary
    inside a word, and a left-to-right run split by bold keeps its runs right to left.
    """
    if bold is None:
        out: list[str] = []
        for paragraph in strip_markup(text).split("\n"):
            out.extend(_wrap(paragraph, [False] * len(paragraph), width, lambda s, _f: measure(shape_line(s))))
        return "\n".join(shape_line(line) for line in out)

    def measure_runs(s: str, f: list[bool]) -> float:
        return sum((bold if b else measure)(shape_line(run)) for run, b in _runs(s, f))

    shown: list[str] = []
    for paragraph in text.split("\n"):
        plain, flags = _bold_flags(paragraph)
        for line in _wrap_flags(plain, flags, width, measure_runs):
            shown.append("".join(f"[b]{_escape(shape_line(run))}[/b]" if b else _escape(shape_line(run))
                                 for run, b in reversed(_runs(*line))))
    return "\n".join(shown)


def _escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("[", "&bl;").replace("]", "&br;")


def _wrap_flags(text: str, flags: list[bool], width: float | None,
                measure: Callable[[str, list[bool]], float]) -> list[tuple[str, list[bool]]]:
    """Word wrap in logical order, each line with the bold flags of its characters."""
    lines: list[tuple[str, list[bool]]] = []
    start = end = 0  # the current line is text[start:end]
    pos = 0
    for word in text.split(" "):
        w_end = pos + len(word)
        if width is not None and end > start and measure(text[start:w_end], flags[start:w_end]) > width:
            lines.append((text[start:end], flags[start:end]))
            start = pos
        end = w_end
        pos = w_end + 1
    lines.append((text[start:end], flags[start:end]))
    return lines


def _wrap(text: str, flags: list[bool], width: float | None,
          measure: Callable[[str, list[bool]], float]) -> list[str]:
    return [line for line, _ in _wrap_flags(text, flags, width, measure)]
