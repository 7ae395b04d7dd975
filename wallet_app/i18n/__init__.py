"""The wallet's translations (one ``<lang>.json`` per language beside this module).

Screens pass keys only; the lookup, fallback, placeholder and date rules are shared with the
field app in :mod:`appkit.i18n`. A language is added by adding its file.
"""

from __future__ import annotations

from appkit.i18n import DEFAULT_LANGUAGE, Catalog
from appkit.i18n import Translator as _Translator

__all__ = ["CATALOG", "DEFAULT_LANGUAGE", "Translator", "available_languages", "catalog"]

CATALOG = Catalog(__name__, default=DEFAULT_LANGUAGE)


def catalog(lang: str) -> dict[str, str]:
    """The key -> text table of one language (read once, on first use)."""
    return CATALOG.table(lang)


def available_languages() -> dict[str, str]:
    """Language code -> its name written in that language (for the language screen)."""
    return CATALOG.names()


class Translator(_Translator):
    catalog = CATALOG
