"""Translations: every key in every language, same placeholders, no hard-coded text in screens."""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
import string
from pathlib import Path

import pytest

from sdk.errors import CredentialError
from wallet_app.i18n import Translator, available_languages, catalog
from wallet_app.reasons import SHOWN
from wallet_app.words import error_text

APP = Path(__file__).resolve().parents[2] / "wallet_app"
LANGS = sorted(p.stem for p in (APP / "i18n").glob("*.json"))  # every language shipped


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_in_every_language_with_the_same_placeholders() -> None:
    en = catalog("en")
    for lang in LANGS:
        cat = catalog(lang)
        keys = set(cat) - {"language.direction"}  # optional: only right-to-left languages say it
        assert keys == set(en), f"{lang}: missing {set(en) - keys}, extra {keys - set(en)}"
        for key in keys:
            text = cat[key]
            assert text.strip(), f"{lang}:{key} is empty"
            assert placeholders(text) == placeholders(en[key]), f"{lang}:{key} placeholders differ"


def test_files_are_valid_json_without_duplicate_keys() -> None:
    for lang in LANGS:
        def no_dupes(pairs: list[tuple[str, str]], lang: str = lang) -> dict[str, str]:
            keys = [k for k, _ in pairs]
            assert len(keys) == len(set(keys)), f"{lang}: duplicate keys"
            return dict(pairs)

        json.loads((APP / "i18n" / f"{lang}.json").read_text("utf-8"), object_pairs_hook=no_dupes)


def used_keys() -> set[str]:
    """Literal keys passed to t(...) / app.t(...) / self.t(...) in screens, kv and service."""
    keys: set[str] = set()
    pattern = re.compile(r"""\bt\(\s*["']([a-z_]+\.[a-z_.0-9]+)["']""")
    cond = re.compile(r"""["']([a-z_]+\.[a-z_]+)["']\s+if\s+""")
    for path in [*APP.glob("screens/*.kv"), *APP.glob("screens/*.py"), APP / "service.py", APP / "main.py"]:
        text = path.read_text("utf-8")
        keys |= set(pattern.findall(text))
        keys |= {k for k in cond.findall(text) if k.split(".")[0] in {"pin", "home", "scan"}}
        keys |= set(re.findall(r"""else\s+["']([a-z_]+\.[a-z_]+)["']""", text))
    return keys


def test_every_key_used_exists() -> None:
    keys = used_keys()
    assert len(keys) > 60
    missing = {k for k in keys if k not in catalog("en")}
    assert not missing, missing


IDENTIFIER = re.compile(r"[a-z0-9_.]*")  # translation keys, reason codes, icon names, kinds


def is_user_text(literal: str) -> bool:
    """Words a person would read: letters, and not an identifier such as "home.scan"."""
    return bool(re.search(r"[A-Za-zÀ-ÿ]", literal)) and not IDENTIFIER.fullmatch(literal)


KV_TEXT_PROPS = ("text", "hint_text", "title")
ALLOWED_KV_LITERALS = {"RobotoMono-Regular", "Roboto"}  # font names, not text


def test_no_hard_coded_text_in_kv_files() -> None:
    """kv text-like values are translations (app.t), data (root./self.) or symbols."""
    bad = []
    for path in APP.glob("screens/*.kv"):
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            m = re.match(r"\s*(\w+):\s*(.+)$", line)
            if not m or m.group(1) not in KV_TEXT_PROPS:
                continue
            for a, b in re.findall(r'"([^"]*)"|\'([^\']*)\'', m.group(2)):
                lit = (a or b).encode("utf-8").decode("unicode_escape")  # kv keeps "\\u25cf" escapes
                if is_user_text(lit) and lit not in ALLOWED_KV_LITERALS:
                    bad.append(f"{path.name}:{n}: {line.strip()}")
    assert not bad, "hard-coded user-facing text:\n" + "\n".join(bad)


def test_no_hard_coded_text_in_screen_modules() -> None:
    """No string literal with words is given to a widget as its text in screens/*.py."""
    bad = []
    for path in [*APP.glob("screens/*.py"), APP / "main.py"]:
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg in KV_TEXT_PROPS:
                vals = [node.value]
            elif isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Attribute) and t.attr in (*KV_TEXT_PROPS, "error", "notice", "progress",
                                                               "hint", "wait_text") for t in node.targets):
                vals = [node.value]
            else:
                continue
            for v in vals:
                for sub in ast.walk(v):
                    if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and is_user_text(sub.value):
                        bad.append(f"{path.name}:{sub.lineno}: {sub.value!r}")
    assert not bad, "hard-coded user-facing text:\n" + "\n".join(bad)


def test_the_checkers_catch_hard_coded_text() -> None:
    assert is_user_text("Scan") and is_user_text("Show this to the staff") and is_user_text("Réglages")
    assert not is_user_text("home.scan") and not is_user_text("no_code") and not is_user_text("\u2713")


def test_translator_fallbacks_and_dates() -> None:
    fr = Translator("fr")
    assert fr("home.scan") == "Scanner"
    assert fr("no.such.key") == "no.such.key"
    assert fr("check.prompt") == "Groupe {n}"  # a missing placeholder never raises
    assert fr.date(dt.date(2026, 12, 1)) == "1 déc. 2026"
    assert Translator("en").date(dt.date(2027, 3, 9)) == "9 Mar 2027"
    assert Translator("xx").lang == "en"
    assert available_languages() == {"en": "English", "fr": "Français", "ar": "العربية"}


@pytest.mark.parametrize("lang", LANGS)
def test_every_reason_the_wallet_can_show_has_words(lang: str) -> None:
    """Every member of every reason enum that can reach a wallet screen (wallet_app.reasons.SHOWN)."""
    cat = catalog(lang)
    assert sum(len(group) for group in SHOWN) > 100  # the enums, not a hand-written list
    missing = sorted({f"error.{r}" for group in SHOWN for r in group} - set(cat))
    assert not missing, f"{lang}: {missing}"


def test_the_wallet_raises_only_reasons_it_can_show() -> None:
    """Each enum named in a ``reason=`` of the wallet's code is one of SHOWN."""
    shown = {group.__name__ for group in SHOWN}
    named = set()
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "reason":
                for sub in ast.walk(node.value):
                    if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name) \
                            and sub.value.id.endswith("Reason"):
                        named.add(sub.value.id)
    assert {"WalletReason", "VaultReason"} <= named
    assert named <= shown, named - shown


def test_an_unknown_reason_is_shown_as_such() -> None:
    for lang in LANGS:
        t = Translator(lang)
        text = error_text(t, CredentialError("x", reason="reason_from_the_future"))
        assert "reason_from_the_future" in text and text != t("error.generic")
        assert error_text(t, CredentialError("x", reason="unknown_issuer")) == t("error.unknown_issuer")
        assert error_text(t, ValueError("no reason")) == t("error.generic")


def shipped_schemas() -> list[object]:
    """Every schema definition the SDK ships (sdk/credential/schemas/*.json), read from the files."""
    from importlib import resources

    from sdk.credential.schema import Schema

    folder = resources.files("sdk.credential").joinpath("schemas")
    return [Schema.from_json(f.read_text("utf-8")) for f in folder.iterdir() if f.name.endswith(".json")]


@pytest.mark.parametrize("lang", LANGS)
def test_every_schema_attribute_has_words(lang: str) -> None:
    """Cards, consent and history name each card, attribute and category in the person's
    language: the schemas carry English and French only, so the files carry ``schema.<id>``,
    ``attribute.<name>`` for every attribute a card can show and ``enum.<name>.<value>`` for
    every category."""
    from wallet_app.words import attribute_label, value_text

    schemas = shipped_schemas()
    attrs = [a for s in schemas for a in s.attributes if not a.hidden]  # type: ignore[attr-defined]
    assert len(schemas) >= 2 and {"household_size", "region", "valid_until"} <= {a.name for a in attrs}
    table = catalog(lang)
    missing = sorted({key for a in attrs for key in (f"attribute.{a.name}", *(f"enum.{a.name}.{v}" for v in a.values))
                      if key not in table})
    assert not missing, missing
    missing = sorted({f"schema.{s.id}" for s in schemas} - set(table))  # type: ignore[attr-defined]
    assert not missing, missing  # card titles
    t = Translator(lang)
    if lang == "ar":
        from wallet_app.words import schema_title

        assert all(re.search("[\u0600-\u06ff]", schema_title(t, s)) for s in schemas)  # type: ignore[arg-type]
    for a in attrs:
        label = attribute_label(t, a)
        assert label.strip() and label != a.name
        if lang == "ar":
            assert re.search("[\u0600-\u06ff]", label) and not re.search("[A-Za-z]", label), (a.name, label)
            for v in a.values:
                assert not re.search("[A-Za-z]", value_text(t, a, v)), (a.name, v)
        elif dict(a.labels).get(lang):
            assert label == dict(a.labels)[lang]  # the schema's own wording wins where it has one
