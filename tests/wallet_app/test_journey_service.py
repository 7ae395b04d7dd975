"""The whole journey through the real agency service (verifier_service on loopback, SQLite):

registrar creates offers over HTTP -> the wallet UI scans the offer QR (and types a short
code) and receives verified credentials from the service -> a field desk's signed request
is scanned -> consent -> the QR on screen, read back from a screenshot with zxing-cpp, is
accepted and enrolled by the service's /v1/verify -> offline is a clear message -> a
wallet restored from the recovery code, re-issued by the registrar, has the same pseudonym,
so a second enrollment in the round is refused.

Nothing here is mocked: real uvicorn, real sdk.client.ServiceClient in the wallet.
"""

from __future__ import annotations

import base64
import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sdk.client import ServiceClient
from sdk.credential import VerifierKey, build_request, household_schema
from sdk.credential.schema import date_to_days
from sdk.errors import ServiceError
from sdk.transport import Receiver, render_code
from sdk.trust import TrustAnchor
from sdk.wire import PredicateSpec
from tests.wallet_app.conftest import FAST_KDF, PIN
from tests.wallet_app.test_ui_journey import onboard, read_qr_from_screen, scan_picture
from tests.wallet_app.ui import running
from verifier_service import bootstrap
from wallet_app.config import WalletConfig
from wallet_app.service import PresentationCodes, WalletService

SCOPE = "cva/2026-12/round-1"
HOUSEHOLD = "org.zkaid.household@1"
VALUES = {"household_size": 6, "head_birth_date": "1958-03-01", "region": "north",
          "vulnerability": "elderly_head", "registration_date": "2026-11-01", "valid_until": "2027-11-01"}


@dataclass
class Live:
    base_url: str
    anchor: bytes
    registrar: ServiceClient
    desk: ServiceClient
    desk_key: VerifierKey
    issuer_kid: bytes
    stop: object

    def request(self) -> bytes:
        today = dt.datetime.fromtimestamp(time.time(), dt.UTC).date()
        return build_request(
            verifier_id="agency-b", scope=SCOPE, issuers=[self.issuer_kid], schema=household_schema(),
            disclose=("region",),
            predicates=(PredicateSpec("household_size", "ge", (5,)),
                        PredicateSpec("valid_until", "ge", (date_to_days(today),))),
            purpose={"en": "Cash assistance, December round", "fr": "Aide en espèces, tour de décembre"},
            now=int(time.time()), signing_key=self.desk_key,
        )


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    from verifier_service.runtime import Runtime
    from verifier_service.settings import Settings

    settings = Settings(data_dir=tmp_path / "service", database_url=f"sqlite:///{tmp_path / 'registry.sqlite3'}",
                        dev=True, kek=base64.b64encode(b"k" * 32).decode())
    rt = Runtime.open(settings)
    try:
        desk_key = VerifierKey.generate("Agency B desk 1")
        with bootstrap.Bootstrap(settings, runtime=rt) as b:
            b.create_agency("agency-a", "Agency A", operator=True)
            b.create_agency("agency-b", "Agency B")
            registrar_key = b.create_api_key("agency-a", "registrar")
            b.register_device("agency-b", "desk-1", name="Agency B desk 1", verifier_public_key=desk_key.public_key)
            desk_api_key = b.create_api_key("agency-b", "field_device", device_id="desk-1")
            kid = b.create_issuer_key("agency-a", "Agency A registration")
            b.create_scope(SCOPE, agency="agency-a")
            anchor = b.trust_anchor()
            assert anchor is not None
        base_url, stop = bootstrap.run_in_thread(settings, runtime=rt)
        try:
            yield Live(base_url, anchor, ServiceClient(base_url, registrar_key), ServiceClient(base_url, desk_api_key),
                       desk_key, bytes.fromhex(kid), stop)
        finally:
            stop()
    finally:
        rt.close()


def wallet(tmp_path: Path, live: Live, name: str) -> WalletService:
    cfg = WalletConfig(data_dir=tmp_path / name, trust_anchors=(TrustAnchor(live.anchor),),
                       service_url=live.base_url, kdf=FAST_KDF, timeout=10.0)
    return WalletService(cfg)  # the default client: sdk.client.ServiceClient over HTTP


def reassemble(codes: PresentationCodes) -> bytes:
    rx = Receiver()
    for code in codes.loop():
        res = rx.push(code)
        if hasattr(res, "payload"):
            return bytes(res.payload)
    raise AssertionError("incomplete")


def test_journey_through_the_agency_service(tmp_path: Path, live: Live) -> None:
    svc = wallet(tmp_path, live, "phone-1")
    with running(svc, tmp_path) as ui:
        onboard(ui)

        # Registration desk: an offer QR, scanned by the wallet, which asks the service.
        made = live.registrar.create_offer(HOUSEHOLD, VALUES)
        picture = tmp_path / "offer.png"
        picture.write_bytes(render_code(base64.b64decode(made["offer"])).png())
        scan_picture(ui, picture)
        assert ui.app.current == "receive", ui.screen.error
        ui.wait(lambda: ui.screen.done or bool(ui.screen.error))
        assert ui.screen.done, ui.screen.error
        assert "Household registration" in ui.texts() and "Valid until 1 Nov 2027" in ui.texts()
        ui.press("common.done")

        # A second card by short code, typed on the receive screen.
        second = live.registrar.create_offer(HOUSEHOLD, {**VALUES, "household_size": 7})
        ui.app.go("receive")
        ui.idle()
        ui.screen.ids.code.text = second["code"]
        ui.press("receive.button")
        ui.wait(lambda: ui.screen.done or bool(ui.screen.error))
        assert ui.screen.done, ui.screen.error
        assert len(svc.cards()) == 2
        ui.press("common.done")

        # Field desk of agency B: a signed request, consent, the QR read off the screen.
        request = live.request()
        picture = tmp_path / "request.png"
        picture.write_bytes(render_code(request).png())
        scan_picture(ui, picture)
        assert ui.app.current == "consent", ui.screen.error
        assert ui.app.t("consent.verified", name="Agency B desk 1") in ui.texts()
        ui.press("consent.accept")
        ui.go_to("present")
        payload = read_qr_from_screen(ui)
        out = live.desk.verify(request, payload, enroll=True)
        assert out["ok"] and out["disclosed"] == {"region": "north"}
        assert out["enrollment"]["agency"] == "agency-b"
        ui.press("present.done")

        # No network: a clear message, nothing stored.
        live.stop()  # type: ignore[operator]
        ui.app.go("receive")
        ui.idle()
        ui.screen.ids.code.text = "ABCD-EFGH"
        ui.press("receive.button")
        ui.wait(lambda: bool(ui.screen.error))
        assert ui.screen.error == ui.app.t("error.offline")
        assert len(svc.cards()) == 2


def test_restored_wallet_keeps_its_pseudonym(tmp_path: Path, live: Live) -> None:
    first = wallet(tmp_path, live, "phone-1")
    onb = first.new_onboarding()
    first.check_written(onb, {n: onb.groups[n - 1] for n in onb.checks})
    first.finish_onboarding(onb, PIN)
    made = live.registrar.create_offer(HOUSEHOLD, VALUES)
    first.receive_code(made["code"])
    req = live.request()
    first.consider_request(req)
    out = live.desk.verify(req, reassemble(first.accept()), enroll=True)

    # Phone lost: a new phone, the paper code, and a re-issue by the registrar.
    second = wallet(tmp_path, live, "phone-2")
    second.restore(onb.recovery_code, "135792")
    again = live.registrar.create_offer(HOUSEHOLD, VALUES, reissue_of=made["credential_id"])
    second.receive_offer(base64.b64decode(again["offer"]))
    req2 = live.request()
    second.consider_request(req2)
    pres = reassemble(second.accept())
    assert live.desk.verify(req2, pres)["pseudonym"] == out["pseudonym"]
    with pytest.raises(ServiceError) as dup:
        live.desk.verify(req2, pres, enroll=True)
    assert (dup.value.status, dup.value.reason) == (409, "already_enrolled")
