"""Is a verified card still good in this scope? The offline revocation check of
specs/revocation.md, after :func:`sdk.credential.verifier.verify_presentation`."""

from __future__ import annotations

from sdk.credential.revocation import RevocationList
from sdk.credential.verifier import VerifiedPresentation, reject
from sdk.errors import TrustListError
from sdk.reasons import TrustReason, VerifyReason
from sdk.trust import Freshness

__all__ = ["check_card_status"]


def check_card_status(verified: VerifiedPresentation, revocations: RevocationList | None, *,
                      now: int) -> Freshness | None:
    """Raise VerificationError("card_revoked" / "card_replaced") for a withdrawn card, or
    TrustListError when the device cannot tell: no list for the scope ("no_revocation_list"),
    a list for another scope ("wrong_scope") or one past its grace period
    ("revocation_expired"). Returns the list's freshness (None for cards without a
    handle, which cannot be revoked one by one)."""
    token = verified.revocation_token
    if token is None:
        return None
    if revocations is None:
        raise TrustListError("this device has no list of withdrawn cards for this round: connect to sync",
                             reason=TrustReason.NO_REVOCATION_LIST)
    if revocations.scope != verified.scope:
        raise TrustListError(f"the list of withdrawn cards is for {revocations.scope!r}, not {verified.scope!r}",
                             reason=TrustReason.WRONG_SCOPE)
    fresh = revocations.require_usable(now)
    if revocations.is_revoked(token):
        raise reject(VerifyReason.CARD_REVOKED)
    if revocations.is_blocked(token):
        raise reject(VerifyReason.CARD_REPLACED)
    return fresh
