"""Every reason code zkaid raises, as one ``StrEnum`` per layer.

``ZkaidError.reason`` (and the agency service's problem ``reason``) is a short, stable,
machine-readable code that apps turn into words in each language. Keeping the codes in
enums means a raise site cannot invent a new spelling, the apps' translation tests can
enumerate every code that can reach a person, and a new code without words fails the suite
(tests/test_reasons.py, tests/*/test_i18n.py).

A member *is* its string (``StrEnum``): it compares equal to the code, serialises as the code
in JSON and CBOR, and prints as the code. The same code may appear in several layers (every
layer has its own ``malformed``); it means the same thing in each. The service's groups live
here because they are the API's contract: :mod:`sdk.client` and both apps read them, the
service raises them.

To add a reason: add a member to the enum of the layer that raises it, raise
``Enum.MEMBER``, and add its words to the apps that show that layer's reasons.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "ALL_REASONS",
    "AdminReason",
    "AuthReason",
    "BbsReason",
    "CardServiceReason",
    "ClientReason",
    "CredentialReason",
    "CurveReason",
    "ErrorReason",
    "IssuanceReason",
    "LinkageReason",
    "LinkageServiceReason",
    "LogReason",
    "LogServiceReason",
    "PredicateReason",
    "ProblemReason",
    "ReferralReason",
    "ReferralServiceReason",
    "RegistryReason",
    "SignerReason",
    "TransportReason",
    "TrustReason",
    "VerifyReason",
    "WireReason",
]


class ErrorReason(StrEnum):
    """The reason an error of :mod:`sdk.errors` carries when the raiser names none (its class's ``default_reason``)."""

    BACKEND = "backend"
    BAD_FRAME = "bad_frame"
    CREDENTIAL = "credential"
    ERROR = "error"
    INTEGRITY = "integrity"
    INVALID = "invalid"
    INVALID_POINT = "invalid_point"
    INVALID_PROOF = "invalid_proof"
    INVALID_SCALAR = "invalid_scalar"
    INVALID_SCOPE = "invalid_scope"
    INVALID_SIGNATURE = "invalid_signature"
    MALFORMED = "malformed"
    OFFLINE = "offline"
    PARAMETER = "parameter"
    REFERRAL = "referral"
    SERVICE = "service"
    TRANSPORT = "transport"
    TRUST_LIST = "trust_list"
    UNREADABLE = "unreadable"


class CurveReason(StrEnum):
    """L0 :mod:`sdk.curves`: backends and point/scalar decoding."""

    BACKEND_UNAVAILABLE = "backend_unavailable"
    BACKEND_UNKNOWN = "backend_unknown"
    IDENTITY_POINT = "identity_point"
    INVALID_LENGTH = "invalid_length"
    INVALID_POINT = "invalid_point"
    INVALID_SCALAR = "invalid_scalar"
    NOT_IN_SUBGROUP = "not_in_subgroup"


class BbsReason(StrEnum):
    """L1 :mod:`sdk.bbs`: the drafts' inputs (suites, lengths, commitments)."""

    FIELD = "field"
    INVALID_COMMITMENT = "invalid_commitment"
    INVALID_LENGTH = "invalid_length"
    UNKNOWN_SUITE = "unknown_suite"


class PredicateReason(StrEnum):
    """L2 :mod:`sdk.predicates`: range proofs on hidden attributes."""

    INVALID_LENGTH = "invalid_length"
    INVALID_RANGE_PARAMS = "invalid_range_params"
    INVALID_SCALAR = "invalid_scalar"


class WireReason(StrEnum):
    """L4 :mod:`sdk.wire`: CBOR envelopes and COSE."""

    ENCODE = "encode"
    EXTRA_FIELD = "extra_field"
    FIELD = "field"
    FOREIGN = "foreign"
    INVALID_SCOPE = "invalid_scope"
    MALFORMED = "malformed"
    MISSING_FIELD = "missing_field"
    NON_CANONICAL = "non_canonical"
    TOO_LARGE = "too_large"
    TRUNCATED = "truncated"
    UNKNOWN_TYPE = "unknown_type"
    UNKNOWN_VERSION = "unknown_version"
    WRONG_TYPE = "wrong_type"


class TrustReason(StrEnum):
    """L5 :mod:`sdk.trust`: the signed trust list."""

    BAD_SIGNATURE = "bad_signature"
    DUPLICATE_KEY = "duplicate_key"
    DUPLICATE_SCHEMA = "duplicate_schema"
    INVALID_DATES = "invalid_dates"
    MALFORMED = "malformed"
    NO_REVOCATION_LIST = "no_revocation_list"
    REVOCATION_EXPIRED = "revocation_expired"
    ROLLBACK = "rollback"
    TOO_LARGE = "too_large"
    TRUST_LIST_EXPIRED = "trust_list_expired"
    UNKNOWN_SIGNER = "unknown_signer"
    WRONG_SCOPE = "wrong_scope"


class CredentialReason(StrEnum):
    """L3 :mod:`sdk.credential`: schemas, issuer, holder, seeds, requests and ledgers."""

    ALREADY_ENROLLED = "already_enrolled"
    FOREIGN = "foreign"
    HIDDEN_ATTRIBUTE = "hidden_attribute"
    INTERNAL = "internal"
    INVALID_BINDING = "invalid_binding"
    INVALID_COMMITMENT = "invalid_commitment"
    INVALID_CREDENTIAL = "invalid_credential"
    INVALID_HANDLE = "invalid_handle"
    INVALID_NYM_COUNT = "invalid_nym_count"
    INVALID_POINT = "invalid_point"
    INVALID_SCHEMA = "invalid_schema"
    INVALID_SEED = "invalid_seed"
    INVALID_VALUE = "invalid_value"
    ISSUER_NOT_VALID = "issuer_not_valid"
    MALFORMED = "malformed"
    NO_MATCHING_CREDENTIAL = "no_matching_credential"
    NYM_COUNT_MISMATCH = "nym_count_mismatch"
    PREDICATE_NOT_SATISFIED = "predicate_not_satisfied"
    PREDICATE_OUT_OF_RANGE = "predicate_out_of_range"
    RECOVERY_CODE_CHAR = "recovery_code_char"
    RECOVERY_CODE_CHECKSUM = "recovery_code_checksum"
    RECOVERY_CODE_LENGTH = "recovery_code_length"
    REQUEST_BAD_SIGNATURE = "request_bad_signature"
    SCHEMA_MISMATCH = "schema_mismatch"
    UNKNOWN_ATTRIBUTE = "unknown_attribute"
    UNKNOWN_ISSUER = "unknown_issuer"
    UNKNOWN_SCHEMA = "unknown_schema"
    UNSUPPORTED_PREDICATE = "unsupported_predicate"
    WRONG_ISSUER = "wrong_issuer"


class VerifyReason(StrEnum):
    """Why :func:`sdk.credential.verify_presentation` refuses a presentation (a field device shows each one)."""

    ALREADY_ENROLLED = "already_enrolled"
    CARD_REPLACED = "card_replaced"
    CARD_REVOKED = "card_revoked"
    DISCLOSURE_MISMATCH = "disclosure_mismatch"
    INVALID_PROOF = "invalid_proof"
    ISSUER_NOT_ACCEPTED = "issuer_not_accepted"
    ISSUER_NOT_VALID = "issuer_not_valid"
    MALFORMED = "malformed"
    PREDICATE_FAILED = "predicate_failed"
    REQUEST_MISMATCH = "request_mismatch"
    SCHEMA_MISMATCH = "schema_mismatch"
    TRUST_LIST_EXPIRED = "trust_list_expired"
    UNKNOWN_ISSUER = "unknown_issuer"
    UNKNOWN_SCHEMA = "unknown_schema"
    UNSUPPORTED_PREDICATE = "unsupported_predicate"


class ReferralReason(StrEnum):
    """:mod:`sdk.referral`: sealing, opening and consenting to referrals."""

    BAD_ATTRIBUTE = "bad_attribute"
    BAD_KEY = "bad_key"
    BAD_LIFETIME = "bad_lifetime"
    CONSENT_INVALID = "consent_invalid"
    CONSENT_MISMATCH = "consent_mismatch"
    CONTENT_MISMATCH = "content_mismatch"
    EXPIRED = "expired"
    MALFORMED = "malformed"
    NO_CARD = "no_card"
    NO_REFERRAL_KEY = "no_referral_key"
    NOTE_TOO_LONG = "note_too_long"
    SAME_AGENCY = "same_agency"
    TAMPERED = "tampered"
    TOO_LARGE = "too_large"
    TOO_MANY_ATTRIBUTES = "too_many_attributes"
    UNKNOWN_SUITE = "unknown_suite"
    UNKNOWN_TYPE = "unknown_type"
    UNKNOWN_URGENCY = "unknown_urgency"
    UNKNOWN_VERSION = "unknown_version"
    WRONG_RECIPIENT = "wrong_recipient"
    WRONG_TYPE = "wrong_type"


class TransportReason(StrEnum):
    """:mod:`sdk.transport`: QR framing, rendering, camera and decoding (the scan statuses included)."""

    BAD_FRAME = "bad_frame"
    BAD_IMAGE = "bad_image"
    CAMERA_UNAVAILABLE = "camera_unavailable"
    EMPTY = "empty"
    FOREIGN_CODE = "foreign_code"
    INCOMPLETE = "incomplete"
    INTEGRITY = "integrity"
    NO_CODE = "no_code"
    NOT_ZKAID = "not_zkaid"
    SEVERAL_CODES = "several_codes"
    TOO_LARGE = "too_large"
    TRUNCATED = "truncated"
    UNREADABLE = "unreadable"
    UNSUPPORTED_VERSION = "unsupported_version"


class ClientReason(StrEnum):
    """:mod:`sdk.client` itself (the service's own reasons travel unchanged, see the groups below)."""

    BAD_PATH = "bad_path"
    BAD_REFERRAL_ID = "bad_referral_id"
    BAD_RESPONSE = "bad_response"
    BAD_URL = "bad_url"
    HTTP_ERROR = "http_error"
    OFFLINE = "offline"


class ProblemReason(StrEnum):
    """Any endpoint of the agency service API can answer these (transport-level problems)."""

    BODY_TIMEOUT = "body_timeout"
    BUSY = "busy"
    CONFLICT = "conflict"
    ERROR = "error"
    FORBIDDEN = "forbidden"
    GONE = "gone"
    INTERNAL = "internal"
    INVALID_REQUEST = "invalid_request"
    INVALID_VALUE = "invalid_value"
    MALFORMED = "malformed"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_ACCEPTABLE = "not_acceptable"
    NOT_FOUND = "not_found"
    STORAGE_FULL = "storage_full"
    TOO_LARGE = "too_large"
    TOO_MANY_REQUESTS = "too_many_requests"
    UNAUTHORIZED = "unauthorized"
    UNAVAILABLE = "unavailable"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"


class AuthReason(StrEnum):
    """Agency service: who may call what."""

    DEVICE_NOT_ALLOWED = "device_not_allowed"
    DEVICE_REQUIRED = "device_required"
    FORBIDDEN = "forbidden"
    UNAUTHORIZED = "unauthorized"


class IssuanceReason(StrEnum):
    """Agency service: offers and issuance (what a wallet can be told)."""

    CODE_EXHAUSTED = "code_exhausted"
    INVALID_OFFER = "invalid_offer"
    ISSUER_KEY_EXPIRED = "issuer_key_expired"
    MALFORMED = "malformed"
    NO_TRUST_LIST = "no_trust_list"
    PUBLIC_URL_NOT_SET = "public_url_not_set"
    SCHEMA_MISMATCH = "schema_mismatch"
    SIGNER_REFUSED = "signer_refused"
    SIGNER_UNAVAILABLE = "signer_unavailable"
    TOKEN_EXPIRED = "token_expired"
    TOKEN_INVALID = "token_invalid"
    TOKEN_USED = "token_used"
    UNKNOWN_CODE = "unknown_code"
    UNKNOWN_CREDENTIAL = "unknown_credential"


class RegistryReason(StrEnum):
    """Agency service: enrollment, sync and the dedup registry (what a field device can be told)."""

    ALREADY_ENROLLED = "already_enrolled"
    INVALID_POINT = "invalid_point"
    INVALID_PSEUDONYM = "invalid_pseudonym"
    INVALID_SCOPE = "invalid_scope"
    INVALID_TIME = "invalid_time"
    NO_TRUST_LIST = "no_trust_list"
    SCOPE_EXISTS = "scope_exists"
    TOO_LARGE = "too_large"
    UNKNOWN_DEVICE = "unknown_device"
    UNKNOWN_SCOPE = "unknown_scope"
    WRONG_DEVICE = "wrong_device"


class AdminReason(StrEnum):
    """Agency service: agencies, devices, keys, schemas and trust-list signing."""

    APPROVAL_NOT_USED = "approval_not_used"
    AGENCY_EXISTS = "agency_exists"
    BAD_SIGNING_KEY = "bad_signing_key"
    DEVICE_EXISTS = "device_exists"
    DEVICE_NOT_ALLOWED = "device_not_allowed"
    DEVICE_REQUIRED = "device_required"
    FORBIDDEN = "forbidden"
    INVALID_AGENCY_ID = "invalid_agency_id"
    INVALID_DATES = "invalid_dates"
    INVALID_DEVICE_ID = "invalid_device_id"
    INVALID_KEY = "invalid_key"
    INVALID_NAME = "invalid_name"
    INVALID_NYM_COUNT = "invalid_nym_count"
    INVALID_ROLE = "invalid_role"
    INVALID_SCHEMA = "invalid_schema"
    INVALID_SCHEMA_REF = "invalid_schema_ref"
    INVALID_SIGNER = "invalid_signer"
    KEY_EXISTS = "key_exists"
    KEY_HELD_BY_SIGNER = "key_held_by_signer"
    KEY_RETIRED = "key_retired"
    NO_ISSUER_KEY = "no_issuer_key"
    NO_SIGNING_KEY = "no_signing_key"
    NO_TRUST_LIST = "no_trust_list"
    SCHEMA_EXISTS = "schema_exists"
    SCHEMA_NOT_YOURS = "schema_not_yours"
    TRUST_LIST_INVALID = "trust_list_invalid"
    TRUST_LIST_ROLLBACK = "trust_list_rollback"
    TRUST_LIST_UNBUILDABLE = "trust_list_unbuildable"
    UNKNOWN_AGENCY = "unknown_agency"
    UNKNOWN_DEVICE = "unknown_device"
    UNKNOWN_ISSUER_KEY = "unknown_issuer_key"
    UNKNOWN_KEY = "unknown_key"
    UNKNOWN_SCHEMA = "unknown_schema"
    VERIFIER_NAME_TAKEN = "verifier_name_taken"


class LogReason(StrEnum):
    """:mod:`sdk.log`: the RFC 9162 tamper-evident log, its proofs and signed tree heads."""

    LOG_BAD_COSIGNATURE = "log_bad_cosignature"
    LOG_BAD_ENTRY = "log_bad_entry"
    LOG_BAD_INDEX = "log_bad_index"
    LOG_BAD_PROOF = "log_bad_proof"
    LOG_BAD_SIGNATURE = "log_bad_signature"
    LOG_BAD_TREE_HEAD = "log_bad_tree_head"
    LOG_INCONSISTENT = "log_inconsistent"
    LOG_INVALID = "log_invalid"
    LOG_NOT_INCLUDED = "log_not_included"
    LOG_SHRUNK = "log_shrunk"


class ReferralServiceReason(StrEnum):
    """Agency service: the referral routes (keys, types, sealed referrals and their status)."""

    BAD_LIFETIME = "bad_lifetime"
    BAD_TIME = "bad_time"
    EXPIRED = "expired"
    INVALID_DATES = "invalid_dates"
    INVALID_KEY = "invalid_key"
    INVALID_LABELS = "invalid_labels"
    INVALID_NAME = "invalid_name"
    INVALID_TRANSITION = "invalid_transition"
    INVALID_TYPE = "invalid_type"
    KEY_EXISTS = "key_exists"
    MALFORMED = "malformed"
    NOT_RECIPIENT = "not_recipient"
    NOT_YOURS = "not_yours"
    REPLAYED = "replayed"
    UNKNOWN_KEY = "unknown_key"
    UNKNOWN_REFERRAL = "unknown_referral"
    WRONG_RECIPIENT = "wrong_recipient"
    WRONG_SENDER = "wrong_sender"


class LinkageReason(StrEnum):
    """:mod:`sdk.linkage` and :mod:`sdk.stewards`: person matching, match records and the stewards' threshold OPRF."""

    BAD_ANSWER = "bad_answer"
    BAD_DATE = "bad_date"
    BAD_FIELD = "bad_field"
    BAD_MATCH_RECORD = "bad_match_record"
    BAD_PHONE = "bad_phone"
    BAD_SEX = "bad_sex"
    BAD_SHARE = "bad_share"
    BAD_SHARE_FILE = "bad_share_file"
    BAD_STEWARD_CONFIG = "bad_steward_config"
    BAD_STEWARD_PROOF = "bad_steward_proof"
    EVALUATOR = "evaluator"
    FIELD_TOO_LONG = "field_too_long"
    INVALID_INPUT = "invalid_input"
    INVALID_SCALAR = "invalid_scalar"
    NO_NAME = "no_name"
    TOO_FEW_ANSWERS = "too_few_answers"
    TOO_FEW_STEWARDS = "too_few_stewards"
    TOO_LARGE = "too_large"
    UNKNOWN_STEWARD = "unknown_steward"


class LinkageServiceReason(StrEnum):
    """Agency service: registration checks, steward shares, the OPRF route and list comparisons."""

    ALREADY_CHECKED = "already_checked"
    ALREADY_RESOLVED = "already_resolved"
    ALREADY_SUBMITTED = "already_submitted"
    COMPARISON_CLOSED = "comparison_closed"
    COMPARISON_EXPIRED = "comparison_expired"
    DUPLICATE_ROW = "duplicate_row"
    INVALID_DECISION = "invalid_decision"
    INVALID_ELEMENT = "invalid_element"
    INVALID_MATCH_RECORD = "invalid_match_record"
    INVALID_SHARE = "invalid_share"
    INVALID_UPLOAD = "invalid_upload"
    NOTHING_TO_RESOLVE = "nothing_to_resolve"
    NOT_A_STEWARD = "not_a_steward"
    NO_ROWS = "no_rows"
    OFFER_EXPIRED = "offer_expired"
    OFFER_USED = "offer_used"
    REGISTRATION_HELD = "registration_held"
    RESULT_NOT_READY = "result_not_ready"
    ROW_COUNT_MISMATCH = "row_count_mismatch"
    SELF_COMPARISON = "self_comparison"
    SHARE_EXISTS = "share_exists"
    STEWARD_KEY_MISMATCH = "steward_key_mismatch"
    TOO_MANY_COMPARISONS = "too_many_comparisons"
    TOO_MANY_ROWS = "too_many_rows"
    UNKNOWN_AGENCY = "unknown_agency"
    UNKNOWN_CHECK = "unknown_check"
    UNKNOWN_COMPARISON = "unknown_comparison"
    UNKNOWN_OFFER = "unknown_offer"


class CardServiceReason(StrEnum):
    """Agency service: card revocation, replacement and status."""

    ALREADY_REVOKED = "already_revoked"
    INVALID_REASON = "invalid_reason"
    NO_SIGNING_KEY = "no_signing_key"
    UNKNOWN_CREDENTIAL = "unknown_credential"
    UNKNOWN_SCOPE = "unknown_scope"


class LogServiceReason(StrEnum):
    """Agency service: the registry log routes (tree heads, proofs, witnesses)."""

    LOG_BAD_INDEX = "log_bad_index"
    LOG_BAD_SIZE = "log_bad_size"
    LOG_DAMAGED = "log_damaged"
    LOG_UNAVAILABLE = "log_unavailable"
    LOG_UNKNOWN_HEAD = "log_unknown_head"
    LOG_UNKNOWN_LEAF = "log_unknown_leaf"


class SignerReason(StrEnum):
    """An agency's own issuance signer (``zkaid signer serve``): why it refused to sign."""

    APPROVAL_INVALID = "approval_invalid"
    APPROVAL_REQUIRED = "approval_required"
    BAD_REQUEST = "bad_request"
    INVALID_COMMITMENT = "invalid_commitment"
    INVALID_VALUES = "invalid_values"
    JOURNAL_FAILED = "journal_failed"
    RATE_LIMITED = "rate_limited"
    REPLAYED = "replayed"
    STALE_REQUEST = "stale_request"
    UNAUTHENTICATED = "unauthenticated"
    UNKNOWN_SCHEMA = "unknown_schema"
    WRONG_KEY = "wrong_key"


ALL_REASONS: tuple[type[StrEnum], ...] = (
    SignerReason,
    LogServiceReason,
    CardServiceReason,
    LinkageServiceReason,
    LinkageReason,
    ReferralServiceReason,
    LogReason,
    ErrorReason,
    CurveReason,
    BbsReason,
    PredicateReason,
    WireReason,
    TrustReason,
    CredentialReason,
    VerifyReason,
    ReferralReason,
    TransportReason,
    ClientReason,
    ProblemReason,
    AuthReason,
    IssuanceReason,
    RegistryReason,
    AdminReason,
)
