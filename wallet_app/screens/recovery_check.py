"""Check that the code was written down: type back two of its groups."""

from __future__ import annotations

from typing import Any

from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout

from wallet_app.screens.widgets import WalletScreen


class GroupField(BoxLayout):
    prompt = StringProperty("")


class RecoveryCheckScreen(WalletScreen):
    def on_pre_enter(self, *_a: Any) -> None:
        self.error = ""
        box = self.ids.fields
        box.clear_widgets()
        self.inputs: dict[int, Any] = {}
        onboarding = self.app.onboarding
        if onboarding is None:
            return
        for n in onboarding.checks:
            field = GroupField(prompt=self.t("check.prompt", n=n))
            self.inputs[n] = field.ids.entry
            box.add_widget(field)

    def submit(self) -> None:
        app = self.app
        onboarding = app.onboarding
        if onboarding is None or app.new_pin is None:
            app.go("welcome")
            return
        answers = {n: w.text for n, w in self.inputs.items()}
        if not app.service.check_written(onboarding, answers):
            self.error = self.t("check.wrong")
            return
        pin = app.new_pin

        def done(_r: Any) -> None:
            app.new_pin = None
            app.onboarding = None
            app.go("home")

        self.run_async(lambda: app.service.finish_onboarding(onboarding, pin), done)

    def show_again(self) -> None:
        self.app.go("recovery_show")
