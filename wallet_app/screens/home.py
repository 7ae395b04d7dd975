"""Home: the person's cards, and one big Scan button (offers and requests alike)."""

from __future__ import annotations

import threading
from typing import Any

from kivy.properties import BooleanProperty, StringProperty

from sdk.errors import ZkaidError
from wallet_app.account import local_datetime, update_status
from wallet_app.screens.widgets import CardWidget, WalletScreen


class HomeScreen(WalletScreen):
    notice = StringProperty("")
    empty = BooleanProperty(True)
    update_text = StringProperty("")
    update_ok = BooleanProperty(True)

    def on_pre_enter(self, *_a: Any) -> None:
        service = self.app.service
        if not service.is_unlocked:
            self.app.go("unlock")
            return
        self.notice = self.t("home.recovered") if service.recovered_from_backup else ""
        self.show_update_status()
        box = self.ids.cards
        box.clear_widgets()
        views = service.cards()
        self.empty = not views
        for view in views:
            box.add_widget(CardWidget(view=view))
        if views and not self.app.prepared:
            self.app.prepared = True
            threading.Thread(target=self._prepare, daemon=True, name="wallet-prepare").start()

    def _prepare(self) -> None:
        try:
            self.app.service.prepare()
        except ZkaidError:
            self.app.prepared = False  # locked meanwhile: try again next time

    def show_update_status(self) -> None:
        """Offline or not, and when the agency list on this phone was made (local time)."""
        st = update_status(self.app.service, offline=self.app.offline)
        if st.updated_at is None:
            self.update_text, self.update_ok = self.t("home.update.none"), False
            return
        when = self.app.service.t.datetime(local_datetime(st.updated_at))
        key = "home.update.offline" if st.offline else f"home.update.{st.state}"
        self.update_text = self.t(key, when=when)
        self.update_ok = st.state == "fresh" and not st.offline

    def scan(self) -> None:
        self.app.go("scan")
