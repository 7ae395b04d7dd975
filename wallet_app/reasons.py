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

__all__ = ["NEXT_STEPS", "SHOWN", "VaultReason", "WalletReason"]


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
    NOT_RECOVERY_CODE = "not_recovery_code"  # a scanned QR that is not a printed recovery code
    RECOVERY_NOT_CONFIRMED = "recovery_not_confirmed"
    RECOVERY_QR_DAMAGED = "recovery_qr_damaged"  # a recovery-code QR whose code does not check out
    REQUEST_EXPIRED = "request_expired"  # a request made too long ago for any desk to accept its answer
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


# What a scan can end with, each with its own next step (``next.<code>`` in every language):
# the scan and restore screens say what went wrong, which condition failed, and what to do
# now. The i18n test walks this set.
NEXT_STEPS: frozenset[str] = frozenset({
    CredentialReason.PREDICATE_NOT_SATISFIED, CredentialReason.PREDICATE_OUT_OF_RANGE,
    CredentialReason.NO_MATCHING_CREDENTIAL, CredentialReason.UNKNOWN_ISSUER, CredentialReason.ISSUER_NOT_VALID,
    CredentialReason.REQUEST_BAD_SIGNATURE, CredentialReason.UNSUPPORTED_PREDICATE,
    CredentialReason.UNKNOWN_ATTRIBUTE, CredentialReason.HIDDEN_ATTRIBUTE, CredentialReason.FOREIGN,
    CredentialReason.MALFORMED, CredentialReason.RECOVERY_CODE_CHECKSUM,
    WalletReason.REQUEST_EXPIRED, WalletReason.NO_CARDS, WalletReason.NOT_RECOVERY_CODE,
    WalletReason.RECOVERY_QR_DAMAGED,
    TransportReason.FOREIGN_CODE, TransportReason.NO_CODE, TransportReason.UNREADABLE,
    TransportReason.INCOMPLETE, TransportReason.INTEGRITY, TransportReason.SEVERAL_CODES,
    TransportReason.NOT_ZKAID, TransportReason.BAD_IMAGE, TrustReason.TRUST_LIST_EXPIRED,
})
