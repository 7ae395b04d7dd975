"""A small multi-agency deployment of the service for tests: agencies A and B, keys for
every role, an issuer key at A, a field device at B, a scope, and wallets."""

from __future__ import annotations

import base64
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient

from sdk.credential import (
    Credential,
    Holder,
    IssuerKey,
    VerifierKey,
    WalletSeed,
    build_request,
    household_schema,
    read_request,
)
from sdk.curves import get_backend
from sdk.trust import TrustAnchor, TrustList, load_trust_list
from sdk.wire import IssuedCredential, Offer, decode, encode
from verifier_service.app import create_app
from verifier_service.bootstrap import Bootstrap
from verifier_service.runtime import Runtime
from verifier_service.settings import Settings

NOW = 1_796_083_200  # 2026-12-01T00:00:00Z
SCOPE = "cva/2026-12/round-1"
SCOPE2 = "cva/2027-01/round-2"
HOUSEHOLD = "org.zkaid.household@1"


class Clock:
    def __init__(self, now: int = NOW) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now

    def advance(self, seconds: int) -> None:
        self.now += seconds


def household(size: int = 6, **kw: Any) -> dict[str, Any]:
    v: dict[str, Any] = dict(
        household_size=size, head_birth_date="1950-03-01", region="north", vulnerability="elderly_head",
        registration_date="2026-11-01", valid_until="2027-11-01",
    )
    v.update(kw)
    return v


def settings_for(data_dir: os.PathLike[str] | str, database_url: str, **kw: Any) -> Settings:
    base: dict[str, Any] = dict(data_dir=data_dir, database_url=database_url, dev=True,
                                kek=base64.b64encode(bytes(range(100, 132))).decode(), db_pool_size=5, db_max_overflow=60,
                                sqlite_synchronous="NORMAL")
    base.update(kw)
    return Settings(**base)


def pseudonyms(n: int, seed: int = 1) -> list[bytes]:
    """n distinct valid pseudonyms (G1 points)."""
    be = get_backend()
    g = be.g1_generator()
    p = be.g1_mul(g, 1000 + seed * 7919)
    out = []
    for _ in range(n):
        out.append(be.g1_to_bytes(p))
        p = be.g1_add(p, g)
    return out


@dataclass
class Deployment:
    rt: Runtime
    clock: Clock
    client: TestClient
    keys: dict[str, str]
    issuer_kid: str
    desk_key: VerifierKey
    anchor: bytes
    schema: Any = field(default_factory=household_schema)

    def h(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[who]}"}

    def trust_list(self) -> TrustList:
        r = self.client.get("/v1/trust-list")
        assert r.status_code == 200, r.text
        return load_trust_list(r.content, [TrustAnchor(self.anchor)])

    # -- wallets ------------------------------------------------------------------
    def offer(self, who: str = "registrar_a", values: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        r = self.client.post("/v1/offers", json={"schema": HOUSEHOLD, "values": values or household(), **kw},
                             headers=self.h(who))
        assert r.status_code == 201, r.text
        out: dict[str, Any] = r.json()
        return out

    def wallet(self, seed: WalletSeed | None = None, values: dict[str, Any] | None = None,
               reissue_of: str | None = None) -> tuple[Holder, Credential, str]:
        """Offer -> wallet request -> issued credential, over HTTP."""
        made = self.offer(values=values, reissue_of=reissue_of)
        offer = decode(base64.b64decode(made["offer"]), Offer)
        holder = Holder(seed or WalletSeed.generate())
        req, pending = holder.start_issuance(offer)
        r = self.client.post("/v1/issue", content=encode(req), headers={"Content-Type": "application/cbor"})
        assert r.status_code == 200, r.text
        issued = decode(r.content, IssuedCredential)
        tl = self.trust_list()
        entry = tl.issuer(offer.issuer_kid)
        assert entry is not None
        cred = holder.finish_issuance(pending, issued, entry, self.schema, now=self.clock.now)
        return holder, cred, made["credential_id"]

    def request(self, scope: str = SCOPE, **kw: Any) -> bytes:
        tl = self.trust_list()
        return build_request(verifier_id="agency-b", scope=scope, issuers=[i.kid for i in tl.payload.issuers],
                             schema=self.schema, disclose=kw.pop("disclose", ("region",)),
                             purpose={"en": "Cash assistance"}, now=self.clock.now,
                             signing_key=kw.pop("signing_key", self.desk_key), **kw)

    def present(self, holder: Holder, cred: Credential, scope: str = SCOPE, **kw: Any) -> tuple[bytes, bytes]:
        tl = self.trust_list()
        req = self.request(scope, **kw)
        rr = read_request(req, tl, now=self.clock.now)
        return req, holder.present(holder.assess(rr, [cred], tl, now=self.clock.now))

    def verify_json(self, req: bytes, pres: bytes, enroll: bool = False) -> dict[str, Any]:
        return {"request": base64.b64encode(req).decode(), "presentation": base64.b64encode(pres).decode(),
                "enroll": enroll}


_ISSUER: list[IssuerKey] = []


def issuer_key() -> IssuerKey:
    """One issuer key for the whole session: range parameters are the slow part."""
    if not _ISSUER:
        _ISSUER.append(IssuerKey.generate("Agency A registration", schemas=(HOUSEHOLD,)))
    return _ISSUER[0]


def make_deployment(settings: Settings, clock: Clock) -> Iterator[Deployment]:
    rt = Runtime.open(settings, clock=clock)
    try:
        desk = VerifierKey.generate("Agency B desk 1")
        with Bootstrap(settings, runtime=rt) as b:
            b.create_agency("agency-a", "Agency A", operator=True)
            b.create_agency("agency-b", "Agency B")
            keys = {
                "admin_a": b.create_api_key("agency-a", "admin"),
                "registrar_a": b.create_api_key("agency-a", "registrar"),
                "auditor_a": b.create_api_key("agency-a", "auditor"),
                "admin_b": b.create_api_key("agency-b", "admin"),
                "registrar_b": b.create_api_key("agency-b", "registrar"),
                "auditor_b": b.create_api_key("agency-b", "auditor"),
            }
            b.register_device("agency-a", "tablet-1")
            keys["device_a"] = b.create_api_key("agency-a", "field_device", device_id="tablet-1")
            b.register_device("agency-b", "desk-1", name="Agency B desk 1", verifier_public_key=desk.public_key)
            b.register_device("agency-b", "desk-2")
            keys["device_b"] = b.create_api_key("agency-b", "field_device", device_id="desk-1")
            keys["device_b2"] = b.create_api_key("agency-b", "field_device", device_id="desk-2")
            kid = b.create_issuer_key("agency-a", "Agency A registration", key=issuer_key())
            b.create_scope(SCOPE, agency="agency-a")
            b.create_scope(SCOPE2, agency="agency-a")
            anchor = b.trust_anchor()
            assert anchor is not None
        app = create_app(settings, runtime=rt)
        with TestClient(app, raise_server_exceptions=False) as client:
            yield Deployment(rt, clock, client, keys, kid, desk, anchor)
    finally:
        rt.close()


def run_as_one_group(group: Any, threads: list[threading.Thread], join_timeout: float = 120) -> None:
    """Start ``threads`` while ``group`` (a GroupCommit) is held by its writer lock, wait until
    each has queued its job, then let them go: one writer takes all of them as one group."""
    with group.writer:
        for t in threads:
            t.start()
        deadline = time.monotonic() + 30
        while len(group.pending) < len(threads) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(group.pending) == len(threads)
    for t in threads:
        t.join(join_timeout)
        assert not t.is_alive()
