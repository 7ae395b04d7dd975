"""The wallet's own reason codes, and every group of codes its screens put into words.

Errors reach the person as ``error.<code>`` from ``wallet_app/i18n``. :data:`SHOWN` names
every enum whose codes can reach a wallet screen; the i18n test walks them, so a new code
without words in every language fails the suite. A code without words is shown as
"unknown reason: <code>", never as another reason.
"""

from __future__ import annotations

from enum import StrEnum

from sdk.reasons import (
    ClientReason,
    CredentialReason,
    ErrorReason,
    IssuanceReason,
    ProblemReason,
    ReferralReason,
    TransportReason,
    TrustReason,
    WireReason,
)

__all__ = ["SHOWN", "VaultReason", "WalletReason"]


class WalletReason(StrEnum):
    """A wallet action cannot go ahead."""

    CODE_FORMAT = "code_format"
    CONFIG = "config"
    LANGUAGE = "language"
    LOCKED = "locked"
    NO_CARDS = "no_cards"
    NO_REQUEST = "no_request"
    NO_SERVICE = "no_service"
    NO_TRUST_ANCHOR = "no_trust_anchor"
    NO_TRUST_LIST = "no_trust_list"
    NOT_OFFER = "not_offer"
    NOTHING_PENDING = "nothing_pending"
    OFFER_EXPIRED = "offer_expired"
    PIN_LENGTH = "pin_length"
    PIN_POLICY = "pin_policy"
    PIN_SAME = "pin_same"  # a new PIN equal to the old one (change PIN)
    PIN_WEAK = "pin_weak"
    RECOVERY_NOT_CONFIRMED = "recovery_not_confirmed"
    UNKNOWN_CARD = "unknown_card"
    UNKNOWN_REFERRAL = "unknown_referral"
    WALLET = "wallet"


class VaultReason(StrEnum):
    """The encrypted wallet file cannot be opened or saved."""

    VAULT = "vault"
    NO_VAULT = "no_vault"
    EXISTS = "exists"
    WRONG_PIN = "wrong_pin"
    LOCKED = "locked"
    LOCKED_OUT = "locked_out"
    CORRUPTED = "corrupted"
    TAMPERED = "tampered"
    WRITE_FAILED = "write_failed"
    DISK_FULL = "disk_full"
    TOO_LARGE = "too_large"
    UNKNOWN_VERSION = "unknown_version"
    INVALID_KDF = "invalid_kdf"


SHOWN: tuple[type[StrEnum], ...] = (
    WalletReason, VaultReason, ErrorReason, CredentialReason, TrustReason, WireReason,
    TransportReason, ClientReason, IssuanceReason, ProblemReason, ReferralReason,
)
