"""What the wallet's own screens need beyond the service facade (issue 17): changing the PIN,
the help and complaints contacts an agency configures, and when the phone last heard from the
agency. Kivy-free; the screens call these with the running :class:`WalletService`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from sdk.errors import ZkaidError
from sdk.trust import FreshnessState
from wallet_app.reasons import WalletReason
from wallet_app.service import PinPolicyError, WalletError, WalletService, check_pin_policy

__all__ = ["HELP_FILE", "HelpContact", "UpdateStatus", "change_pin", "help_contacts", "update_status"]

HELP_FILE = "help.json"  # in the wallet's data folder: the agency's own contacts


def change_pin(service: WalletService, old_pin: str, new_pin: str) -> None:
    """Re-encrypt the wallet under ``new_pin`` after checking ``old_pin``.

    The old PIN is checked by opening the vault with it (a wrong one counts as a wrong PIN,
    with the same waits as at unlock: changing the PIN is no way around them). The wallet's
    content is unchanged; the backup copy under the old PIN is dropped, so the old PIN opens
    nothing afterwards.
    """
    if not service.is_unlocked:
        raise WalletError("the wallet is locked", reason=WalletReason.LOCKED)
    check_pin_policy(new_pin)
    if new_pin == old_pin:
        raise PinPolicyError("the new PIN is the same as the old one", reason=WalletReason.PIN_SAME)
    opened = service.vault.open(old_pin)  # WrongPinError / LockedOutError
    service.vault.create(new_pin, opened.plaintext, replace=True)


@dataclass(frozen=True)
class HelpContact:
    agency: str
    phone: str
    place: str  # where to go, in the person's language
    hours: str
    complaints: str  # how to complain, in the person's language


def _text(value: Any, lang: str) -> str:
    """A string, or {"en": ..., "fr": ..., "ar": ...} picked by language (English fallback)."""
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("en") or "")
    return str(value or "")


def help_contacts(service: WalletService, lang: str) -> tuple[HelpContact, ...]:
    """The agency's contacts from ``<data folder>/help.json``, else the ones shipped with the
    app (``wallet_app/help.json``). A damaged file gives no contacts, never an error screen."""
    own = Path(service.config.data_dir) / HELP_FILE
    try:
        text = own.read_text("utf-8") if own.is_file() else \
            resources.files("wallet_app").joinpath(HELP_FILE).read_text("utf-8")
        data = json.loads(text)
    except (OSError, ValueError):
        return ()
    rows = data.get("contacts", []) if isinstance(data, dict) else []
    return tuple(
        HelpContact(_text(r.get("agency"), lang), _text(r.get("phone"), lang), _text(r.get("place"), lang),
                    _text(r.get("hours"), lang), _text(r.get("complaints"), lang))
        for r in rows if isinstance(r, dict)
    )


@dataclass(frozen=True)
class UpdateStatus:
    updated_at: int | None  # when the agency list on this phone was made (None: none yet)
    state: str  # "fresh", "stale" or "expired" (FreshnessState), or "none"
    offline: bool  # the last attempt to reach the agency failed


def update_status(service: WalletService, *, offline: bool) -> UpdateStatus:
    try:
        tl = service.trust_list()
    except ZkaidError:
        tl = None
    if tl is None:
        return UpdateStatus(None, "none", offline)
    f = tl.freshness(service.now())
    return UpdateStatus(int(tl.payload.issued_at), FreshnessState(f.state).value, offline)


def local_datetime(ts: int, *, tz: dt.tzinfo | None = None) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, dt.UTC).astimezone(tz)
