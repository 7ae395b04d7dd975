"""The real agency service (verifier_service) in a thread, set up for field devices.

Two agencies, a registrar key and an issuer key at agency A, field-device keys per desk,
one scope per test. Credentials are issued the real way: the registrar creates an offer
over HTTP and the wallet redeems it. Nothing here imitates the service.
"""

from __future__ import annotations

import base64
import itertools
from pathlib import Path
from typing import Any

from field_app.config import FieldConfig, RequestTemplate
from field_app.service import FieldService
from sdk.client import ServiceClient
from sdk.credential import Holder, WalletSeed, household_schema, read_request
from sdk.trust import TrustAnchor, TrustList, load_trust_list
from sdk.wire import IssuedCredential, Offer, decode, encode
from tests.field_app.demo import MutableClock, Person, household

__all__ = ["ServiceWorld"]

_scopes = itertools.count(1)
V1 = "org.zkaid.household@1"  # this world's cards; its devices are set up for them


class ServiceWorld:
    def __init__(self, root: Path, clock: MutableClock, *, backend: str) -> None:
        from verifier_service.bootstrap import Bootstrap, run_in_thread
        from verifier_service.runtime import Runtime
        from verifier_service.settings import Settings

        self.clock = clock
        self.backend = backend
        self.root = root
        settings = Settings(data_dir=root / "service", dev=True)
        self.runtime = Runtime.open(settings, clock=lambda: int(clock()))
        self.boot = Bootstrap(settings, runtime=self.runtime)
        self.boot.create_agency("agency-a", "Agency A", operator=True)
        self.boot.create_agency("agency-b", "Agency B")
        self.registrar_key = self.boot.create_api_key("agency-a", "registrar")
        self.boot.create_issuer_key("agency-a", "Agency A registration")
        self.boot.sign_trust_list()
        anchor = self.boot.trust_anchor()
        assert anchor is not None
        self.anchor = anchor
        self.url, self._stop = run_in_thread(settings, runtime=self.runtime)
        self.registrar = ServiceClient(self.url, self.registrar_key)

    def close(self) -> None:
        self._stop()
        self.runtime.close()

    def new_scope(self) -> str:
        scope = f"cva/2026-12/round-{next(_scopes)}"
        self.boot.create_scope(scope, agency="agency-a")
        return scope

    def trust_list(self) -> TrustList:
        data = self.registrar.trust_list()
        assert data is not None
        return load_trust_list(data, [TrustAnchor(self.anchor)])

    def device(self, agency: str, device: str, scope: str, *, data_dir: Path | None = None,
               template: RequestTemplate | None = None) -> FieldService:
        """Register the desk with the service and set a field device up for it, the way an
        operator does: service address, agency, device, API key, scope and trust anchor. The
        trust list comes with the first sync."""
        self.boot.register_device(agency, device)
        key = self.boot.create_api_key(agency, "field_device", device_id=device)
        svc = FieldService(data_dir or self.root / device, clock=self.clock, backend=self.backend)
        svc.configure(FieldConfig(agency=agency, device_id=device, scope=scope, service_url=self.url,
                                  anchors=(self.anchor.hex(),), template=template or RequestTemplate(schema=V1)),
                      api_key=key)
        return svc

    def person(self, **values: Any) -> Person:
        """A household registered at agency A: offer over HTTP, redeemed by a new wallet."""
        made = self.registrar.create_offer(V1, household(**values))
        offer = decode(base64.b64decode(made["offer"]), Offer)
        holder = Holder(WalletSeed.generate(), backend=self.backend)
        request, pending = holder.start_issuance(offer)
        issued = decode(ServiceClient(self.url).issue(encode(request)), IssuedCredential)
        entry = self.trust_list().issuer(offer.issuer_kid)
        assert entry is not None
        cred = holder.finish_issuance(pending, issued, entry, household_schema(), now=int(self.clock()))
        return Person(holder, cred)

    def answer(self, person: Person, request: bytes) -> bytes:
        tl = self.trust_list()
        now = int(self.clock())
        rr = read_request(request, tl, now=now)
        return person.holder.present(person.holder.assess(rr, [person.credential], tl, now=now))
