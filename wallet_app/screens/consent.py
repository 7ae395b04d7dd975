"""Consent: who asks, why, what will be shown, what will be proven without showing.

Nothing is computed for the requester until "Share" is pressed; "No" is one tap and
forgets the request.
"""

from __future__ import annotations

from typing import Any

from kivy.factory import Factory
from kivy.properties import BooleanProperty, ObjectProperty

from wallet_app.screens.widgets import ItemRow, ProvenRow, WalletScreen


class ConsentScreen(WalletScreen):
    view = ObjectProperty(None, allownone=True)
    # an unverified requester: a warning layout, "No" is the big safe choice, no green Share
    unverified = BooleanProperty(False)

    def on_view(self, _w: Any, view: Any) -> None:
        self.unverified = view is not None and not view.verified

    def on_pre_enter(self, *_a: Any) -> None:
        self.error = ""
        self.view = self.app.service.pending_consent
        shown, proven, warnings = self.ids.shown, self.ids.proven, self.ids.warnings
        for box in (shown, proven, warnings):
            box.clear_widgets()
        if self.view is None:
            return
        for item in self.view.shown:
            shown.add_widget(ItemRow(label=item.label, value=item.value))
        for sentence in self.view.proven:
            proven.add_widget(ProvenRow(text=sentence))
        for w in self.view.warnings:
            warnings.add_widget(Factory.WarnBanner(text=w))

    def decline(self) -> None:
        self.app.service.decline()
        self.view = None
        self.app.go("home")

    def accept(self) -> None:
        def done(codes: Any) -> None:
            self.app.codes = codes
            self.view = None
            self.app.go("present")

        self.run_async(self.app.service.accept, done)
