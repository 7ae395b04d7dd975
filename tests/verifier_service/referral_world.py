"""Referral helpers over the test deployment (tests/verifier_service/helpers.py): agency B's
desk keys, the agreed types, and the A desk -> wallet -> service steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sdk.credential import Credential, Holder, read_request, verify_presentation
from sdk.referral import (
    SUITES,
    X25519,
    ReferralKeyPair,
    Sealed,
    compose,
    consent,
    make_offer,
    read_offer,
    referral_scope,
    seal_referral,
)
from tests.verifier_service.helpers import Deployment

CBOR = {"Content-Type": "application/cbor"}
NOTE = "Mother of three, asks for a follow-up visit about a chronic cough."


@dataclass
class Referrals:
    dep: Deployment
    keys: dict[str, ReferralKeyPair] = field(default_factory=dict)

    def setup(self) -> Referrals:
        c, h = self.dep.client, self.dep.h
        for tid, label in (("health", "Health care"), ("shelter", "Shelter")):
            r = c.put(f"/v1/referrals/types/{tid}", json={"labels": {"en": label, "fr": label + " (fr)"}},
                      headers=h("admin_a"))
            assert r.status_code == 200, r.text
        for suite in SUITES:
            self.keys[suite] = ReferralKeyPair.generate(suite)
            r = c.post("/v1/referrals/keys", json={"name": "Agency B", "suite": suite,
                                                   "public_key": self.keys[suite].public_key.hex()},
                       headers=h("admin_b"))
            assert r.status_code == 201, r.text
        return self

    def seal(self, suite: str = X25519, *, note: str = NOTE, **kw: Any) -> tuple[Any, Sealed]:
        tl = self.dep.trust_list()
        args: dict[str, Any] = dict(referral_type="health", urgency="soon", note=note,
                                    attributes={"household_size": 6, "region": "north"}, from_agency="agency-a",
                                    to_agency="agency-b", now=self.dep.clock.now)
        args.update(kw)
        content = compose(tl, **args)
        return content, seal_referral(content, tl, now=self.dep.clock.now, suite_name=suite)

    def offer(self, content: Any, sealed: Sealed) -> bytes:
        tl = self.dep.trust_list()
        return make_offer(content, sealed, schema=self.dep.schema, issuers=[i.kid for i in tl.payload.issuers],
                          purpose={"en": "Referral to Agency B"}, now=self.dep.clock.now)

    def consent(self, holder: Holder, cred: Credential, offer: bytes) -> bytes:
        tl = self.dep.trust_list()
        return consent(holder, read_offer(offer, tl, now=self.dep.clock.now), [cred], tl, now=self.dep.clock.now)

    def submission(self, holder: Holder, cred: Credential, suite: str = X25519, **kw: Any) -> tuple[Any, Sealed, bytes]:
        content, sealed = self.seal(suite, **kw)
        return content, sealed, self.consent(holder, cred, self.offer(content, sealed))

    def send(self, data: bytes, who: str = "registrar_a") -> Any:
        return self.dep.client.post("/v1/referrals", content=data, headers={**self.dep.h(who), **CBOR})

    def desk_scan(self, holder: Holder, cred: Credential) -> bytes:
        """B's desk reads the person's pseudonym in B's referral scope (no name)."""
        tl = self.dep.trust_list()
        req = self.dep.request(scope=referral_scope("agency-b"), disclose=())
        rr = read_request(req, tl, now=self.dep.clock.now)
        pres = holder.present(holder.assess(rr, [cred], tl, now=self.dep.clock.now))
        return verify_presentation(pres, rr, tl, now=self.dep.clock.now).pseudonym
