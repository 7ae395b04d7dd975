"""Translations of every string the field app shows (one ``<lang>.json`` per language here).

Screens and the command line ask a :class:`Translator` for a key; nothing a person reads is
written in the code. A key missing in one language falls back to English, then to the key
itself, so a gap shows up as a visible key rather than a crash (and the parity test catches
it before that). The machinery is shared with the wallet (:mod:`appkit.i18n`).
"""

from __future__ import annotations

from appkit.i18n import Catalog
from appkit.i18n import Translator as _Translator

__all__ = ["CATALOG", "LANGUAGES", "Translator", "table"]

CATALOG = Catalog(__name__)
LANGUAGES: tuple[str, ...] = CATALOG.languages  # every language file shipped, English first


def table(lang: str) -> dict[str, str]:
    """The key -> text table of one language (read once); KeyError when not shipped."""
    return CATALOG.table(lang)


class Translator(_Translator):
    catalog = CATALOG
