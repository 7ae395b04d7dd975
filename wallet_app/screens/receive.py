"""Receive a card: from a scanned offer (automatic) or a short code typed by the person."""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty

from wallet_app.screens.widgets import CardWidget, WalletScreen


class ReceiveScreen(WalletScreen):
    done = BooleanProperty(False)

    def on_pre_enter(self, *_a: Any) -> None:
        self.error = ""
        self.done = False
        self.ids.result.clear_widgets()

    def on_enter(self, *_a: Any) -> None:
        data = self.app.scanned
        if data is not None:
            self.app.scanned = None
            self.run_async(lambda: self.app.service.receive_offer(data), self.received)

    def submit(self) -> None:
        if self.done:
            self.app.go("home")
            return
        code = self.ids.code.text
        self.error = ""
        self.run_async(lambda: self.app.service.receive_code(code), self.received)

    def received(self, view: Any) -> None:
        self.done = True
        self.ids.code.text = ""
        self.ids.result.clear_widgets()
        self.ids.result.add_widget(CardWidget(view=view))
