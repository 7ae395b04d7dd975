"""Restore a wallet from the paper recovery code (typed, or its printed QR scanned); then choose a new PIN."""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, StringProperty

from sdk.errors import ZkaidError
from wallet_app.screens.widgets import WalletScreen


class RestoreScreen(WalletScreen):
    replaces = BooleanProperty(False)  # a wallet exists here: restoring replaces it
    next_step = StringProperty("")

    def on_pre_enter(self, *_a: Any) -> None:
        self.error = self.next_step = ""
        self.replaces = self.app.service.has_wallet()

    def show_error(self, err: BaseException) -> None:
        problem = self.app.problem(err)
        self.error, self.next_step = problem.text, problem.next_step

    def scan(self) -> None:
        """Read the printed recovery QR instead of typing the code."""
        self.ids.code.text = ""
        self.app.go("restore_scan")

    def submit(self) -> None:
        code = self.ids.code.text
        try:
            self.app.service.check_recovery_code(code)
        except ZkaidError as err:
            self.show_error(err)
            return
        self.app.restore_code = code
        self.app.setup_mode = "restore"
        self.ids.code.text = ""
        self.app.go("pin_setup")

    def back(self) -> None:
        self.ids.code.text = ""
        self.app.go("unlock" if self.app.service.has_wallet() else "welcome")
