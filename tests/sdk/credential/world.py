"""A small deployment for credential tests: trust-list key, issuer, verifier, schema."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sdk.credential import (
    Credential,
    Holder,
    IssuerKey,
    Schema,
    VerifierKey,
    WalletSeed,
    build_request,
    household_schema,
    issue,
    make_offer,
)
from sdk.trust import TrustAnchor, TrustList, build_payload, load_trust_list, sign_trust_list
from sdk.wire import PredicateSpec

NOW = 1_796_083_200  # 2026-12-01T00:00:00Z
DAY = 86400


def raw_key(k: Ed25519PrivateKey) -> bytes:
    return k.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def household(size: int = 6, birth: dt.date = dt.date(1950, 3, 1), **kw: Any) -> dict[str, Any]:
    v: dict[str, Any] = dict(
        household_size=size, head_birth_date=birth, region="north", vulnerability="elderly_head",
        registration_date=dt.date(2026, 11, 1), valid_until=dt.date(2027, 11, 1),
    )
    v.update(kw)
    return v


_ISSUERS: dict[tuple[str, str], IssuerKey] = {}


def issuer_key(name: str, backend: str, schema: Schema) -> IssuerKey:
    """Issuer keys are cached per (name, backend): making range parameters is the slow part."""
    key = (name, backend)
    if key not in _ISSUERS:
        _ISSUERS[key] = IssuerKey.generate(name, schemas=(schema.ref,), backend=backend)
    return _ISSUERS[key]


@dataclass
class World:
    backend: str
    issuer_name: str = "Agency A registration"
    schema: Schema = field(default_factory=household_schema)
    tl_key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    issuer: IssuerKey = field(init=False)
    verifier: VerifierKey = field(default_factory=lambda: VerifierKey.generate("Agency B field desk"))
    trust_list: TrustList = field(init=False)

    def __post_init__(self) -> None:
        self.issuer = issuer_key(self.issuer_name, self.backend, self.schema)
        self.trust_list = self.make_trust_list()

    @property
    def anchor(self) -> TrustAnchor:
        return TrustAnchor(raw_key(self.tl_key))

    def make_trust_list(self, *, issuers: list[IssuerKey] | None = None, next_update: int = NOW + DAY,
                        grace: int = 7 * DAY, key: Ed25519PrivateKey | None = None,
                        validity: tuple[int, int] = (NOW - 30 * DAY, NOW + 365 * DAY)) -> TrustList:
        payload = build_payload(
            sequence=1, issued_at=NOW - DAY, next_update=next_update, grace=grace,
            issuers=[i.entry(*validity) for i in (issuers or [self.issuer])],
            verifiers=[self.verifier.entry(NOW - DAY, NOW + 90 * DAY)], schemas=[self.schema.to_def()],
        )
        signed = sign_trust_list(payload, key or self.tl_key)
        return load_trust_list(signed, [self.anchor]) if key is None else TrustList(payload, signed, b"")

    def enroll_wallet(self, values: dict[str, Any], seed: WalletSeed | None = None,
                      entropy: int | None = None) -> tuple[Holder, Credential, int]:
        seed = seed or WalletSeed.generate()
        holder = Holder(seed, backend=self.backend)
        offer = make_offer(self.issuer, self.schema, token=b"T" * 16, endpoint="http://127.0.0.1/issue",
                           expires=NOW + 3600)
        req, pending = holder.start_issuance(offer)
        issued, used = issue(self.issuer, self.schema, req, values, signer_entropy=entropy, backend=self.backend)
        entry = self.trust_list.issuer(self.issuer.kid)
        assert entry is not None
        return holder, holder.finish_issuance(pending, issued, entry, self.schema, now=NOW), used

    def request(self, scope: str = "cva/2026-12/round-1", disclose: tuple[str, ...] = ("region",),
                predicates: tuple[PredicateSpec, ...] = (), signed: bool = True, **kw: Any) -> bytes:
        return build_request(
            verifier_id="agency-b", scope=scope, issuers=[self.issuer.kid], schema=self.schema,
            disclose=disclose, predicates=predicates,
            purpose={"en": "Cash assistance, December round", "fr": "Aide en espèces, tour de décembre"},
            now=NOW, signing_key=self.verifier if signed else None, **kw,
        )
