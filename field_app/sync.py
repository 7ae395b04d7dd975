"""Sync with the registry: upload this device's enrollments, fetch the others', keep the
duplicates the service reports as conflicts for follow-up; the ledger's counts for the screens.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from field_app.config import FieldConfig, SetupError
from field_app.ledger import Conflict, LedgerStats
from field_app.log_proofs import LogProofStore, keep_proofs
from field_app.reasons import SyncState
from field_app.trust import TrustSection
from sdk.client import DuplicateEvent, ServiceClient, SyncDuplicate, SyncItem, SyncUpdate
from sdk.errors import OfflineError, ServiceError, TrustListError

__all__ = ["SyncReport", "SyncSection"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncReport:
    ok: bool
    reason: SyncState
    at: int
    detail: str = ""
    uploaded: int = 0
    accepted: int = 0
    duplicates: int = 0
    received: int = 0
    new_conflicts: int = 0
    trust_list_updated: bool = False

    @property
    def message_key(self) -> str:
        return f"sync.{self.reason}"


class SyncSection(TrustSection):
    """Registry sync and the conflicts it found."""

    def sync(self, client: ServiceClient | None = None, *, batch: int = 500, full: bool = False) -> SyncReport:
        """Upload this device's enrollments, fetch the others', keep duplicates as conflicts.

        Each step commits on its own, so a connection lost half-way loses nothing: the
        next sync resumes from the stored cursor and re-sends what was not confirmed.
        ``full`` re-sends every local enrollment and downloads from the start, for when
        the registry was restored from a backup (the service treats re-sent rows as replays).
        """
        now = self.now()
        cfg = self.config
        if cfg is None:
            return SyncReport(False, SyncState.NOT_SET_UP, now)
        if not cfg.service_url and client is None:
            return SyncReport(False, SyncState.NO_SERVICE, now)
        client = client or self._client()
        scopes = [cfg.scope]
        if full:
            self.ledger.reset_sync(scopes)
        counts = {"uploaded": 0, "accepted": 0, "duplicates": 0, "received": 0, "new_conflicts": 0}
        updated = False
        try:
            try:
                updated = self.refresh_trust_list(client)
            except (TrustListError, SetupError) as exc:
                log.warning("trust list from the service refused: %s", exc)
            try:  # the list of withdrawn cards travels with the trust list, in the same sync
                self.revocations.refresh(client, self.anchors, cfg.scope)
            except OfflineError:
                raise
            except (TrustListError, ServiceError) as exc:  # the last good list stays; the sync goes on
                log.warning("list of withdrawn cards not updated: %s", exc)
            cursor = self.ledger.cursor(scopes)
            for _ in range(10_000):  # bounded: each round uploads or advances the cursor
                pending = self.ledger.unsynced(scopes, limit=batch)
                items = [SyncItem(e.scope, e.pseudonym, e.enrolled_at) for e in pending]
                answer = client.sync(cfg.device_id, scopes, cursor, items)
                self.ledger.mark_synced(e.seq for e in pending)
                if answer.log_indexes:  # issue 16: keep the registry log's proof of each accepted row
                    keep_proofs(client, LogProofStore(self.folder.root), cfg.agency, items, answer.log_indexes,
                                answer.log_size)
                counts["uploaded"] += len(items)
                counts["accepted"] += answer.accepted
                for d in answer.duplicates:
                    counts["duplicates"] += 1
                    counts["new_conflicts"] += self._conflict_from_upload(d, cfg, now)
                for u in answer.updates:
                    counts["received"] += self._store_update(u, now)
                self.ledger.set_cursor(scopes, answer.cursor, at=now)
                if not pending and (not answer.updates or answer.cursor == cursor):
                    break
                cursor = answer.cursor
            for event in self._duplicate_events(client, cfg.scope):
                counts["new_conflicts"] += self._conflict_from_event(event, now)
        except OfflineError as exc:
            return self._report(False, SyncState.OFFLINE, now, str(exc), counts, updated)
        except ServiceError as exc:
            return self._report(False, SyncState.REFUSED, now, f"{exc.reason}: {exc}", counts, updated)
        return self._report(True, SyncState.SYNCED, now, "", counts, updated)

    @staticmethod
    def _report(ok: bool, reason: SyncState, now: int, detail: str, c: Mapping[str, int], updated: bool) -> SyncReport:
        return SyncReport(ok, reason, now, detail, uploaded=c["uploaded"], accepted=c["accepted"],
                          duplicates=c["duplicates"], received=c["received"], new_conflicts=c["new_conflicts"],
                          trust_list_updated=updated)

    def _conflict_from_upload(self, d: SyncDuplicate, cfg: FieldConfig, now: int) -> int:
        if d.first_agency == cfg.agency and d.first_enrolled_at == d.your_enrolled_at:
            return 0  # our own earlier upload, confirmed again after a lost answer
        return int(self.ledger.add_conflict(d.scope, d.pseudonym, first_agency=d.first_agency,
                                            first_enrolled_at=d.first_enrolled_at, second_agency=cfg.agency,
                                            second_enrolled_at=d.your_enrolled_at, reported_at=now))

    def _store_update(self, u: SyncUpdate, now: int) -> int:
        scope, nym, agency, at = u.scope, u.pseudonym, u.agency, u.enrolled_at
        existing = self.ledger.add_remote(scope, nym, agency=agency, at=at)
        if existing is None:
            return 1
        if existing.origin == "local" and (existing.agency, existing.enrolled_at) != (agency, at):
            # both enrolled the person while offline; the service kept the other one first
            self.ledger.add_conflict(scope, nym, first_agency=agency, first_enrolled_at=at,
                                     second_agency=existing.agency, second_enrolled_at=existing.enrolled_at,
                                     reported_at=now)
        return 0

    @staticmethod
    def _duplicate_events(client: ServiceClient, scope: str) -> list[DuplicateEvent]:
        try:
            return client.duplicates(scope)
        except OfflineError:
            raise
        except ServiceError as exc:  # e.g. a service without the endpoint: the upload still counts
            log.warning("duplicate events unavailable: %s", exc)
            return []

    def _conflict_from_event(self, e: DuplicateEvent, now: int) -> int:
        """A duplicate event from GET /v1/duplicates (it involves this agency)."""
        return int(self.ledger.add_conflict(e.scope, e.pseudonym, first_agency=e.first_agency,
                                            first_enrolled_at=e.first_enrolled_at, second_agency=e.second_agency,
                                            second_enrolled_at=e.second_enrolled_at, reported_at=now))

    def stats(self) -> LedgerStats | None:
        return self.ledger.stats(self.config.scope) if self.config else None

    def conflicts(self, *, open_only: bool = False) -> list[Conflict]:
        return self.ledger.conflicts(self.config.scope if self.config else None, open_only=open_only)

    def follow_up(self, conflict_id: int) -> None:
        self.ledger.follow_up(conflict_id, at=self.now())

