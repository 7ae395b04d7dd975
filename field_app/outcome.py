"""Three kinds of result for the big screen: YES, TRY AGAIN, NO (issue 17).

A busy field worker must never turn an honest person away because a code was blurred, or
because the person answered an older request. So every reason a check can give is sorted
into one of three kinds:

- YES: enrolled. Go ahead; the app returns to scanning by itself.
- TRY AGAIN (amber): the code, not the person, failed: unreadable, not a zkaid code, damaged,
  not an answer, or an answer to another or an expired request. The big button scans again for
  the same person (or shows a new request first, when the old one cannot be answered again).
- NO (red): the person's card was checked and refused (or the device cannot check anyone):
  the screen says why and what to do next.

A reason this app has never heard of (a newer SDK) is a NO: refusing wrongly is recoverable
at a desk; enrolling wrongly is not. Kivy-free: the screen, the tests and the command line
share it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from field_app.i18n import Translator
from field_app.present import display_agency, local_text
from field_app.reasons import CHECK_REASONS, CheckReason
from field_app.service import Result
from sdk.reasons import VerifyReason
from sdk.trust import TrustList

__all__ = [
    "ASK_AGAIN",
    "SCAN_AGAIN",
    "Outcome",
    "OutcomeView",
    "agency_name",
    "all_check_reasons",
    "classify",
    "local_time",
    "outcome_view",
    "retry_action",
]


class Outcome(StrEnum):
    YES = "yes"
    TRY_AGAIN = "try_again"
    NO = "no"


# The code could not be used: scan the same phone again.
SCAN_AGAIN: frozenset[str] = frozenset({
    CheckReason.UNREADABLE, CheckReason.FOREIGN, CheckReason.NOT_PRESENTATION, CheckReason.MALFORMED,
    VerifyReason.MALFORMED,
})
# The answer is for another (or an expired) request: show a new request to the same person.
ASK_AGAIN: frozenset[str] = frozenset({
    CheckReason.REQUEST_MISMATCH, CheckReason.REQUEST_EXPIRED, CheckReason.WRONG_SCOPE,
    VerifyReason.REQUEST_MISMATCH, VerifyReason.DISCLOSURE_MISMATCH,
})


def classify(reason: str) -> Outcome:
    if reason == CheckReason.ENROLLED:
        return Outcome.YES
    if reason in SCAN_AGAIN or reason in ASK_AGAIN:
        return Outcome.TRY_AGAIN
    return Outcome.NO


def retry_action(reason: str) -> str:
    """What TRY AGAIN's big button does: "scan" (same request) or "ask" (a new request)."""
    return "ask" if reason in ASK_AGAIN else "scan"


def all_check_reasons() -> Iterator[str]:
    """Every reason a check can answer (the enums of :data:`CHECK_REASONS`)."""
    seen: set[str] = set()
    for enum in CHECK_REASONS:
        for member in enum:
            if member.value not in seen:
                seen.add(member.value)
                yield member.value


def agency_name(trust_list: TrustList | None, agency: str) -> str:
    """The agency's name as the trust list spells it (:func:`field_app.present.display_agency`)."""
    return display_agency(trust_list, agency)


def local_time(ts: int, tr: Translator, *, tz: dt.tzinfo | None = None) -> str:
    """'1 Dec 2026, 14:05' in the device's own time zone (or ``tz``), in the app's language."""
    return local_text(ts, tr, tz=tz)


@dataclass(frozen=True)
class OutcomeView:
    outcome: Outcome
    verdict: str  # YES / TRY AGAIN / NO in the device's language
    icon: str  # a shape drawn by the screen: "tick", "retry" or "cross"
    headline: str
    message: str
    next_step: str  # what TRY AGAIN's or NO's big button does, in words
    button: str  # the big button's label
    action: str  # "next" (new person), "scan" (same request) or "ask" (new request, same person)


def outcome_view(result: Result, tr: Translator, *, trust_list: TrustList | None = None,
                 tz: dt.tzinfo | None = None) -> OutcomeView:
    outcome = classify(result.reason)
    key = result.reason if tr.has(f"reason.{result.reason}") else "unknown"
    args: dict[str, str] = {"reason": str(result.reason)}
    if result.first is not None:
        first = result.first
        args["agency"] = agency_name(trust_list, first.agency)
        args["date"] = local_time(first.at, tr, tz=tz)
        when = dt.datetime.fromtimestamp(first.at, dt.UTC).astimezone(tz)
        args["time"] = f"{when.hour:02d}:{when.minute:02d}"
    # the screen's own wording first (local times, display names), else the shared one
    message = tr(f"result.reason.{key}" if tr.has(f"result.reason.{key}") else f"reason.{key}", **args)
    if outcome is Outcome.YES:
        return OutcomeView(outcome, tr("result.yes"), "tick", tr(f"headline.{key}"), message, "",
                           tr("result.next"), "next")
    if outcome is Outcome.TRY_AGAIN:
        action = retry_action(result.reason)
        return OutcomeView(outcome, tr("result.try_again"), "retry", tr(f"headline.{key}"), message,
                           tr(f"result.try_again.{action}"), tr(f"result.button.{action}"), action)
    return OutcomeView(outcome, tr("result.no"), "cross", tr(f"headline.{key}"), message,
                       tr("result.no.next"), tr("result.next"), "next")
