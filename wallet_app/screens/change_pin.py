"""Change the PIN: the old one, then the new one twice (wallet_app.account.change_pin)."""

from __future__ import annotations

from typing import Any

from kivy.properties import StringProperty

from wallet_app.account import change_pin
from wallet_app.screens.widgets import WalletScreen
from wallet_app.service import PinPolicyError, check_pin_policy


class ChangePinScreen(WalletScreen):
    stage = StringProperty("old")  # "old", "new", "confirm", then "done"

    def on_pre_enter(self, *_a: Any) -> None:
        self.stage = "old"
        self.error = ""
        self._old: str | None = None
        self._new: str | None = None
        self.ids.pad.clear()

    def on_pin(self, pin: str) -> None:
        self.ids.pad.clear()
        if self.stage == "old":
            self._old, self.error, self.stage = pin, "", "new"
            return
        if self.stage == "new":
            try:
                check_pin_policy(pin)
            except PinPolicyError as err:
                self.show_error(err)
                return
            self._new, self.error, self.stage = pin, "", "confirm"
            return
        if pin != self._new:
            self.error = self.t("pin.mismatch")
            self._new, self.stage = None, "new"
            return
        old, self._old, self._new = self._old or "", None, None

        def done(_r: Any) -> None:
            self.stage = "done"

        def failed(err: BaseException) -> None:
            self.show_error(err)
            self.stage = "old"

        self.run_async(lambda: change_pin(self.app.service, old, pin), done, failed)
