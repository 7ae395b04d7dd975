"""The answer, big: YES or NO, why, what was shown, and one tap to the next person."""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import Screen

from field_app.present import result_view
from field_app.service import Result

__all__ = ["RETRYABLE", "FieldResultScreen"]

# Reasons where scanning the same answer again may help (the code, not the person, failed).
RETRYABLE = frozenset({"unreadable", "foreign", "not_presentation", "malformed"})


class FieldResultScreen(Screen):  # Kivy ships no type hints
    ok = BooleanProperty(False)
    verdict = StringProperty("")
    headline = StringProperty("")
    message = StringProperty("")
    details = StringProperty("")
    conditions = StringProperty("")
    warning = StringProperty("")
    took = StringProperty("")
    reason = StringProperty("")
    can_retry = BooleanProperty(False)

    result: Result | None = None

    def show(self, result: Result) -> None:
        app = App.get_running_app()
        tr = app.tr
        self.result = result
        view = result_view(result, tr)
        self.ok, self.verdict, self.headline, self.message = view.ok, view.verdict, view.headline, view.message
        self.reason = result.reason
        shown = "\n".join(f"[b]{label}[/b]: {value}" for label, value in view.details)
        self.details = (f"[b]{tr('result.disclosed')}[/b]\n{shown}" if shown else tr("result.nothing_disclosed")) \
            if view.ok else ""
        self.conditions = (f"[b]{tr('result.conditions')}[/b]\n" + "\n".join(f"- {c}" for c in view.conditions)) \
            if view.conditions else ""
        self.warning = view.warning
        self.took = tr("result.took", ms=f"{result.elapsed_ms:.0f}") if result.elapsed_ms else ""
        self.can_retry = not result.ok and result.reason in RETRYABLE

    def on_pre_enter(self, *_: Any) -> None:
        if self.result is not None:  # the language may have changed
            self.show(self.result)

    def next_person(self) -> None:
        App.get_running_app().next_person()

    def scan_again(self) -> None:
        App.get_running_app().go("scan")
