"""Settings: language, update the agency list, lock the wallet."""

from __future__ import annotations

from typing import Any

from kivy.properties import StringProperty

from wallet_app.screens.widgets import IconButton, WalletScreen


class SettingsScreen(WalletScreen):
    notice = StringProperty("")

    def on_pre_enter(self, *_a: Any) -> None:
        self.error = ""
        self.notice = ""
        self._languages()

    def _languages(self) -> None:
        box = self.ids.langs
        box.clear_widgets()
        for code, name in self.app.languages().items():
            btn = IconButton(text=name, icon="check" if code == self.app.lang else "language",
                             kind="primary" if code == self.app.lang else "secondary")
            btn.lang_code = code
            btn.bind(on_press=lambda b: self.choose(b.lang_code))
            box.add_widget(btn)

    def choose(self, code: str) -> None:
        self.app.set_language(code)
        self._languages()

    def refresh(self) -> None:
        self.error = self.notice = ""

        def done(_r: Any) -> None:
            self.app.offline = False
            self.notice = self.t("settings.refreshed")

        def failed(err: BaseException) -> None:
            self.app.offline = True  # home shows it, with the time of the last update
            self.show_error(err)

        self.run_async(self.app.service.refresh_trust_list, done, failed)

    def lock(self) -> None:
        self.app.lock()
