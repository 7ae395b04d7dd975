"""The device's signed trust list and list of withdrawn cards: import, refresh, freshness, readiness.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from field_app.config import SetupError
from field_app.device import DeviceBase
from field_app.reasons import ReadyState, SetupReason
from sdk.client import ServiceClient
from sdk.credential.revocation import RevocationList
from sdk.trust import Freshness, TrustList, check_update, load_trust_list

__all__ = ["Readiness", "TrustSection"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Readiness:
    """Whether the device can check people now, and if not, what to do first."""

    state: ReadyState
    freshness: Freshness | None = None

    @property
    def ready(self) -> bool:
        return self.state is ReadyState.READY


class TrustSection(DeviceBase):
    """Trust list and revocation list of the device."""

    def import_trust_list(self, data: bytes, *, save: bool = True) -> TrustList:
        """Verify a signed trust list against the pinned anchors and cache it.

        An older list (lower sequence) than the cached one is refused: nobody can roll a
        device back to a list that still trusts a revoked key by handing it a file.
        """
        if self.config is None:
            raise SetupError("set the device up first", reason=SetupReason.NOT_SET_UP)
        if not self.config.anchors:
            raise SetupError("a trust anchor is needed to check the trust list", reason=SetupReason.BAD_ANCHOR)
        tl = load_trust_list(bytes(data), self.anchors)
        check_update(self.trust_list, tl)
        if save:
            self.folder.save_trust_list_bytes(tl.signed)
        self.trust_list = tl
        return tl

    def refresh_trust_list(self, client: ServiceClient | None = None) -> bool:
        """Fetch a newer trust list from the service; True when one was installed."""
        client = client or self._client()
        current = self.trust_list.sequence if self.trust_list is not None else None
        data = client.trust_list(if_sequence=current)
        if data is None:
            return False
        before = current
        tl = self.import_trust_list(data)
        return before is None or tl.sequence > before

    def import_revocation_update(self, data: bytes) -> RevocationList:
        """Install a signed list of withdrawn cards carried by hand (USB, SD card); refused
        with a TrustListError reason if tampered, rolled back, for another round or too large."""
        cfg, _tl = self._require_setup()
        return self.revocations.import_update(data, self.anchors, cfg.scope)

    def freshness(self) -> Freshness | None:
        return self.trust_list.freshness(self.now()) if self.trust_list is not None else None

    def readiness(self) -> Readiness:
        if self.config is None:
            return Readiness(ReadyState.NOT_SET_UP)
        if self.trust_list is None:
            return Readiness(ReadyState.NO_TRUST_LIST)
        f = self.trust_list.freshness(self.now())
        return Readiness(ReadyState.READY if f.usable else ReadyState.TRUST_LIST_EXPIRED, f)

