"""Referral consent and history: shows what WalletReferrals says, in the person's language.

Reached from the scanner (a caseworker's referral offer) or from the home screen (the
history, where consent can be withdrawn). No referral logic lives here.
"""

from __future__ import annotations

from typing import Any

from kivy.factory import Factory
from kivy.properties import BooleanProperty, ListProperty, ObjectProperty, StringProperty

from sdk.transport import encode as qr_encode
from wallet_app.referrals import (
    ReferralConsentView,
    WalletReferrals,
    is_referral_offer,
    referral_text,
)
from wallet_app.screens.widgets import THEME, WalletScreen
from wallet_app.service import PresentationCodes


class ReferralScreen(WalletScreen):
    view = ObjectProperty(None, allownone=True)
    lines = ListProperty([])
    history = ListProperty([])
    consenting = BooleanProperty(False)
    # the desk's consent request is not signed by a key of the trust list: the warning layout
    unverified = BooleanProperty(False)
    message = StringProperty("")

    def rtext(self, key: str, *_bind: Any, **values: Any) -> str:
        return referral_text(self.app.lang, key, **values)

    def _refs(self) -> WalletReferrals:
        app = self.app
        if getattr(app, "referrals", None) is None:
            app.referrals = WalletReferrals(app.service)
        refs: WalletReferrals = app.referrals
        return refs

    def on_pre_enter(self, *_a: Any) -> None:
        app = self.app
        self.message = ""
        if not app.service.is_unlocked:
            app.go("unlock")
            return
        data, app.scanned = app.scanned, None
        if data is not None and is_referral_offer(data):
            self.run_async(lambda: self._refs().consider(data), self._show)
        else:
            self._show(None)

    def _show(self, view: ReferralConsentView | None) -> None:
        self.view = view
        self.consenting = view is not None
        self.unverified = view is not None and not view.verified
        banner = self.ids.banner
        banner.clear_widgets()
        if view is not None:
            t = self.app.t
            banner.add_widget(Factory.Banner(
                icon="shield" if view.verified else "warning",
                text=t("consent.verified", self.app.lang, name=view.requester) if view.verified
                else t("consent.unverified", self.app.lang),
                bgc=THEME["ok"] if view.verified else THEME["danger"], fg=(1, 1, 1, 1)))
        self.lines = list(view.lines) if view else []
        self.history = [] if view else [
            (line, r.referral_id if r is not None and r.status == "consented" else "")
            for line, r in self._history_rows()]
        box = self.ids.history
        box.clear_widgets()
        for line, rid in self.history:
            box.add_widget(Factory.Body(text=line))
            if rid:
                button = Factory.IconButton(text=self.rtext("withdraw"), icon="cross", kind="secondary")
                button.bind(on_press=lambda *_a, r=rid: self.withdraw(r))
                box.add_widget(button)

    def _history_rows(self) -> list[tuple[str, Any]]:
        refs = self._refs()
        recs: list[Any] = list(reversed(refs.history()))
        lines = refs.history_lines()
        return list(zip(lines, recs, strict=True)) if recs else [(lines[0], None)]

    def accept(self) -> None:
        def done(sub: bytes) -> None:
            self.app.codes = PresentationCodes(sub, qr_encode(sub), history_saved=True)
            self.app.go("present")

        self.run_async(self._refs().accept, done)

    def decline(self) -> None:
        self._refs().decline()
        self.message = self.rtext("declined")
        self._show(None)

    def withdraw(self, referral_id: str) -> None:
        def done(rec: Any) -> None:
            self.message = self.rtext("withdrawn", to_agency=rec.to_agency_name)
            self._show(None)

        self.run_async(lambda: self._refs().withdraw(referral_id), done)
