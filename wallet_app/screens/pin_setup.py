"""Choose a PIN (typed twice). New wallet: then the recovery code; restore: create the wallet."""

from __future__ import annotations

from typing import Any

from kivy.properties import StringProperty

from wallet_app.screens.widgets import WalletScreen
from wallet_app.service import PinPolicyError, check_pin_policy


class PinSetupScreen(WalletScreen):
    stage = StringProperty("create")  # "create" or "confirm"

    def on_pre_enter(self, *_a: Any) -> None:
        self.stage = "create"
        self.error = ""
        self._first: str | None = None
        self.ids.pad.clear()

    def on_pin(self, pin: str) -> None:
        if self.stage == "create":
            try:
                check_pin_policy(pin)
            except PinPolicyError as err:
                self.show_error(err)
                return
            self.error = ""
            self._first = pin
            self.stage = "confirm"
            return
        if pin != self._first:
            self.error = self.t("pin.mismatch")
            self.stage = "create"
            self._first = None
            return
        self._first = None
        self.finish(pin)

    def finish(self, pin: str) -> None:
        app = self.app
        if app.setup_mode == "new":
            app.new_pin = pin
            app.onboarding = app.service.new_onboarding()
            app.go("recovery_show")
            return
        code = app.restore_code or ""

        def done(_r: Any) -> None:
            app.restore_code = None
            app.go("home")

        self.run_async(lambda: app.service.restore(code, pin, replace=True), done)
