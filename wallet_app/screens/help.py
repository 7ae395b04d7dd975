"""Help and complaints: who to call or where to go, as the agency configured it
(wallet_app.account.help_contacts), and what the wallet cannot do for you."""

from __future__ import annotations

from typing import Any

from kivy.factory import Factory

from wallet_app.account import help_contacts
from wallet_app.screens.widgets import WalletScreen


class HelpScreen(WalletScreen):
    def on_pre_enter(self, *_a: Any) -> None:
        box = self.ids.contacts
        box.clear_widgets()
        contacts = help_contacts(self.app.service, self.app.lang)
        if not contacts:
            box.add_widget(Factory.Body(text=self.t("help.none")))
        for c in contacts:
            lines = [f"[b]{c.agency}[/b]"]
            if c.phone:
                lines.append(self.t("help.phone", phone=c.phone))
            if c.place:
                lines.append(self.t("help.place", place=c.place))
            if c.hours:
                lines.append(self.t("help.hours", hours=c.hours))
            if c.complaints:
                lines.append(self.t("help.complaints", text=c.complaints))
            box.add_widget(Factory.Body(text="\n".join(lines), markup=True))
