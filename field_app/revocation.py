"""The device's list of withdrawn cards for its round (specs/revocation.md; issue 13).

The signed update travels with the trust list: every sync downloads the update for the
device's scope (``GET /v1/revocations?scope=``), so revoking a card reaches a device in one
sync. An update is kept only if it verifies against the pinned anchors, is for the device's
scope and does not roll back the one in use; anything else is refused with a reason and the
last good list stays. A list past its grace period makes the device refuse to check cards
that carry a revocation tag, exactly like an expired trust list.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from appkit.files import atomic_write
from sdk.client import ServiceClient
from sdk.credential.revocation import RevocationList, load_revocation_update
from sdk.errors import TrustListError
from sdk.reasons import TrustReason
from sdk.trust import Freshness, TrustAnchor

__all__ = ["RevocationStore"]

log = logging.getLogger("zkaid.field")
FILE = "revocations.cbor"


class RevocationStore:
    """The last good signed update for one scope, on disk and in memory."""

    def __init__(self, root: str | Path) -> None:
        self.path = Path(root) / FILE
        self.current: RevocationList | None = None

    def load(self, anchors: Sequence[TrustAnchor], scope: str) -> None:
        """Read the cached update (a damaged file or another scope's list is ignored)."""
        self.current = None
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return
        try:
            rl = load_revocation_update(data, anchors)
        except TrustListError as exc:
            log.warning("cached list of withdrawn cards refused: %s", exc)
            return
        if rl.scope == scope:
            self.current = rl

    def import_update(self, data: bytes, anchors: Sequence[TrustAnchor], scope: str) -> RevocationList:
        """Verify and keep ``data``; TrustListError (too_large, malformed, unknown_signer,
        bad_signature, wrong_scope, rollback) leaves the last good list in place."""
        rl = load_revocation_update(bytes(data), anchors)
        if rl.scope != scope:
            raise TrustListError(f"this list of withdrawn cards is for {rl.scope!r}, not this device's round "
                                 f"{scope!r}", reason=TrustReason.WRONG_SCOPE)
        rl.replaces(self.current)
        atomic_write(self.path, rl.signed, mode=0o644, make_parents=True)
        self.current = rl
        return rl

    def refresh(self, client: ServiceClient, anchors: Sequence[TrustAnchor], scope: str) -> bool:
        """Download the update for ``scope``; True when a newer one was kept."""
        current = self.current.sequence if self.current is not None else None
        data = client.revocations(scope, if_sequence=current)
        if data is None:
            return False
        before = self.current
        rl = self.import_update(data, anchors, scope)
        return before is None or rl.sequence != before.sequence

    def freshness(self, now: int) -> Freshness | None:
        return self.current.freshness(now) if self.current is not None else None
