"""A tiny translator over JSON files (one per language, beside this module).

Why JSON rather than gettext: the strings are few, translators edit them in any text
editor, the files ship unchanged inside an Android package, and a test can check that every
key exists in every language. Screens pass keys only; ``{name}`` placeholders are filled
with ``str.format`` (missing placeholders never raise: a translation mistake must not crash
the wallet in front of a beneficiary).

Dates are formatted here too, from month names in the files, because phones at a
distribution point often have no locale data for the person's language.
"""

from __future__ import annotations

import datetime as dt
import json
import string
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["DEFAULT_LANGUAGE", "Translator", "available_languages", "catalog"]

DEFAULT_LANGUAGE = "en"
_LANGUAGES = ("en", "fr")


@cache
def catalog(lang: str) -> dict[str, str]:
    """The key -> text table of one language (read once, on first use)."""
    if lang not in _LANGUAGES:
        raise KeyError(lang)
    text = resources.files(__name__).joinpath(f"{lang}.json").read_text("utf-8")
    data = json.loads(text)
    return {str(k): str(v) for k, v in data.items()}


def available_languages() -> dict[str, str]:
    """Language code -> its name written in that language (for the language screen)."""
    return {code: catalog(code)["language.name"] for code in _LANGUAGES}


class _Lenient(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Translator:
    """Look up keys in one language, falling back to English, then to the key itself."""

    def __init__(self, lang: str = DEFAULT_LANGUAGE) -> None:
        self.lang = lang if lang in _LANGUAGES else DEFAULT_LANGUAGE

    def __repr__(self) -> str:
        return f"Translator({self.lang!r})"

    def has(self, key: str) -> bool:
        return key in catalog(self.lang) or key in catalog(DEFAULT_LANGUAGE)

    def __call__(self, key: str, **values: Any) -> str:
        text = catalog(self.lang).get(key) or catalog(DEFAULT_LANGUAGE).get(key) or key
        if not values:
            return text
        return string.Formatter().vformat(text, (), _Lenient(values))

    def get(self, key: str, default: str, **values: Any) -> str:
        """Like calling the translator, but ``default`` when no language has ``key``."""
        return self(key, **values) if self.has(key) else default

    def date(self, d: dt.date) -> str:
        """'1 Dec 2026' / '1 déc. 2026', from the month names in the language file."""
        return self("format.date", day=d.day, month=self(f"month.{d.month}"), year=d.year)

    def datetime(self, when: dt.datetime) -> str:
        return self("format.datetime", date=self.date(when.date()),
                    time=f"{when.hour:02d}:{when.minute:02d}")
