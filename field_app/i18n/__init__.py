"""Translations of every string the field app shows (``en.json``, ``fr.json``).

Screens and the command line ask a :class:`Translator` for a key; nothing a person reads is
written in the code. A key missing in one language falls back to English, then to the key
itself, so a gap shows up as a visible key rather than a crash (and the parity test
catches it before that).
"""

from __future__ import annotations

import json
import string
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["LANGUAGES", "Translator", "table"]

LANGUAGES = ("en", "fr")


@cache
def table(lang: str) -> dict[str, str]:
    """The key -> text table of one language (read once)."""
    if lang not in LANGUAGES:
        raise KeyError(f"no translation for {lang!r}; available: {', '.join(LANGUAGES)}")
    text = resources.files("field_app.i18n").joinpath(f"{lang}.json").read_text("utf-8")
    data: dict[str, str] = json.loads(text)
    return data


class _Lenient(dict[str, Any]):
    """Unknown placeholders stay as they are instead of raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Translator:
    def __init__(self, lang: str = "en") -> None:
        self.lang = lang if lang in LANGUAGES else "en"

    def __call__(self, key: str, **args: Any) -> str:
        return self.t(key, **args)

    def has(self, key: str) -> bool:
        return key in table(self.lang) or key in table("en")

    def t(self, key: str, **args: Any) -> str:
        text = table(self.lang).get(key) or table("en").get(key) or key
        if not args:
            return text
        return string.Formatter().vformat(text, (), _Lenient(args))
