"""The wallet's logic, without Kivy: unlock, onboarding, receive, cards, consent, present, history.

Screens call these methods and show the returned *views* (plain dataclasses whose strings
are already in the person's language); they never touch the SDK, the vault or the network.
This keeps screens thin and lets the whole journey be tested without a window.

Privacy rules enforced here rather than in screens:

- a request is first turned into a :class:`ConsentView` that says who asks (the agency
  name only when its signature verified against the trust list), why, what will be shown
  and what will be proven without being shown; nothing is computed for the verifier until
  :meth:`WalletService.accept` is called, and :meth:`WalletService.decline` forgets the
  request;
- only what the request asks is disclosed (the SDK proves exactly the listed attributes and
  predicates, nothing else);
- the history stays in the encrypted vault and is never sent anywhere.

This module is the facade: each section lives in its own module (``session`` for the shared
state, unlock and onboarding; ``cards``; ``issuance``; ``presenting``; ``history``) and
:class:`WalletService` puts them together behind the calls the screens and CLIs make.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from wallet_app.cards import CardView, ShownItem
from wallet_app.config import WalletConfig
from wallet_app.history import HistorySection, HistoryView
from wallet_app.i18n import DEFAULT_LANGUAGE
from wallet_app.issuance import IssuanceClient, IssuanceSection, _default_client, service_base
from wallet_app.presenting import ConsentView, PresentationCodes, PresentingSection
from wallet_app.session import PIN_LENGTH, Onboarding, PinPolicyError, WalletError, check_pin_policy
from wallet_app.storage import Vault

__all__ = [
    "PIN_LENGTH",
    "CardView",
    "ConsentView",
    "HistoryView",
    "IssuanceClient",
    "Onboarding",
    "PinPolicyError",
    "PresentationCodes",
    "ShownItem",
    "WalletError",
    "WalletService",
    "check_pin_policy",
    "service_base",
]


class WalletService(IssuanceSection, PresentingSection, HistorySection):
    """One wallet on one phone. Not thread-safe: the UI runs one action at a time."""

    def __init__(
        self, config: WalletConfig, *, vault: Vault | None = None,
        client_factory: Callable[[str, float], IssuanceClient] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.vault = vault if vault is not None else Vault(
            config.data_dir, kdf=config.kdf, policy=config.delay, clock=clock
        )
        self._client_factory = client_factory or _default_client
        self._clock = clock
        self._state = None
        self._holder = None
        self._trust = None
        self._pending = None
        lang = self._read_prefs().get("language")
        self._language = lang if isinstance(lang, str) and lang in config.languages else DEFAULT_LANGUAGE
        self.recovered_from_backup = False

    def __repr__(self) -> str:
        return f"WalletService({str(self.config.data_dir)!r}, unlocked={self.is_unlocked})"
