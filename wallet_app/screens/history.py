"""History of presentations, kept only on this phone: who, when, what was shared."""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, ObjectProperty
from kivy.uix.boxlayout import BoxLayout

from wallet_app.screens.widgets import ItemRow, ProvenRow, WalletScreen


class HistoryItem(BoxLayout):
    view = ObjectProperty(None, allownone=True)

    def on_kv_post(self, _base: Any) -> None:
        view = self.view
        if view is None:
            return
        for item in view.shown:
            self.ids.shown.add_widget(ItemRow(label=item.label, value=item.value))
        for sentence in view.proven:
            self.ids.proven.add_widget(ProvenRow(text=sentence))


class HistoryScreen(WalletScreen):
    empty = BooleanProperty(True)
    confirming = BooleanProperty(False)

    def clear(self) -> None:
        """Two taps: the first asks, the second forgets the history on this phone."""
        if not self.confirming:
            self.confirming = True
            return
        self.confirming = False
        self.app.service.clear_history()
        self.on_pre_enter()

    def on_pre_enter(self, *_a: Any) -> None:
        self.confirming = False
        box = self.ids.entries
        box.clear_widgets()
        if not self.app.service.is_unlocked:
            return
        views = self.app.service.history()
        self.empty = not views
        for view in views:
            box.add_widget(HistoryItem(view=view))
