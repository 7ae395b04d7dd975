"""Translation over JSON files, one per language, shipped inside each app's ``i18n`` package.

Why JSON rather than gettext: the strings are few, translators edit them in any text editor,
the files ship unchanged inside an Android package, and a test can check that every key
exists in every language. Screens pass keys only; ``{name}`` placeholders are filled with
``str.format`` rules, and a missing placeholder stays visible instead of raising: a
translation mistake must never crash an app in front of a beneficiary.

The languages an app ships are the ``<code>.json`` files in its folder: adding a language is
adding a file. Each file may say ``"language.direction": "rtl"`` (Arabic, for example) so
the screens can mirror their layout; the default is left to right.

Dates are formatted here from month names in the files, because phones at a distribution
point often have no locale data for the person's language.
"""

from __future__ import annotations

import datetime as dt
import json
import string
from functools import cached_property
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any, ClassVar

__all__ = ["DEFAULT_LANGUAGE", "Catalog", "Translator"]

DEFAULT_LANGUAGE = "en"


class Catalog:
    """The translation files of one package (``field_app.i18n``, ``wallet_app.i18n``).

    Nothing is read until a table is asked for; each language is read once.
    """

    def __init__(self, package: str, *, folder: str = "", default: str = DEFAULT_LANGUAGE) -> None:
        self.package = package
        self.folder = folder  # a sub-folder of the package holding another set of files
        self.default = default
        self._tables: dict[str, dict[str, str]] = {}

    def __repr__(self) -> str:
        return f"Catalog({self.package!r}, folder={self.folder!r})" if self.folder else f"Catalog({self.package!r})"

    def _root(self) -> Traversable:
        root = resources.files(self.package)
        return root.joinpath(self.folder) if self.folder else root

    @cached_property
    def languages(self) -> tuple[str, ...]:
        """Language codes with a file, the default first, then by code."""
        found = sorted(
            entry.name.removesuffix(".json")
            for entry in self._root().iterdir()
            if entry.name.endswith(".json")
        )
        return tuple(sorted(found, key=lambda code: (code != self.default, code)))

    def table(self, lang: str) -> dict[str, str]:
        """The key -> text table of one language; ``KeyError`` for a language not shipped."""
        if lang not in self.languages:
            raise KeyError(f"no translation for {lang!r}; available: {', '.join(self.languages)}")
        cached = self._tables.get(lang)
        if cached is None:
            text = self._root().joinpath(f"{lang}.json").read_text("utf-8")
            cached = {str(k): str(v) for k, v in json.loads(text).items()}
            self._tables[lang] = cached
        return cached

    def names(self) -> dict[str, str]:
        """Language code -> its name written in that language (for a language picker)."""
        return {code: self.table(code).get("language.name", code) for code in self.languages}

    def is_rtl(self, lang: str) -> bool:
        """True when the language is written right to left (its file says so)."""
        return self.table(lang).get("language.direction", "ltr").strip().lower() == "rtl"


class _Lenient(dict[str, Any]):
    """Unknown placeholders stay as they are instead of raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Translator:
    """Look up keys in one language, falling back to the default language, then to the key.

    An app binds its catalog once: ``class Translator(appkit.i18n.Translator): catalog = ...``.
    """

    catalog: ClassVar[Catalog]

    def __init__(self, lang: str | None = None) -> None:
        default = self.catalog.default
        self.lang = lang if lang in self.catalog.languages else default

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.lang!r})"

    @property
    def rtl(self) -> bool:
        """Whether screens should lay this language out right to left."""
        return self.catalog.is_rtl(self.lang)

    def has(self, key: str) -> bool:
        return key in self.catalog.table(self.lang) or key in self.catalog.table(self.catalog.default)

    def t(self, key: str, **values: Any) -> str:
        text = (self.catalog.table(self.lang).get(key)
                or self.catalog.table(self.catalog.default).get(key) or key)
        if not values:
            return text
        return string.Formatter().vformat(text, (), _Lenient(values))

    def __call__(self, key: str, **values: Any) -> str:
        return self.t(key, **values)

    def get(self, key: str, default: str, **values: Any) -> str:
        """Like calling the translator, but ``default`` when no language has ``key``."""
        return self.t(key, **values) if self.has(key) else default

    def date(self, d: dt.date) -> str:
        """'1 Dec 2026' / '1 déc. 2026', from ``format.date`` and ``month.N`` in the files."""
        return self.t("format.date", day=d.day, month=self.t(f"month.{d.month}"), year=d.year)

    def datetime(self, when: dt.datetime) -> str:
        return self.t("format.datetime", date=self.date(when.date()),
                      time=f"{when.hour:02d}:{when.minute:02d}")
