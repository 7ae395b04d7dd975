"""Language choice: each language written in itself, as big buttons."""

from __future__ import annotations

from typing import Any

from wallet_app.screens.widgets import IconButton, WalletScreen


class LanguageScreen(WalletScreen):
    def on_pre_enter(self, *_a: Any) -> None:
        box = self.ids.langs
        box.clear_widgets()
        for code, name in self.app.languages().items():
            btn = IconButton(text=name, icon="language",
                             kind="primary" if code == self.app.lang else "secondary")
            btn.lang_code = code
            btn.bind(on_press=lambda b: self.choose(b.lang_code))
            box.add_widget(btn)

    def choose(self, code: str) -> None:
        self.app.set_language(code)
        self.app.go(self.app.language_next)
