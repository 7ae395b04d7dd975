"""Attributes, values and predicates in plain words, in the person's language.

A beneficiary must understand, before agreeing, exactly what the phone will show and what
it will prove without showing. Attribute labels come from the schema (which carries them
per language); values and conditions are phrased from the translation files. A schema
attribute may have its own phrasing (``predicate.<attribute>.<op>``, e.g. "Head of
household born on or before 1 Dec 1966 (aged 60 or more)"); any other integer or date
attribute gets a generic sentence (``predicate.<int|date>.<op>``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sdk.credential.schema import Attribute, Schema, days_to_date
from wallet_app.i18n import Translator, catalog

__all__ = ["Problem", "age_between", "attribute_label", "error_text", "predicate_text", "problem_view", "schema_title",
           "value_text"]


def schema_title(t: Translator, schema: Schema) -> str:
    """A card's title in the person's language: the schema's own title in that language, else
    ``schema.<id>`` from the translation files, else the schema's English title (or its id)."""
    return _own_or_catalog(t, dict(schema.title).get(t.lang), f"schema.{schema.id}",
                           lambda: schema.display_title(t.lang))


def attribute_label(t: Translator, attr: Attribute) -> str:
    """An attribute's name in the person's language: the schema's own word when the schema has
    this language (the agency's wording); else ``attribute.<name>`` from the translation files
    (the shipped schemas carry English and French only, so Arabic comes from there); else the
    schema's English word."""
    return _own_or_catalog(t, dict(attr.labels).get(t.lang), f"attribute.{attr.name}",
                           lambda: attr.label(t.lang))


def _own_or_catalog(t: Translator, own: str | None, key: str, fallback: Callable[[], str]) -> str:
    """The schema's own word in this language, else ``key`` from the language files, else
    the fallback (the schema's default wording)."""
    if own:
        return own
    return t(key) if key in catalog(t.lang) else fallback()


def error_text(t: Translator, err: BaseException) -> str:
    """What a screen says about an error: the words for its reason (``error.<reason>``);
    "unknown reason: <code>" for a code the language files do not have (never another
    reason's words); a generic sentence for an error that carries no reason at all."""
    reason = str(getattr(err, "reason", "") or "")
    if not reason:
        return t("error.generic")
    key = f"error.{reason}"
    if not t.has(key):
        return t("error.unknown", reason=reason)
    retry = getattr(err, "retry_after", None)
    return t(key, seconds=retry if retry is not None else "")


@dataclass(frozen=True)
class Problem:
    """What a scan screen says when a scan ends without a usable code: what went wrong, the
    detail (the condition the card does not meet, the agencies a request accepts, when it was
    made; or ""), and what to do now (or "" when the words of the error already say it)."""

    text: str
    detail: str
    next_step: str


def problem_view(t: Translator, err: BaseException) -> Problem:
    reason = str(getattr(err, "reason", "") or "")
    detail = getattr(err, "detail", "")
    next_key = f"next.{reason}"
    return Problem(error_text(t, err), detail if isinstance(detail, str) else "",
                   t(next_key) if reason and t.has(next_key) else "")


def value_text(t: Translator, attr: Attribute, value: Any) -> str:
    """A decoded attribute value as a person reads it."""
    if attr.type == "date" and isinstance(value, dt.date):
        return t.date(value)
    if attr.type == "bool":
        return t("value.yes") if value else t("value.no")
    if attr.type == "enum":
        text = str(value)
        return t.get(f"enum.{attr.name}.{text}", text.replace("_", " ").capitalize())
    if attr.type == "bytes" and isinstance(value, bytes):
        return value.hex()[:16] + ("…" if len(value) > 8 else "")
    return str(value)


def age_between(born: dt.date, on: dt.date) -> int:
    """Whole years from ``born`` to ``on``."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _bound(t: Translator, attr: Attribute, raw: int) -> str:
    if attr.type == "date":
        try:
            return t.date(days_to_date(raw))
        except OverflowError:
            return str(raw)
    return str(raw)


def predicate_text(t: Translator, attr: Attribute, op: str, bounds: tuple[int, ...] | list[int],
                   *, on: dt.date | None = None) -> str:
    """One requested condition as a sentence ("Household size is at least 5").

    ``on`` is the day of the request, used for the ``{age}`` placeholder of birth-date
    phrasings: ``born on or before D - 60 years`` reads "aged 60 or more".
    """
    a = _bound(t, attr, bounds[0]) if bounds else ""
    b = _bound(t, attr, bounds[1]) if len(bounds) > 1 else ""
    age = ""
    if attr.type == "date" and bounds and on is not None:
        try:
            age = str(max(0, age_between(days_to_date(bounds[0]), on)))
        except OverflowError:
            age = ""
    label = attribute_label(t, attr)
    values = {"label": label, "a": a, "b": b, "age": age}
    kind = "date" if attr.type == "date" else "int"
    specific = f"predicate.{attr.name}.{op}"
    if t.has(specific):
        return t(specific, **values)
    return t.get(f"predicate.{kind}.{op}", f"{label} {op} {a} {b}".strip(), **values)
