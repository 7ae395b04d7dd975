"""An in-process demo agency: trust list, registrar and field desk, for trying the wallet
without a running agency service (``python -m wallet_app --demo``), for the screenshot
script and for UI tests that need a credential but are not about the service.

It answers the same three public calls as :class:`sdk.client.ServiceClient`
(``trust_list``, ``offer_by_code``, ``issue``) with the SDK's issuer role, so the wallet
runs its real receive code against it. It is *not* the agency service: the journey test
through the real ``verifier_service`` is tests/wallet_app/test_journey_service.py.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sdk.credential import (
    IssuerKey,
    Schema,
    VerifiedPresentation,
    VerifierKey,
    build_request,
    household_schema,
    issue,
    make_offer,
    verify_presentation,
)
from sdk.credential.schema import date_to_days
from sdk.errors import ServiceError
from sdk.reasons import ClientReason, IssuanceReason
from sdk.trust import TrustAnchor, TrustList, build_payload, load_trust_list, sign_trust_list
from sdk.wire import IssuanceRequest, Offer, PredicateSpec, decode, encode

__all__ = ["DemoAgency", "household_values"]

DAY = 86400


def household_values(size: int = 6, **kw: Any) -> dict[str, Any]:
    v: dict[str, Any] = dict(
        household_size=size, head_birth_date=dt.date(1958, 3, 1), region="north",
        vulnerability="elderly_head", registration_date=dt.date(2026, 11, 1),
        valid_until=dt.date(2027, 11, 1),
    )
    v.update(kw)
    return v


@dataclass
class _PendingOffer:
    offer: Offer
    values: dict[str, Any]
    entropy: int | None
    used: bool = False


@dataclass
class DemoAgency:
    """Keys and a signed trust list made at construction; ``now`` fixes the clock."""

    now: int
    backend: str | None = None
    issuer_name: str = "Agency A registration"
    verifier_name: str = "Agency B field desk"
    schema: Schema = field(default_factory=household_schema)
    tl_key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    issuer: IssuerKey | None = None
    verifier: VerifierKey | None = None
    endpoint: str = "http://demo.invalid/v1/issue"
    _offers: dict[bytes, _PendingOffer] = field(default_factory=dict, repr=False)
    _codes: dict[str, bytes] = field(default_factory=dict, repr=False)
    entropies: list[int] = field(default_factory=list, repr=False)
    online: bool = True

    def __post_init__(self) -> None:
        if self.issuer is None:
            self.issuer = IssuerKey.generate(self.issuer_name, schemas=(self.schema.ref,), backend=self.backend)
        if self.verifier is None:
            self.verifier = VerifierKey.generate(self.verifier_name)
        payload = build_payload(
            sequence=1, issued_at=self.now - DAY, next_update=self.now + 30 * DAY, grace=30 * DAY,
            issuers=[self.issuer.entry(self.now - 30 * DAY, self.now + 730 * DAY)],
            verifiers=[self.verifier.entry(self.now - DAY, self.now + 365 * DAY)],
            schemas=[self.schema.to_def()],
        )
        self.signed_trust_list = sign_trust_list(payload, self.tl_key)

    @property
    def anchor(self) -> TrustAnchor:
        return TrustAnchor(self.tl_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw))

    @property
    def trust(self) -> TrustList:
        return load_trust_list(self.signed_trust_list, [self.anchor])

    # -- registrar -------------------------------------------------------------------
    def make_offer(self, values: dict[str, Any] | None = None, *, entropy: int | None = None) -> tuple[bytes, str]:
        """(offer QR bytes, short code) for one household."""
        assert self.issuer is not None
        token = secrets.token_bytes(16)
        offer = make_offer(self.issuer, self.schema, token=token, endpoint=self.endpoint,
                           expires=self.now + 7 * DAY)
        code = f"{secrets.token_hex(2).upper()}-{secrets.token_hex(2).upper()}"
        self._offers[token] = _PendingOffer(offer, values or household_values(), entropy)
        self._codes[code.replace("-", "")] = token
        return encode(offer), code

    # -- the three public calls of the service, as ServiceClient has them --------------
    def client(self, _base_url: str = "", _timeout: float = 0.0) -> DemoAgency:
        return self

    def _check_online(self) -> None:
        if not self.online:
            from sdk.errors import OfflineError

            raise OfflineError("no connection to the demo agency", reason=ClientReason.OFFLINE)

    def trust_list(self, *, if_sequence: int | None = None) -> bytes | None:
        self._check_online()
        return None if if_sequence == 1 else self.signed_trust_list

    def offer_by_code(self, code: str) -> bytes:
        self._check_online()
        token = self._codes.get(code.strip().upper().replace("-", ""))
        if token is None:
            raise ServiceError("unknown code", reason=IssuanceReason.UNKNOWN_CODE, status=404)
        return encode(self._offers[token].offer)

    def issue(self, issuance_request: bytes) -> bytes:
        self._check_online()
        assert self.issuer is not None
        req = decode(issuance_request, IssuanceRequest)
        pending = self._offers.get(req.token)
        if pending is None:
            raise ServiceError("unknown token", reason=IssuanceReason.TOKEN_INVALID, status=403)
        if pending.used:
            raise ServiceError("token used", reason=IssuanceReason.TOKEN_USED, status=403)
        issued, entropy = issue(self.issuer, self.schema, req, pending.values,
                                signer_entropy=pending.entropy, backend=self.backend)
        pending.used = True
        self.entropies.append(entropy)
        return encode(issued)

    # -- field desk -------------------------------------------------------------------
    def request(self, *, scope: str = "cva/2026-12/round-1", disclose: tuple[str, ...] = ("region",),
                predicates: tuple[PredicateSpec, ...] | None = None, signed: bool = True,
                purpose: dict[str, str] | None = None) -> bytes:
        """A field-desk request; by default: region shown, household size >= 5 and the
        card still valid today proven without showing."""
        assert self.verifier is not None and self.issuer is not None
        today = dt.datetime.fromtimestamp(self.now, dt.UTC).date()
        if predicates is None:
            predicates = (
                PredicateSpec("household_size", "ge", (5,)),
                PredicateSpec("valid_until", "ge", (date_to_days(today),)),
            )
        return build_request(
            verifier_id="agency-b-desk-3", scope=scope, issuers=[self.issuer.kid], schema=self.schema,
            disclose=disclose, predicates=predicates,
            purpose=purpose or {"en": "Cash assistance, December round",
                                "fr": "Aide en espèces, tour de décembre"},
            now=self.now, signing_key=self.verifier if signed else None,
        )

    def verify(self, presentation: bytes, request: bytes) -> VerifiedPresentation:
        return verify_presentation(presentation, request, self.trust, now=self.now, backend=self.backend)
