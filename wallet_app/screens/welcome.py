"""First screen after the language: start a new wallet or restore one."""

from __future__ import annotations

from wallet_app.screens.widgets import WalletScreen


class WelcomeScreen(WalletScreen):
    def start_new(self) -> None:
        self.app.setup_mode = "new"
        self.app.go("pin_setup")

    def start_restore(self) -> None:
        self.app.setup_mode = "restore"
        self.app.go("restore")

    def change_language(self) -> None:
        self.app.language_next = "welcome"
        self.app.go("language")
