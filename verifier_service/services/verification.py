"""Online verification for agencies that verify server-side: the agency's own request and
the wallet's presentation in, a typed result out; optionally enrolled right away."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sdk.credential import verify_presentation
from sdk.credential.verifier import VerifiedPresentation, verify_presentations
from sdk.errors import CredentialError, VerificationError
from verifier_service.registry.db import Store
from verifier_service.services import registry
from verifier_service.services.auth import Principal
from verifier_service.services.errors import Conflict, Invalid
from verifier_service.services.trust_list import TrustListCache

__all__ = ["VerifyOutcome", "verify", "verify_batch"]




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


def verify_batch(store: Store, cache: TrustListCache, *, now: int, principal: Principal,
                 items: list[tuple[bytes, bytes]], enroll: bool) -> list[VerifyOutcome | Invalid | Conflict]:
    """Many (request, presentation) pairs at once: the pairings of all of them are checked
    with one multi-pairing (sdk ``verify_presentations``, specs/prover.md "Batches"); a bad
    item gets its own reason and never sinks the others. With ``enroll``, each verified
    person is enrolled in order; a duplicate is that item's Conflict(already_enrolled)."""
    with store.read() as s:
        tl = cache.get(s)
    results = verify_presentations([(p, r) for r, p in items], tl, now=now)
    out: list[VerifyOutcome | Invalid | Conflict] = []
    for res in results:
        if isinstance(res, VerificationError):
            out.append(Invalid(res.message, reason=res.reason))
            continue
        enrollment = None
        if enroll:
            try:
                enrollment = registry.enroll(store, now=now, principal=principal, scope=res.scope,
                                             pseudonym=res.pseudonym, source="verify")
            except (Conflict, Invalid) as exc:
                out.append(exc)
                continue
        out.append(VerifyOutcome(res, enrollment))
    return out
