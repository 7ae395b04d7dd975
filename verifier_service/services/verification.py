"""Online verification for agencies that verify server-side: the agency's own request and
the wallet's presentation in, a typed result out; optionally enrolled right away."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sdk.credential import verify_presentation
from sdk.credential.verifier import VerifiedPresentation
from sdk.errors import CredentialError, VerificationError
from verifier_service.registry.db import Store
from verifier_service.services import registry
from verifier_service.services.auth import Principal
from verifier_service.services.errors import Invalid
from verifier_service.services.trust_list import TrustListCache

__all__ = ["VerifyOutcome", "verify"]


@dataclass(frozen=True)
class VerifyOutcome:
    verified: VerifiedPresentation
    enrollment: registry.EnrollmentInfo | None

    @property
    def disclosed_json(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, dt.date) else v.hex() if isinstance(v, bytes) else v)
                for k, v in self.verified.disclosed.items()}


def verify(store: Store, cache: TrustListCache, *, now: int, principal: Principal, request: bytes,
           presentation: bytes, enroll: bool) -> VerifyOutcome:
    """Raises Invalid with the verifier's reason (422), or Conflict(already_enrolled)."""
    with store.read() as s:
        tl = cache.get(s)
    try:
        v = verify_presentation(presentation, request, tl, now=now)
    except (VerificationError, CredentialError) as exc:
        raise Invalid(exc.message, reason=exc.reason) from exc
    enrollment = None
    if enroll:
        enrollment = registry.enroll(store, now=now, principal=principal, scope=v.scope, pseudonym=v.pseudonym,
                                     source="verify")
    return VerifyOutcome(v, enrollment)
