"""Referrals between agencies: sealed with HPKE to the receiving agency, released only with
the person's consent bound to the referral's digest (specs/referrals.md, docs/referrals.md).

Layer: above :mod:`sdk.credential` (consent is a presentation) and :mod:`sdk.trust`
(referral keys and types are published in the signed trust list).
"""

from sdk.referral.consent import (
    AcceptedReferral,
    ReceivedOffer,
    ReferralBatch,
    ReferralOffer,
    ReferralSubmission,
    ReferralWithdrawal,
    consent,
    consent_nonce,
    make_offer,
    read_offer,
    referral_scope,
    verify_submission,
    verify_submissions,
    verify_withdrawal,
    withdraw,
    withdraw_nonce,
)
from sdk.referral.envelope import (
    MAX_ATTRIBUTES,
    MAX_LIFETIME,
    MAX_NOTE,
    URGENCIES,
    ReferralContent,
    ReferralHeader,
    Sealed,
    SealedReferral,
    compose,
    content_digest,
    open_referral,
    read_sealed,
    referral_digest,
    seal_referral,
)
from sdk.referral.hpke import HYBRID, SUITES, X25519, HpkeSuite, ReferralKeyPair
from sdk.referral.outbox import FlushResult, Outbox

__all__ = [
    "HYBRID",
    "MAX_ATTRIBUTES",
    "MAX_LIFETIME",
    "MAX_NOTE",
    "SUITES",
    "URGENCIES",
    "X25519",
    "AcceptedReferral",
    "FlushResult",
    "HpkeSuite",
    "Outbox",
    "ReceivedOffer",
    "ReferralBatch",
    "ReferralContent",
    "ReferralHeader",
    "ReferralKeyPair",
    "ReferralOffer",
    "ReferralSubmission",
    "ReferralWithdrawal",
    "Sealed",
    "SealedReferral",
    "compose",
    "consent",
    "consent_nonce",
    "content_digest",
    "make_offer",
    "open_referral",
    "read_offer",
    "read_sealed",
    "referral_digest",
    "referral_scope",
    "seal_referral",
    "verify_submission",
    "verify_submissions",
    "verify_withdrawal",
    "withdraw",
    "withdraw_nonce",
]
