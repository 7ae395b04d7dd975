"""Remove a card from this phone, after saying what that means."""

from __future__ import annotations

from typing import Any

from kivy.properties import ObjectProperty

from wallet_app.screens.widgets import WalletScreen


class RemoveCardScreen(WalletScreen):
    view = ObjectProperty(None, allownone=True)  # the CardView to remove (app.removing)

    def on_pre_enter(self, *_a: Any) -> None:
        self.error = ""
        self.view = self.app.removing

    def confirm(self) -> None:
        if self.view is None:
            self.app.go("home")
            return
        card_id = self.view.id

        def done(_r: Any) -> None:
            self.app.removing = None
            self.view = None
            self.app.go("home")

        self.run_async(lambda: self.app.service.remove_card(card_id), done)

    def cancel(self) -> None:
        self.app.removing = None
        self.app.go("home")
