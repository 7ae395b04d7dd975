"""appkit.i18n: languages are the files shipped, fallback, lenient formatting, direction, dates."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import pytest

from appkit.i18n import Catalog, Translator


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A throwaway translation package with three languages, one written right to left."""
    pkg = tmp_path / "demo_i18n_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    months = {f"month.{m}": f"M{m}" for m in range(1, 13)}
    (pkg / "en.json").write_text(json.dumps({
        "language.name": "English", "greet": "Hello {name}", "only.en": "English only",
        "format.date": "{day} {month} {year}", "format.datetime": "{date}, {time}", **months}))
    (pkg / "fr.json").write_text(json.dumps({"language.name": "Français", "greet": "Bonjour {name}",
                                             "format.date": "{day} {month} {year}"}))
    (pkg / "ar.json").write_text(json.dumps({"language.name": "العربية", "language.direction": "rtl",
                                             "greet": "مرحبا {name}"}), encoding="utf-8")
    (pkg / "notes.txt").write_text("not a language")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "demo_i18n_pkg", raising=False)  # this test's copy, not an earlier one
    return "demo_i18n_pkg"


def translator(package: str) -> type[Translator]:
    class Bound(Translator):
        catalog = Catalog(package)

    return Bound


def test_languages_are_the_files_shipped_default_first(package: str) -> None:
    cat = Catalog(package)
    assert cat.languages == ("en", "ar", "fr")
    assert cat.names() == {"en": "English", "ar": "العربية", "fr": "Français"}
    with pytest.raises(KeyError, match="available: en, ar, fr"):
        cat.table("de")


def test_fallback_to_the_default_language_then_to_the_key(package: str) -> None:
    tr = translator(package)
    fr = tr("fr")
    assert fr("greet", name="Amina") == "Bonjour Amina"
    assert fr("only.en") == "English only"
    assert fr("no.such.key") == "no.such.key"
    assert fr.has("only.en") and not fr.has("no.such.key")
    assert fr.get("no.such.key", "fallback") == "fallback"
    assert tr("xx").lang == "en" and tr().lang == "en"


def test_missing_placeholders_stay_visible_instead_of_raising(package: str) -> None:
    en = translator(package)("en")
    assert en("greet") == "Hello {name}"  # no values: the text as written
    assert en("greet", other=1) == "Hello {name}"  # a value the text does not name is ignored
    assert en("greet", name="{x}") == "Hello {x}"


def test_direction_per_language(package: str) -> None:
    tr = translator(package)
    assert tr("ar").rtl and not tr("en").rtl and not tr("fr").rtl


def test_dates_from_month_names_in_the_files(package: str) -> None:
    en = translator(package)("en")
    assert en.date(dt.date(2026, 12, 1)) == "1 M12 2026"
    assert en.datetime(dt.datetime(2026, 12, 1, 9, 5)) == "1 M12 2026, 09:05"


def test_each_file_is_read_once(package: str, monkeypatch: pytest.MonkeyPatch) -> None:
    cat = Catalog(package)
    first = cat.table("fr")
    monkeypatch.setattr("appkit.i18n.resources.files", lambda _p: pytest.fail("read again"))
    assert cat.table("fr") is first


def test_a_subfolder_is_its_own_set_of_files(package: str, tmp_path: Path) -> None:
    sub = tmp_path / package / "extra"
    sub.mkdir()
    (sub / "en.json").write_text(json.dumps({"greet": "Hi {name}"}))
    (sub / "fr.json").write_text(json.dumps({}))

    class Extra(Translator):
        catalog = Catalog(package, folder="extra")

    assert Extra.catalog.languages == ("en", "fr")
    assert Extra("fr")("greet", name="Ali") == "Hi Ali"  # English when French lacks the key
    assert translator(package)("en")("greet", name="Ali") == "Hello Ali"  # the main files are apart
