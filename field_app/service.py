"""The field device's logic, without any UI: set up, ask, check, record, sync.

:class:`FieldService` is what the Kivy screens and the command line both drive:

- :meth:`FieldService.new_request` makes a fresh request for the next person (new nonce,
  "not expired" resolved to today, signed with the device's verifier key once the trust
  list lists it);
- :meth:`FieldService.check` takes the decoded bytes of a presentation and, in one step,
  verifies it offline against the cached signed trust list and records the pseudonym in
  the ledger, returning a typed :class:`Result`: yes or no, a reason code, what was
  disclosed, which conditions held, and the trust list's freshness;
- :meth:`FieldService.sync` uploads this device's enrollments, downloads the others' and
  keeps the duplicates the service reports as conflicts for follow-up.

The clock (``clock=``) and the service client (``client_factory=``) are seams, so tests
run whole days of a distribution point in a second and two devices against one service.

This module is the facade: each section lives in its own module (``device`` for the shared
state and setup, ``trust``, ``requests``, ``checking``, ``sync``) and :class:`FieldService`
puts them together behind the calls the screens and the command line make.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from field_app.checking import EXPIRY_ATTRIBUTE, NO_REASONS, CheckingSection, Result
from field_app.config import DataFolder, FieldConfig
from field_app.ledger import SQLiteLedger
from field_app.requests import IssuedRequest, RequestSection
from field_app.revocation import RevocationStore
from field_app.sync import SyncReport, SyncSection
from field_app.trust import Readiness
from sdk.client import ServiceClient
from sdk.curves import CurveBackend
from sdk.errors import TrustListError
from sdk.trust import TrustList, load_trust_list

__all__ = [
    "EXPIRY_ATTRIBUTE",
    "NO_REASONS",
    "FieldService",
    "IssuedRequest",
    "Readiness",
    "Result",
    "SyncReport",
]

log = logging.getLogger(__name__)


class FieldService(CheckingSection, RequestSection, SyncSection):
    """One field device: its data folder, trust list, ledger and requests."""

    def __init__(
        self,
        data_dir: str | Path,
        *,
        clock: Callable[[], float] = time.time,
        backend: str | CurveBackend | None = None,
        client_factory: Callable[[str, str | None], ServiceClient] = ServiceClient,
        persist_requests: bool = False,
        ledger: SQLiteLedger | None = None,
    ) -> None:
        self.folder = DataFolder(data_dir)
        self._clock = clock
        self._backend = backend
        self._client_factory = client_factory
        self._persist = persist_requests
        self.config: FieldConfig | None = self.folder.load_config()
        self._api_key = self.folder.load_api_key()
        self.trust_list: TrustList | None = None
        self._requests: dict[bytes, IssuedRequest] = {}
        self.current_request: IssuedRequest | None = None
        if ledger is None:
            self.folder.ensure()
            ledger = SQLiteLedger(self.folder.ledger_path)
        self.ledger = ledger
        cached = self.folder.load_trust_list_bytes()
        if cached is not None and self.config is not None:
            try:
                self.trust_list = load_trust_list(cached, self.anchors)
            except TrustListError as exc:  # a changed anchor, a damaged file: ask for a new list
                log.warning("cached trust list refused: %s", exc)
        self.revocations = RevocationStore(self.folder.root)  # issue 13: withdrawn cards of this round
        if self.config is not None:
            self.revocations.load(self.anchors, self.config.scope)
        if self._persist:
            self._load_persisted_requests()

    def __repr__(self) -> str:
        return f"FieldService({self.folder!r})"
