"""Every word on screen comes from field_app/i18n, in English and French alike."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from field_app.i18n import LANGUAGES, Translator, table
from field_app.service import NO_REASONS

APP = Path(__file__).resolve().parents[2] / "field_app"
KEY_CALL = re.compile(r"""\b(?:t|tr|has)\(\s*['"]([a-z_]+(?:\.[a-z_]+)+)['"]""")
SETUP_REASON = re.compile(r"""SetupError\((?:[^()]|\([^()]*\))*?reason="([a-z_]+)\"""", re.S)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_languages_have_the_same_keys_and_placeholders() -> None:
    en = table("en")
    for lang in LANGUAGES:
        other = table(lang)
        assert set(other) == set(en), f"{lang}: {sorted(set(other) ^ set(en))}"
        for key, text in en.items():
            assert placeholders(other[key]) == placeholders(text), f"{lang} {key}"
            assert other[key].strip(), f"{lang} {key} is empty"


def used_keys() -> set[str]:
    keys: set[str] = set()
    for path in [*APP.rglob("*.py"), *APP.rglob("*.kv")]:
        keys |= set(KEY_CALL.findall(path.read_text("utf-8")))
    return keys


def dynamic_keys() -> set[str]:
    """Keys built from a code (f"reason.{reason}"): every code that can occur."""
    keys = {f"reason.{r}" for r in (*NO_REASONS, "enrolled")} | {f"headline.{r}" for r in (*NO_REASONS, "enrolled")}
    keys |= {f"ready.{s}" for s in ("ready", "not_set_up", "no_trust_list", "trust_list_expired")}
    keys |= {f"sync.{s}" for s in ("synced", "offline", "refused", "no_service", "not_set_up")}
    keys |= {f"signing.{s}" for s in ("none", "unregistered", "registered")}
    keys |= {f"predicate.{op}.{kind}" for op in ("ge", "le", "between") for kind in ("number", "date")}
    keys |= {f"scan.hint.{h}" for h in ("no_code", "unreadable", "several", "foreign", "damaged", "keep_going",
                                        "starting")}
    setup_reasons = set()
    for path in APP.rglob("*.py"):
        setup_reasons |= set(SETUP_REASON.findall(path.read_text("utf-8")))
    assert {"missing_agency", "bad_predicate", "no_issuer"} <= setup_reasons  # the scan found them
    # trust-list refusals the setup screen explains too (sdk.trust.load_trust_list, rollback)
    setup_reasons |= {"malformed", "unknown_signer", "bad_signature", "rollback", "offline"}
    keys |= {f"setup.error.{r}" for r in setup_reasons}
    return keys


def test_every_key_the_app_asks_for_exists() -> None:
    en = table("en")
    missing = sorted((used_keys() | dynamic_keys()) - set(en))
    assert not missing, missing
    assert len(used_keys()) > 40  # the scan found the calls


def test_no_words_are_written_in_layouts_or_screens() -> None:
    literal_text = re.compile(r"""^\s*(text|hint_text|title)\s*:\s*['"][^'"]*[A-Za-z]""", re.M)
    for kv in APP.rglob("*.kv"):
        found = literal_text.findall(kv.read_text("utf-8"))
        assert not found, f"{kv.name} has literal text: use app.t(key, app.lang)"
    words = re.compile(r"[A-Za-z]{2,}[,.;:!?'-]?\s+[A-Za-z]{2,}")
    for py in (APP / "screens").glob("*.py"):
        tree = ast.parse(py.read_text("utf-8"))
        docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                      if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef)) and n.body
                      and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                assert not words.search(node.value), f"{py.name}: {node.value!r} should be a translation key"


def test_translator_falls_back_and_formats() -> None:
    fr = Translator("fr")
    assert fr("result.yes") == "OUI"
    assert fr("reason.already_enrolled_elsewhere", agency="agency-a", date="2026-11-28").startswith(
        "Cette personne a déjà été inscrite chez agency-a le 2026-11-28")
    assert Translator("xx").lang == "en"
    assert fr("no.such.key") == "no.such.key"
    assert fr("stats.line", local=1) .count("{") >= 1  # missing values stay visible, no crash
    with pytest.raises(KeyError):
        table("de")
