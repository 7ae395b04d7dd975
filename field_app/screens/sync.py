"""Sync with the agency service when a connection exists, and follow up conflicts."""

from __future__ import annotations

import threading
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.screenmanager import Screen

from appkit.ui.rtl import MirroredBoxLayout
from field_app.present import conflict_text, local_text, stats_text, sync_text
from field_app.service import SyncReport

__all__ = ["FieldConflictRow", "FieldSyncScreen"]


class FieldConflictRow(MirroredBoxLayout):  # Kivy ships no type hints
    """One duplicate for follow-up (RecycleView row)."""

    text = StringProperty("")
    conflict_id = NumericProperty(0)
    open = BooleanProperty(True)

    def follow_up(self) -> None:
        App.get_running_app().root.get_screen("sync").follow_up(int(self.conflict_id))


class FieldSyncScreen(Screen):  # Kivy ships no type hints
    stats = StringProperty("")
    report = StringProperty("")
    busy = BooleanProperty(False)
    conflicts = ListProperty([])
    has_conflicts = BooleanProperty(False)

    last_report: SyncReport | None = None

    def on_pre_enter(self, *_: Any) -> None:
        self.refresh()

    def refresh(self) -> None:
        app = App.get_running_app()
        svc, tr = app.service, app.tr
        self.stats = stats_text(svc.stats(), tr, local=True)  # times in the device's own time zone
        if self.last_report is not None:
            self.report = sync_text(self.last_report, tr, local=True)
        else:
            s = svc.stats()
            self.report = tr("sync.never") if s is None or s.last_sync is None else local_text(s.last_sync, tr)
        agency = svc.config.agency if svc.config else ""
        rows = [{"text": conflict_text(c, agency, tr, trust_list=svc.trust_list, local=True),
                 "conflict_id": c.id, "open": c.open}
                for c in svc.conflicts()]
        self.conflicts = rows
        self.has_conflicts = bool(rows)

    def sync_now(self, *, background: bool = True) -> None:
        """Sync (in a worker thread in the app, so the screen stays responsive)."""
        if self.busy:
            return
        app = App.get_running_app()
        self.busy = True
        self.report = app.tr("sync.running")
        if not background:
            self._done(app.service.sync())
            return
        worker = threading.Thread(target=lambda: self._from_worker(app.service.sync()), daemon=True)
        worker.start()

    def _from_worker(self, report: SyncReport) -> None:
        Clock.schedule_once(lambda _dt: self._done(report))

    def _done(self, report: SyncReport) -> None:
        self.busy = False
        self.last_report = report
        App.get_running_app().refresh_status()
        self.refresh()

    def follow_up(self, conflict_id: int) -> None:
        App.get_running_app().service.follow_up(conflict_id)
        self.refresh()
