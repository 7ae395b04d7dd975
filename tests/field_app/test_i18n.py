"""Every word on screen comes from field_app/i18n, in English and French alike."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from field_app.i18n import LANGUAGES, Translator, table
from field_app.reasons import CHECK_REASONS, SETUP_REASONS, ReadyState, SetupReason, SyncState

APP = Path(__file__).resolve().parents[2] / "field_app"
KEY_CALL = re.compile(r"""\b(?:t|tr|has)\(\s*['"]([a-z_]+(?:\.[a-z_]+)+)['"]""")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_languages_are_the_files_shipped() -> None:
    shipped = sorted(p.stem for p in (APP / "i18n").glob("*.json"))
    assert sorted(LANGUAGES) == shipped and LANGUAGES[0] == "en" and len(shipped) >= 2


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
    """Keys built from a code (f"reason.{reason}"): every member of every enum the screens
    put into words, so a new code without words fails here."""
    keys = {f"{prefix}.{r}" for group in CHECK_REASONS for r in group for prefix in ("reason", "headline")}
    keys |= {"reason.unknown", "headline.unknown"}  # a code a newer SDK raises
    keys |= {f"setup.error.{r}" for group in SETUP_REASONS for r in group}
    keys |= {f"ready.{s}" for s in ReadyState} | {f"sync.{s}" for s in SyncState}
    keys |= {f"signing.{s}" for s in ("none", "unregistered", "registered")}
    keys |= {f"predicate.{op}.{kind}" for op in ("ge", "le", "between") for kind in ("number", "date")}
    keys |= {f"scan.hint.{h}" for h in ("no_code", "unreadable", "several", "foreign", "damaged", "keep_going",
                                        "starting")}
    return keys


def test_every_setup_error_raised_is_a_setup_reason() -> None:
    """The enums are the real set: each SetupError raised in the app names a SetupReason."""
    raised = set()
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "SetupError":
                for kw in node.keywords:
                    if kw.arg == "reason":
                        assert isinstance(kw.value, ast.Attribute), f"{path.name}:{node.lineno}"
                        assert getattr(kw.value.value, "id", "") == "SetupReason", f"{path.name}:{node.lineno}"
                        raised.add(SetupReason[kw.value.attr])
    assert {SetupReason.MISSING_AGENCY, SetupReason.BAD_PREDICATE, SetupReason.NO_ISSUER} <= raised


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


def shipped_schemas() -> list[object]:
    """Every schema definition the SDK ships (sdk/credential/schemas/*.json), read from the files
    themselves: a new schema or a new attribute is in this set without anyone listing it."""
    from importlib import resources

    from sdk.credential.schema import Schema

    folder = resources.files("sdk.credential").joinpath("schemas")
    return [Schema.from_json(f.read_text("utf-8")) for f in folder.iterdir() if f.name.endswith(".json")]


def test_every_schema_attribute_has_words_in_every_language() -> None:
    """The result screen names each disclosed attribute, and each condition's attribute, in the
    device's language: the schemas carry English and French only, so the app's files carry the
    word (``attribute.<name>``) for every attribute that can be shown, and a word for every
    category (``enum.<name>.<value>``), in every language shipped."""
    from field_app.present import attribute_label

    schemas = shipped_schemas()
    attrs = {a.name: a for s in schemas for a in s.attributes if not a.hidden}  # type: ignore[attr-defined]
    assert len(schemas) >= 2 and {"household_size", "region", "valid_until"} <= set(attrs)
    missing = [f"{lang}: {key}" for lang in LANGUAGES for a in attrs.values()
               for key in (f"attribute.{a.name}", *(f"enum.{a.name}.{v}" for v in a.values))
               if key not in table(lang)]
    assert not missing, missing
    for lang in LANGUAGES:
        tr = Translator(lang)
        for schema in schemas:
            for a in schema.attributes:  # type: ignore[attr-defined]
                if a.hidden:
                    continue
                label = attribute_label(schema, a.name, tr)  # type: ignore[arg-type]
                assert label != a.name and label.strip(), f"{lang} {a.name}"
                if lang == "ar":
                    assert re.search("[\u0600-\u06ff]", label), f"ar {a.name}: {label!r}"
                    assert re.search("[A-Za-z]", label) is None, f"ar {a.name}: {label!r}"


def test_the_result_screen_names_attributes_in_the_device_language() -> None:
    """A YES in Arabic lists "المنطقة: الشمال", not "Region: الشمال"; the schema's own French
    word still wins in French (the agency's wording)."""
    import datetime as dt

    from field_app.checking import Result
    from field_app.present import result_view
    from sdk.credential import household_schema
    from sdk.credential.schema import date_to_days

    schema = household_schema(2)
    yes = Result(ok=True, reason="enrolled", checked_at=0, schema=schema,
                 disclosed={"region": "north", "household_size": 6},
                 predicates=(("valid_until", "ge", (date_to_days(dt.date(2026, 12, 1)),)),))
    ar = result_view(yes, Translator("ar"))
    assert ar.details == (("المنطقة", "الشمال"), ("عدد أفراد الأسرة", "6"))
    assert ar.conditions[0].startswith("صالحة حتى"), ar.conditions
    fr = result_view(yes, Translator("fr"))
    assert fr.details[0] == (schema.attribute("region").label("fr"), "Nord")
    en = result_view(yes, Translator("en"))
    assert en.details[0] == ("Region", "North") and en.conditions[0].startswith("Valid until")
