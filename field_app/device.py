"""One field device's state and setup: data folder, configuration, API key and request-signing key.

:class:`DeviceBase` holds what every section of :class:`field_app.service.FieldService` shares
(the folder, the setup, the trust list, the ledger, the open requests) and the setup calls.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from field_app.config import DataFolder, FieldConfig, SetupError
from field_app.ledger import SQLiteLedger
from field_app.reasons import SetupReason
from field_app.revocation import RevocationStore
from sdk.client import ServiceClient
from sdk.credential import VerifierKey
from sdk.curves import CurveBackend
from sdk.errors import TrustListError
from sdk.trust import TrustAnchor, TrustList, load_trust_list

if TYPE_CHECKING:
    from field_app.requests import IssuedRequest

__all__ = ["DeviceBase"]

log = logging.getLogger(__name__)


class DeviceBase:
    """The shared state of one device and its setup calls (saved in the data folder)."""

    folder: DataFolder
    config: FieldConfig | None
    trust_list: TrustList | None
    ledger: SQLiteLedger
    revocations: RevocationStore
    current_request: IssuedRequest | None
    _requests: dict[bytes, IssuedRequest]
    _clock: Callable[[], float]
    _backend: str | CurveBackend | None
    _client_factory: Callable[[str, str | None], ServiceClient]
    _persist: bool
    _api_key: str | None

    def close(self) -> None:
        self.ledger.close()

    def now(self) -> int:
        return int(self._clock())

    def configure(self, config: FieldConfig, *, api_key: str | None = None) -> None:
        """Save a new setup; requests handed out under the old one stop being answerable."""
        if api_key:
            self.folder.save_api_key(api_key)
            self._api_key = api_key.strip()
        self.folder.save_config(config)
        self.config = config
        self._requests.clear()
        self.current_request = None
        cached = self.folder.load_trust_list_bytes()
        self.trust_list = None
        if cached is not None:
            try:
                self.trust_list = load_trust_list(cached, self.anchors)
            except TrustListError as exc:
                log.warning("cached trust list does not match the new anchors: %s", exc)
        self.revocations.load(self.anchors, config.scope)

    def use_config(self, config: FieldConfig) -> None:
        """Work with a setup for this session only, without saving it (command-line options)."""
        self.config = config
        self._requests.clear()
        self.current_request = None

    @property
    def has_api_key(self) -> bool:
        return self._api_key is not None

    @property
    def anchors(self) -> list[TrustAnchor]:
        cfg = self.config
        return [TrustAnchor(bytes.fromhex(a)) for a in cfg.anchors] if cfg else []

    def verifier_key(self) -> VerifierKey | None:
        name = self.config.agency if self.config else "field device"
        return self.folder.load_verifier_key(name)

    def create_verifier_key(self) -> VerifierKey:
        """A new request-signing key, kept in the data folder (0600). Its public key must be
        registered with the agency service; requests are signed once the trust list has it."""
        key = VerifierKey.generate(self.config.agency if self.config else "field device")
        self.folder.save_verifier_key(key)
        return key

    def signing_status(self) -> str:
        """"none" (no key), "unregistered" (not in the trust list yet) or "registered"."""
        key = self.verifier_key()
        if key is None:
            return "none"
        return "registered" if self._registered(key) else "unregistered"

    def _registered(self, key: VerifierKey) -> bool:
        tl = self.trust_list
        entry = tl.verifier(key.kid) if tl is not None else None
        return entry is not None and entry.valid_at(self.now())

    def _client(self) -> ServiceClient:
        """A client of the configured agency service (SetupError when no address is set)."""
        cfg = self.config
        if cfg is None or not cfg.service_url:
            raise SetupError("the service address is not set", reason=SetupReason.NO_SERVICE)
        return self._client_factory(cfg.service_url, self._api_key)

    def _require_setup(self) -> tuple[FieldConfig, TrustList]:
        if self.config is None:
            raise SetupError("set the device up first", reason=SetupReason.NOT_SET_UP)
        if self.trust_list is None:
            raise SetupError("load a trust list first", reason=SetupReason.NO_TRUST_LIST)
        return self.config, self.trust_list

