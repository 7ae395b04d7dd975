"""The answer, big: YES (green), TRY AGAIN (amber) or NO (red), each with its own icon,
word, sound and vibration (field_app.outcome sorts reasons into the three kinds).

YES goes back to the next person by itself after a few seconds; TRY AGAIN's big button scans
the same person again (or shows them a new request first); NO says why and what to do next.
"""

from __future__ import annotations

import math
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.screenmanager import Screen

from field_app.outcome import Outcome, outcome_view
from field_app.present import result_view
from field_app.service import Result

__all__ = ["VIBRATION", "FieldResultScreen"]

# Seconds on, off, on, ...: one short buzz for YES, three quick ones for TRY AGAIN, two long for NO.
VIBRATION: dict[Outcome, tuple[float, ...]] = {
    Outcome.YES: (0.15,),
    Outcome.TRY_AGAIN: (0.08, 0.08, 0.08, 0.08, 0.08),
    Outcome.NO: (0.5, 0.25, 0.5),
}


class FieldResultScreen(Screen):  # Kivy ships no type hints
    outcome = StringProperty("")
    icon = StringProperty("")
    verdict = StringProperty("")
    headline = StringProperty("")
    message = StringProperty("")
    next_step = StringProperty("")
    button = StringProperty("")
    action = StringProperty("next")
    details = StringProperty("")
    conditions = StringProperty("")
    warning = StringProperty("")
    reason = StringProperty("")
    countdown = NumericProperty(0)

    result: Result | None = None
    _auto: Any = None

    @property
    def ok(self) -> bool:
        return bool(self.outcome == Outcome.YES)

    @property
    def can_retry(self) -> bool:
        return bool(self.outcome == Outcome.TRY_AGAIN)

    def show(self, result: Result, *, signal: bool = True) -> None:
        app = App.get_running_app()
        tr = app.tr
        svc = app.service
        self.result = result
        view = outcome_view(result, tr, trust_list=svc.trust_list)
        words = result_view(result, tr)  # disclosed values, conditions and the trust-list warning
        self.outcome, self.icon, self.verdict = view.outcome.value, view.icon, view.verdict
        self.headline, self.message, self.next_step = view.headline, view.message, view.next_step
        self.button, self.action, self.reason = view.button, view.action, str(result.reason)
        shown = "\n".join(f"[b]{label}[/b]: {value}" for label, value in words.details)
        self.details = (f"[b]{tr('result.disclosed')}[/b]\n{shown}" if shown else tr("result.nothing_disclosed")) \
            if result.ok else ""
        self.conditions = (f"[b]{tr('result.conditions')}[/b]\n" + "\n".join(f"- {c}" for c in words.conditions)) \
            if words.conditions else ""
        self.warning = words.warning
        if signal:
            app.signal(view.outcome, VIBRATION[view.outcome])

    def on_pre_enter(self, *_: Any) -> None:
        if self.result is not None:  # the language may have changed
            self.show(self.result, signal=False)

    def on_enter(self, *_: Any) -> None:
        self._cancel_auto()
        seconds = App.get_running_app().auto_next_seconds
        if self.outcome == Outcome.YES and seconds > 0:
            self.countdown = math.ceil(seconds)
            self._auto = Clock.schedule_once(lambda _dt: self.next_person(), seconds)

    def on_leave(self, *_: Any) -> None:
        self._cancel_auto()

    def _cancel_auto(self) -> None:
        if self._auto is not None:
            self._auto.cancel()
            self._auto = None
        self.countdown = 0

    def primary(self) -> None:
        """The big button."""
        if self.action == "scan":
            self.scan_again()
        elif self.action == "ask":
            self.ask_again()
        else:
            self.next_person()

    def next_person(self) -> None:
        self._cancel_auto()
        app = App.get_running_app()
        if app is not None:  # a timer may outlive the app (it stopped meanwhile)
            app.next_person()

    def scan_again(self) -> None:
        """Same person, same request: the camera again."""
        App.get_running_app().go("scan")

    def ask_again(self) -> None:
        """Same person, new request: their answer was for an old or expired one."""
        App.get_running_app().next_person()
