"""The recovery code, shown once, in numbered groups, to be written on paper."""

from __future__ import annotations

from typing import Any

from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout

from wallet_app.screens.widgets import WalletScreen


class CodeGroup(BoxLayout):
    number = StringProperty("")
    group = StringProperty("")


class RecoveryShowScreen(WalletScreen):
    def on_pre_enter(self, *_a: Any) -> None:
        grid = self.ids.groups
        grid.clear_widgets()
        onboarding = self.app.onboarding
        if onboarding is None:
            return
        for i, group in enumerate(onboarding.groups, start=1):
            grid.add_widget(CodeGroup(number=str(i), group=group))

    def on_leave(self, *_a: Any) -> None:
        self.ids.groups.clear_widgets()  # do not keep the code on a hidden screen

    def written(self) -> None:
        self.app.go("recovery_check")
