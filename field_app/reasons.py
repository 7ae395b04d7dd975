"""The field app's own reason codes, and which codes its screens put into words.

The words live in ``field_app/i18n`` under ``reason.<code>`` / ``headline.<code>`` (checks),
``setup.error.<code>`` (setup), ``sync.<code>`` and ``ready.<code>``. The i18n test walks
the enums named here, so a new code without words in every language fails the suite. A code
that reaches a screen without words (a newer SDK, say) is shown as "unknown reason: <code>",
never as another reason.
"""

from __future__ import annotations

from enum import StrEnum

from sdk.reasons import ClientReason, TrustReason, VerifyReason

__all__ = [
    "CHECK_REASONS",
    "SETUP_REASONS",
    "CheckReason",
    "ReadyState",
    "SetupReason",
    "SyncState",
]


class CheckReason(StrEnum):
    """A check's verdict beyond the SDK verifier's own refusals (:class:`VerifyReason`)."""

    ENROLLED = "enrolled"  # the only yes
    ALREADY_ENROLLED_HERE = "already_enrolled_here"
    ALREADY_ENROLLED_ELSEWHERE = "already_enrolled_elsewhere"
    CREDENTIAL_EXPIRED = "credential_expired"
    REQUEST_EXPIRED = "request_expired"
    REQUEST_MISMATCH = "request_mismatch"
    WRONG_SCOPE = "wrong_scope"
    UNREADABLE = "unreadable"
    FOREIGN = "foreign"
    NOT_PRESENTATION = "not_presentation"
    MALFORMED = "malformed"
    NO_TRUST_LIST = "no_trust_list"
    NOT_SET_UP = "not_set_up"
    TRUST_LIST_EXPIRED = "trust_list_expired"
    # issue 13: the device's signed list of withdrawn cards (specs/revocation.md)
    CARD_REVOKED = "card_revoked"
    CARD_REPLACED = "card_replaced"
    NO_REVOCATION_LIST = "no_revocation_list"
    REVOCATION_EXPIRED = "revocation_expired"
    ONE_TIME_SCOPE = "one_time_scope"  # the wallet did not answer in this round's scope


class SetupReason(StrEnum):
    """Why a setup value, a request template or a request file is refused."""

    BAD_ANCHOR = "bad_anchor"
    BAD_API_KEY = "bad_api_key"
    BAD_CONFIG = "bad_config"
    BAD_ISSUER = "bad_issuer"
    BAD_KEYRING = "bad_keyring"
    BAD_PREDICATE = "bad_predicate"
    BAD_REQUEST = "bad_request"
    BAD_SCOPE = "bad_scope"
    BAD_SCHEMA = "bad_schema"
    BAD_TEMPLATE = "bad_template"
    BAD_TTL = "bad_ttl"
    BAD_URL = "bad_url"
    BAD_VERIFIER_KEY = "bad_verifier_key"
    MISSING_AGENCY = "missing_agency"
    MISSING_DEVICE = "missing_device"
    MISSING_PURPOSE = "missing_purpose"
    MISSING_SCOPE = "missing_scope"
    NO_ISSUER = "no_issuer"
    NO_SERVICE = "no_service"
    NO_TRUST_LIST = "no_trust_list"
    NOT_SET_UP = "not_set_up"
    SETUP = "setup"
    UNKNOWN_SCHEMA = "unknown_schema"


class SyncState(StrEnum):
    SYNCED = "synced"
    OFFLINE = "offline"
    REFUSED = "refused"
    NO_SERVICE = "no_service"
    NOT_SET_UP = "not_set_up"


class ReadyState(StrEnum):
    READY = "ready"
    NOT_SET_UP = "not_set_up"
    NO_TRUST_LIST = "no_trust_list"
    TRUST_LIST_EXPIRED = "trust_list_expired"


# What a check can answer (words under reason.<code> and headline.<code>).
CHECK_REASONS: tuple[type[StrEnum], ...] = (CheckReason, VerifyReason)
# What the setup screen explains (setup.error.<code>): its own codes, a refused trust list,
# and a service that cannot be reached.
SETUP_REASONS: tuple[type[StrEnum], ...] = (SetupReason, TrustReason, ClientReason)
