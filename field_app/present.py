"""Words for what the service returns: the result, freshness, sync and conflicts.

The screens and the command line show the same sentences, so they are made here, from the
translation tables, without Kivy. Screens only put these strings into labels.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from field_app.i18n import Translator, table
from field_app.ledger import Conflict, LedgerStats
from field_app.service import Readiness, Result, SyncReport
from sdk.credential import Schema
from sdk.credential.schema import days_to_date
from sdk.errors import CredentialError
from sdk.trust import Freshness, FreshnessState, TrustList

__all__ = [
    "ResultView",
    "attribute_label",
    "conflict_text",
    "display_agency",
    "format_time",
    "freshness_text",
    "local_text",
    "predicate_text",
    "readiness_text",
    "result_view",
    "stats_text",
    "sync_text",
    "value_text",
]


def format_time(ts: int | None, *, with_time: bool = True) -> str:
    """UTC, ISO style: the same on every device of every agency (the command line, logs)."""
    if ts is None:
        return "-"
    when = dt.datetime.fromtimestamp(ts, dt.UTC)
    return when.strftime("%Y-%m-%d %H:%M UTC") if with_time else when.date().isoformat()


def local_text(ts: int | None, tr: Translator, *, tz: dt.tzinfo | None = None) -> str:
    """'1 Dec 2026, 14:05': the device's own time zone (or ``tz``), in the app's language, for
    the screens: what the worker reads on the wall clock."""
    if ts is None:
        return "-"
    return tr.datetime(dt.datetime.fromtimestamp(ts, dt.UTC).astimezone(tz))


def _when(ts: int | None, tr: Translator, local: bool, tz: dt.tzinfo | None) -> str:
    return local_text(ts, tr, tz=tz) if local else format_time(ts)


def display_agency(trust_list: TrustList | None, agency: str) -> str:
    """The agency's name as the trust list spells it (its referral key entries carry it);
    the id when the list does not name that agency."""
    if trust_list is not None:
        for entry in trust_list.payload.referral_keys or ():
            if entry.agency == agency and entry.name:
                return str(entry.name)
    return agency


def attribute_label(schema: Schema | None, name: str, tr: Translator) -> str:
    """An attribute's name as the worker reads it. The schema's own word in the app's language
    comes first (the agency's wording); for a language the schema does not carry (the shipped
    schemas have English and French; Arabic lives in the app) the app's ``attribute.<name>``;
    then the schema's English word; then the raw name."""
    attr = None
    if schema is not None:
        try:
            attr = schema.attribute(name)
        except CredentialError:
            attr = None
    own = dict(attr.labels).get(tr.lang) if attr is not None else None
    if own:
        return own
    key = f"attribute.{name}"
    if key in table(tr.lang):
        return tr(key)
    return attr.label(tr.lang) if attr is not None else tr.get(key, name)


def value_text(value: Any, tr: Translator, attribute: str = "") -> str:
    """A disclosed value. With its ``attribute`` (the screens), as the worker reads it:
    categories in words (``enum.<attribute>.<value>``), dates in the app's language; without
    (the command line's machine-readable columns), the raw value."""
    if isinstance(value, bool):
        return tr("value.yes") if value else tr("value.no")
    if isinstance(value, dt.date):
        return tr.date(value) if attribute else value.isoformat()
    if attribute and isinstance(value, str) and tr.has(f"enum.{attribute}.{value}"):
        return tr(f"enum.{attribute}.{value}")
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def predicate_text(schema: Schema | None, pred: tuple[str, str, tuple[int, ...]], tr: Translator,
                   *, words: bool = False) -> str:
    """"Household size: at least 5", "Valid until: 2026-12-01 or later" ("1 Dec 2026" with
    ``words``, for the screens)."""
    name, op, bounds = pred
    is_date = False
    if schema is not None:
        try:
            is_date = schema.attribute(name).type == "date"
        except CredentialError:
            is_date = False
    shown = [(tr.date(days_to_date(b)) if words else days_to_date(b).isoformat()) if is_date else str(b)
             for b in bounds]
    kind = "date" if is_date else "number"
    args = {"label": attribute_label(schema, name, tr), "a": shown[0], "b": shown[-1]}
    return tr(f"predicate.{op}.{kind}", **args)


@dataclass(frozen=True)
class ResultView:
    ok: bool
    verdict: str  # "YES" / "NO" in the language of the device
    headline: str
    message: str
    details: tuple[tuple[str, str], ...]  # disclosed attributes (label, value)
    conditions: tuple[str, ...]  # conditions that held
    warning: str  # trust list warning, or ""


def result_view(result: Result, tr: Translator) -> ResultView:
    schema = result.schema
    details: tuple[tuple[str, str], ...] = ()
    conditions: tuple[str, ...] = ()
    if result.ok:
        details = tuple((attribute_label(schema, k, tr), value_text(v, tr, k)) for k, v in result.disclosed.items())
        conditions = tuple(predicate_text(schema, p, tr, words=True) for p in result.predicates)
    warning = ""
    if result.freshness is not None and result.freshness.state is not FreshnessState.FRESH:
        warning = freshness_text(result.freshness, tr)
    return ResultView(
        ok=result.ok,
        verdict=tr("result.yes") if result.ok else tr("result.no"),
        headline=tr(result.headline_key),
        message=tr(result.message_key, **result.message_args),
        details=details,
        conditions=conditions,
        warning=warning,
    )


def freshness_text(f: Freshness | None, tr: Translator, *, local: bool = False, tz: dt.tzinfo | None = None) -> str:
    """The trust-list banner; ``local``: the device's time zone (screens), else UTC (command line)."""
    if f is None:
        return tr("freshness.none")
    if f.state is FreshnessState.FRESH:
        return tr("freshness.fresh", until=_when(f.next_update, tr, local, tz))
    if f.state is FreshnessState.STALE:
        hours = max(0, (f.grace_ends - f.now) // 3600)
        return tr("freshness.stale", hours=hours, until=_when(f.grace_ends, tr, local, tz))
    return tr("freshness.expired", since=_when(f.grace_ends, tr, local, tz))


def readiness_text(r: Readiness, tr: Translator) -> str:
    return tr(f"ready.{r.state}")


def stats_text(s: LedgerStats | None, tr: Translator, *, local: bool = False, tz: dt.tzinfo | None = None) -> str:
    if s is None:
        return ""
    return tr("stats.line", local=s.local, unsynced=s.unsynced, remote=s.remote,
              conflicts=s.open_conflicts, last=_when(s.last_sync, tr, local, tz))


def sync_text(report: SyncReport, tr: Translator, *, local: bool = False, tz: dt.tzinfo | None = None) -> str:
    text = tr(report.message_key, uploaded=report.uploaded, accepted=report.accepted,
              received=report.received, conflicts=report.new_conflicts, at=_when(report.at, tr, local, tz),
              detail=report.detail.split(":", 1)[0] if report.detail else "-")
    if report.trust_list_updated:
        text += " " + tr("sync.trust_list_updated")
    return text


def conflict_text(c: Conflict, own_agency: str, tr: Translator, *, trust_list: TrustList | None = None,
                  local: bool = False, tz: dt.tzinfo | None = None) -> str:
    """One duplicate; agencies by the names the trust list gives them (ids without one)."""
    first = tr("conflict.us") if c.first_agency == own_agency else display_agency(trust_list, c.first_agency)
    second = tr("conflict.us") if c.second_agency == own_agency else display_agency(trust_list, c.second_agency)
    return tr("conflict.line", ref=c.pseudonym.hex()[:12], scope=c.scope, first=first,
              first_at=_when(c.first_enrolled_at, tr, local, tz), second=second,
              second_at=_when(c.second_enrolled_at, tr, local, tz))
