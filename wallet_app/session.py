"""The wallet session: its state, language and lock, creating it (onboarding) and restoring it.

:class:`SessionBase` holds what every section of :class:`wallet_app.service.WalletService`
shares (configuration, vault, the unlocked state, the holder, the cached trust list).
"""

from __future__ import annotations

import itertools
import json
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from sdk.credential import Assessment, Holder, WalletSeed
from sdk.errors import ZkaidError
from sdk.trust import TrustList, load_trust_list
from wallet_app.config import WalletConfig
from wallet_app.i18n import Translator
from wallet_app.reasons import WalletReason
from wallet_app.state import WalletState
from wallet_app.storage import LockStatus, Vault, save_file

if TYPE_CHECKING:
    from sdk.transport.decode import ScanResult
    from wallet_app.issuance import IssuanceClient
    from wallet_app.presenting import ConsentView

__all__ = [
    "PIN_LENGTH",
    "Onboarding",
    "PinPolicyError",
    "SessionBase",
    "WalletError",
    "check_pin_policy",
]


PIN_LENGTH = 6


RECOVERY_CHECKS = 2  # groups of the recovery code the person types back

# What a printed recovery code looks like (56 characters in groups, with a few more or fewer
# when damaged): text of this shape that does not check out is a damaged code, anything
# else another QR.
_RECOVERY_SHAPE = re.compile(r"[0-9A-Za-z]{1,8}(?:[- ][0-9A-Za-z]{1,8}){6,20}")


class WalletError(ZkaidError):
    """A wallet action cannot go ahead; ``reason`` maps to a translated message."""

    default_reason: ClassVar[str] = WalletReason.WALLET


class PinPolicyError(WalletError):
    default_reason: ClassVar[str] = WalletReason.PIN_POLICY


@dataclass
class Onboarding:
    """A wallet being created: the seed lives only here until the recovery check passes."""

    seed: WalletSeed
    checks: tuple[int, ...]  # 1-based group numbers the person must type back
    confirmed: bool = False

    def __repr__(self) -> str:
        return f"Onboarding(checks={self.checks}, confirmed={self.confirmed})"

    @property
    def recovery_code(self) -> str:
        return self.seed.recovery_code()

    @property
    def groups(self) -> tuple[str, ...]:
        return tuple(self.recovery_code.split("-"))


def check_pin_policy(pin: str) -> None:
    """Six digits, not all the same and not a straight run (123456, 987654)."""
    if len(pin) != PIN_LENGTH or not pin.isdigit() or not pin.isascii():
        raise PinPolicyError(f"the PIN must have {PIN_LENGTH} digits", reason=WalletReason.PIN_LENGTH)
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(pin)}
    if steps in ({0}, {1}, {9}):
        raise PinPolicyError("this PIN is too easy to guess", reason=WalletReason.PIN_WEAK)


class SessionBase:
    """State shared by the sections; unlock, lock, onboarding and restore."""

    PREFS: ClassVar[str] = "prefs.json"

    config: WalletConfig
    vault: Vault
    recovered_from_backup: bool
    _client_factory: Callable[[str, float], IssuanceClient]
    _clock: Callable[[], float]
    _state: WalletState | None
    _holder: Holder | None
    _trust: TrustList | None
    _pending: tuple[Assessment, ConsentView] | None
    _language: str

    def now(self) -> int:
        return int(self._clock())

    @property
    def t(self) -> Translator:
        return Translator(self._language)

    @property
    def language(self) -> str:
        return self._language

    def set_language(self, lang: str) -> None:
        """Kept outside the vault too (non-secret), so the PIN screen speaks it before unlock."""
        if lang not in self.config.languages:
            raise WalletError(f"unsupported language {lang!r}", reason=WalletReason.LANGUAGE)
        self._language = lang
        self._write_prefs({"language": lang})
        if self._state is not None:
            new = self._state.copy()
            new.settings["language"] = lang
            self._commit(new)

    def _read_prefs(self) -> dict[str, Any]:
        try:
            data = json.loads((self.config.data_dir / self.PREFS).read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write_prefs(self, prefs: Mapping[str, Any]) -> None:
        self.config.data_dir.mkdir(parents=True, exist_ok=True)
        save_file(self.config.data_dir / self.PREFS, json.dumps(dict(prefs)).encode())

    def has_wallet(self) -> bool:
        return self.vault.exists()

    @property
    def is_unlocked(self) -> bool:
        return self._state is not None

    def lock_status(self) -> LockStatus:
        return self.vault.status()

    def _require(self) -> WalletState:
        if self._state is None:
            raise WalletError("the wallet is locked", reason=WalletReason.LOCKED)
        return self._state

    def _commit(self, new: WalletState) -> None:
        """Save first, then switch: a failed write leaves memory and disk as they were."""
        self.vault.save(new.to_bytes())
        self._state = new

    def _start(self, state: WalletState) -> None:
        self._state = state
        self._holder = Holder(WalletSeed(state.seed), backend=self.config.backend)
        self._trust = None
        lang = state.settings.get("language")
        if isinstance(lang, str) and lang in self.config.languages and lang != self._language:
            self._language = lang
            self._write_prefs({"language": lang})

    def unlock(self, pin: str) -> None:
        """Open the vault (WrongPinError, LockedOutError, CorruptedVaultError, ...)."""
        opened = self.vault.open(pin)
        self.recovered_from_backup = opened.recovered
        try:
            state = WalletState.from_bytes(opened.plaintext)
        except ZkaidError:
            self.vault.close()
            raise
        self._start(state)

    def lock(self) -> None:
        self.vault.close()
        self._state = None
        self._holder = None
        self._trust = None
        self._pending = None

    def new_onboarding(self, *, randbelow: Callable[[int], int] = secrets.randbelow,
                       seed: WalletSeed | None = None) -> Onboarding:
        """A fresh seed (``seed`` only for reproducible demos) and the groups to check."""
        seed = seed or WalletSeed.generate()
        groups = len(seed.recovery_code().split("-"))
        picks: list[int] = []
        while len(picks) < RECOVERY_CHECKS:
            g = randbelow(groups) + 1
            if g not in picks:
                picks.append(g)
        return Onboarding(seed, tuple(sorted(picks)))

    @staticmethod
    def check_written(onboarding: Onboarding, answers: Mapping[int, str]) -> bool:
        """True when every asked group was typed back correctly (case and O/0 forgiving)."""
        def norm(s: str) -> str:
            return s.strip().upper().replace("O", "0").replace("I", "1").replace("L", "1")

        groups = onboarding.groups
        ok = all(norm(answers.get(g, "")) == norm(groups[g - 1]) for g in onboarding.checks)
        onboarding.confirmed = ok
        return ok

    def finish_onboarding(self, onboarding: Onboarding, pin: str) -> None:
        if not onboarding.confirmed:
            raise WalletError("the recovery code was not confirmed", reason=WalletReason.RECOVERY_NOT_CONFIRMED)
        self._create(onboarding.seed, pin, replace=False)

    @staticmethod
    def check_recovery_code(recovery_code: str) -> None:
        """CredentialError (recovery_code_length / _char / _checksum) when the code is wrong."""
        WalletSeed.from_recovery_code(recovery_code)

    @staticmethod
    def recovery_code_from_scan(scan: ScanResult) -> str | None:
        """The recovery code in a scanned picture of the printed recovery QR (its text is the
        code, as ``zkaid wallet create --recovery-qr`` writes it), or None when no code is in
        view. Another QR is a :class:`WalletError`: ``not_recovery_code`` (an aid programme
        code, a link, other text), ``recovery_qr_damaged`` (a recovery code that does not
        check out: a damaged or wrongly printed paper)."""
        from sdk.transport.framing import CodeKind

        if not scan.symbols:
            return None
        for symbol in scan.symbols:
            if symbol.kind is not CodeKind.FOREIGN:
                continue
            text = symbol.data.decode("ascii", errors="replace").strip()
            if not _RECOVERY_SHAPE.fullmatch(text):
                continue
            try:
                WalletSeed.from_recovery_code(text)
            except ZkaidError as exc:
                raise WalletError("this recovery code does not check out: type it from the paper",
                                  reason=WalletReason.RECOVERY_QR_DAMAGED) from exc
            return text
        raise WalletError("this QR code is not a recovery code", reason=WalletReason.NOT_RECOVERY_CODE)

    def restore(self, recovery_code: str, pin: str, *, replace: bool = False) -> None:
        """A wallet from a paper recovery code (CredentialError with a reason when a
        character or the checksum is wrong). Credentials are not in the code: the
        registrar re-issues them, and the same seed gives the same pseudonyms."""
        seed = WalletSeed.from_recovery_code(recovery_code)
        self._create(seed, pin, replace=replace)

    def _create(self, seed: WalletSeed, pin: str, *, replace: bool) -> None:
        check_pin_policy(pin)
        state = WalletState(seed=seed.secret, settings={"language": self._language})
        self.vault.create(pin, state.to_bytes(), replace=replace)
        self._write_prefs({"language": self._language})
        self._start(state)

    def trust_list(self) -> TrustList | None:
        state = self._require()
        if self._trust is None and state.trust_list is not None:
            self._trust = load_trust_list(state.trust_list, self.config.trust_anchors)
        return self._trust

