"""The wallet as a person uses it, headless (Kivy offscreen, a 720 x 1440 phone):
onboard -> receive -> scan a request picture -> consent -> the QR on screen, read back from
a screenshot with zxing-cpp, is a presentation the verifier accepts."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sdk.credential import Holder
from sdk.transport import Scanner, render_code
from tests.wallet_app.conftest import PIN
from tests.wallet_app.ui import UI, running
from wallet_app.demo import DemoAgency
from wallet_app.service import WalletService


def onboard(ui: UI, *, lang: str = "English") -> str:
    """Language -> Start -> PIN twice -> recovery code -> check -> home. Returns the code."""
    assert ui.app.current == "language"
    lang_btn = next(w for w in ui.screen.ids.langs.children if w.text == lang)
    lang_btn.dispatch("on_press")
    ui.idle()
    assert ui.app.current == "welcome"
    ui.press("welcome.new")
    assert ui.app.current == "pin_setup"
    ui.type_pin("123456")  # too easy: refused with a reason, stays on the first step
    assert ui.screen.error == ui.app.t("error.pin_weak") and ui.screen.stage == "create"
    ui.type_pin(PIN)
    assert ui.screen.stage == "confirm"
    ui.type_pin("246800")  # not the same
    assert ui.screen.error == ui.app.t("pin.mismatch") and ui.screen.stage == "create"
    ui.type_pin(PIN)
    ui.type_pin(PIN)
    assert ui.app.current == "recovery_show"
    onboarding = ui.app.onboarding
    code = onboarding.recovery_code
    shown = [w.group for w in ui.screen.ids.groups.children]
    assert sorted(shown) == sorted(onboarding.groups)  # all 14 groups are on screen
    assert not ui.app.service.has_wallet()  # nothing stored before the check
    ui.press("recovery.done")
    assert ui.app.current == "recovery_check"
    fields = ui.screen.inputs
    assert set(fields) == set(onboarding.checks)
    for field in fields.values():
        field.text = "ZZZZ"
    ui.press("check.next")
    assert ui.screen.error == ui.app.t("check.wrong") and not ui.app.service.has_wallet()
    for n, field in fields.items():
        field.text = onboarding.groups[n - 1]
    ui.press("check.next")
    ui.go_to("home")
    assert ui.app.service.has_wallet() and ui.app.new_pin is None and ui.app.onboarding is None
    return code


def scan_picture(ui: UI, picture: Path) -> None:
    ui.app.platform.inject([picture])
    ui.press("home.scan")
    assert ui.app.current == "scan"
    ui.wait(lambda: ui.app.current != "scan" or bool(ui.screen.error), timeout=20)


def receive_by_scan(ui: UI, agency: DemoAgency, tmp_path: Path, **kw: Any) -> None:
    offer, _code = agency.make_offer(**kw)
    picture = tmp_path / f"offer-{time.monotonic_ns()}.png"
    picture.write_bytes(render_code(offer).png())
    scan_picture(ui, picture)
    assert ui.app.current == "receive", ui.screen.error
    ui.wait(lambda: ui.screen.done or bool(ui.screen.error))
    assert ui.screen.done, ui.screen.error
    ui.press("common.done")
    assert ui.app.current == "home"


def read_qr_from_screen(ui: UI, max_frames: int = 20) -> bytes:
    """Screenshots of the present screen, decoded with zxing-cpp, until a whole message."""
    scanner = Scanner()
    for _ in range(max_frames):
        update = scanner.feed(ui.screenshot(settle=2))
        if update.complete is not None:
            return bytes(update.complete.payload)
        time.sleep(0.21)  # the animation shows 5 codes a second: let the Clock move on
        ui.idle(2)
    raise AssertionError("the code on screen never completed")


def present_request(ui: UI, request: bytes, tmp_path: Path) -> bytes:
    picture = tmp_path / f"request-{time.monotonic_ns()}.png"
    picture.write_bytes(render_code(request).png())
    scan_picture(ui, picture)
    assert ui.app.current == "consent", ui.screen.error
    ui.press("consent.accept")
    ui.go_to("present")
    return read_qr_from_screen(ui)


def test_whole_journey(make_service: Callable[..., WalletService], agency: DemoAgency, tmp_path: Path) -> None:
    svc = make_service()
    with running(svc, tmp_path) as ui:
        onboard(ui)
        assert ui.app.t("home.empty") in ui.texts()
        receive_by_scan(ui, agency, tmp_path)
        texts = ui.texts()
        assert "Household registration" in texts and "Valid until 1 Nov 2027" in texts

        # A field desk asks: region shown, household size >= 5 and validity proven.
        request = agency.request()
        picture = tmp_path / "request.png"
        picture.write_bytes(render_code(request).png())
        scan_picture(ui, picture)
        assert ui.app.current == "consent"
        texts = ui.texts()
        assert ui.app.t("consent.verified", name="Agency B field desk") in texts
        assert "Cash assistance, December round" in texts
        assert "North" in texts and "Region" in texts
        assert "Household size is at least 5" in texts and "Card still valid on 1 Dec 2026" in texts
        assert ui.app.t("consent.unverified") not in texts

        ui.press("consent.accept")
        ui.go_to("present")
        assert ui.screen.animated  # two predicate proofs need several codes
        payload = read_qr_from_screen(ui)
        verified = agency.verify(payload, request)
        assert verified.disclosed == {"region": "north"}
        assert verified.scope == "cva/2026-12/round-1"

        ui.press("present.done")
        assert ui.app.current == "home" and ui.app.codes is None
        ui.app.go("history")
        ui.idle()
        texts = ui.texts()
        assert "Agency B field desk" in texts and "North" in texts and "Household size is at least 5" in texts
        # the person may forget the history: two taps, and it is gone from the phone
        ui.press("history.clear")
        assert svc.history()  # the first tap only asks
        ui.press("history.clear_confirm")
        assert svc.history() == [] and ui.screen.empty
        assert "Agency B field desk" not in ui.texts()


def test_single_code_presentation(with_card: WalletService, agency: DemoAgency, tmp_path: Path) -> None:
    with_card.lock()
    with running(with_card, tmp_path) as ui:
        assert ui.app.current == "unlock"
        ui.type_pin(PIN)
        ui.go_to("home")
        request = agency.request(predicates=())
        payload = present_request(ui, request, tmp_path)
        assert not ui.screen.animated
        assert agency.verify(payload, request).disclosed == {"region": "north"}


def test_decline_produces_nothing(with_card: WalletService, agency: DemoAgency, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    real = Holder.present
    monkeypatch.setattr(Holder, "present", lambda self, a, **kw: calls.append(a) or real(self, a, **kw))
    with_card.lock()
    with running(with_card, tmp_path) as ui:
        ui.type_pin(PIN)
        ui.go_to("home")
        picture = tmp_path / "request.png"
        picture.write_bytes(render_code(agency.request()).png())
        scan_picture(ui, picture)
        assert ui.app.current == "consent"
        ui.press("consent.decline")  # one tap
        assert ui.app.current == "home"
        assert calls == [] and ui.app.codes is None and with_card.pending_consent is None
        assert with_card.history() == []


def test_unverified_requester_is_prominent(with_card: WalletService, agency: DemoAgency, tmp_path: Path) -> None:
    with_card.lock()
    with running(with_card, tmp_path) as ui:
        ui.type_pin(PIN)
        ui.go_to("home")
        picture = tmp_path / "request.png"
        picture.write_bytes(render_code(agency.request(signed=False)).png())
        scan_picture(ui, picture)
        assert ui.app.current == "consent"
        texts = ui.texts()
        assert "Unverified requester" in texts
        assert any("agency-b-desk-3" in t and "not signed" in t for t in texts)
        assert not any(t.startswith("Checked:") for t in texts)


def test_restore_recovers_the_same_pseudonym(make_service: Callable[..., WalletService], agency: DemoAgency,
                                             tmp_path: Path) -> None:
    first = make_service("phone-1")
    with running(first, tmp_path) as ui:
        code = onboard(ui)
        receive_by_scan(ui, agency, tmp_path)
        entropy = agency.entropies[-1]
        request = agency.request(predicates=())  # one code (animation: test_whole_journey)
        nym = agency.verify(present_request(ui, request, tmp_path), request).pseudonym

    second = make_service("phone-2")  # a new phone
    with running(second, tmp_path) as ui:
        ui.screen.ids.langs.children[-1].dispatch("on_press")
        ui.idle()
        ui.press("welcome.restore")
        assert ui.app.current == "restore"
        ui.screen.ids.code.text = code[:-1] + ("0" if code[-1] != "0" else "1")
        ui.press("restore.next")
        assert ui.screen.error == ui.app.t("error.recovery_code_checksum")
        ui.screen.ids.code.text = code
        ui.press("restore.next")
        assert ui.app.current == "pin_setup"
        ui.type_pin("135792")
        ui.type_pin("135792")
        ui.go_to("home")
        # the registrar re-issues with the signer entropy it kept for this household
        receive_by_scan(ui, agency, tmp_path, entropy=entropy)
        request = agency.request(predicates=())
        assert agency.verify(present_request(ui, request, tmp_path), request).pseudonym == nym


def test_wrong_pin_then_wait(onboarded: WalletService, tmp_path: Path, clock: Any) -> None:
    onboarded.lock()
    with running(onboarded, tmp_path) as ui:
        assert ui.app.current == "unlock"
        ui.type_pin("999000")
        ui.wait()
        assert ui.screen.error == ui.app.t("unlock.wrong", left=2)
        ui.type_pin("999000")
        ui.wait()
        ui.type_pin("999000")
        ui.wait()
        assert ui.screen.waiting and ui.screen.wait_text == ui.app.t("unlock.wait", seconds=30)
        ui.type_pin(PIN)  # the pad is disabled while waiting
        ui.wait()
        assert ui.app.current == "unlock"
        clock.now += 31
        ui.screen._check_wait()
        assert not ui.screen.waiting
        ui.type_pin(PIN)
        ui.go_to("home")


def test_french_everywhere(make_service: Callable[..., WalletService], agency: DemoAgency, tmp_path: Path) -> None:
    svc = make_service()
    with running(svc, tmp_path) as ui:
        onboard(ui, lang="Français")
        assert "Mes cartes" in ui.texts() and ui.button("home.scan").text == "Scanner"
        receive_by_scan(ui, agency, tmp_path)
        assert "Valable jusqu'au 1 nov. 2027" in ui.texts()
        picture = tmp_path / "request.png"
        picture.write_bytes(render_code(agency.request()).png())
        scan_picture(ui, picture)
        texts = ui.texts()
        assert "Vérifié : Agency B field desk" in texts and "Le ménage compte au moins 5 personnes" in texts
        assert ui.button("consent.decline").text == "Non"


def test_not_a_zkaid_code_and_no_camera(with_card: WalletService, tmp_path: Path) -> None:
    import qrcode

    with_card.lock()
    with running(with_card, tmp_path) as ui:
        ui.type_pin(PIN)
        ui.go_to("home")
        picture = tmp_path / "url.png"
        qrcode.make("https://example.org/pay").save(picture)
        scan_picture(ui, picture)
        assert ui.app.current == "scan" and ui.screen.error == ui.app.t("error.foreign_code")
        ui.press("common.back")
        ui.press("home.scan")  # no camera on this machine and nothing injected
        assert not ui.screen.has_camera and ui.app.t("scan.no_camera") in ui.texts()
        assert ui.button("scan.pick_file").kind == "primary"


def test_consent_warnings_are_shown(with_card: WalletService, agency: DemoAgency, tmp_path: Path,
                                    clock: Any) -> None:
    clock.now += 31 * 86400
    before = agency.now
    agency.now = int(clock.now) - 2 * 3600  # two hours old: warned (a day old is refused)
    try:
        request = agency.request()
    finally:
        agency.now = before
    with_card.lock()
    with running(with_card, tmp_path) as ui:
        ui.type_pin(PIN)
        ui.go_to("home")
        picture = tmp_path / "request.png"
        picture.write_bytes(render_code(request).png())
        scan_picture(ui, picture)
        assert ui.app.current == "consent"
        texts = ui.texts()
        assert ui.app.t("consent.warn_trust_list") in texts and ui.app.t("consent.warn_old_request") in texts
        ui.press("consent.decline")


def test_forgotten_pin_restores_from_the_code(make_service: Callable[..., WalletService], agency: DemoAgency,
                                             tmp_path: Path) -> None:
    svc = make_service()
    onb = svc.new_onboarding()
    svc.check_written(onb, {n: onb.groups[n - 1] for n in onb.checks})
    svc.finish_onboarding(onb, PIN)
    svc.lock()
    with running(svc, tmp_path) as ui:
        assert ui.button("unlock.forgot").hidden
        ui.type_pin("999000")
        ui.wait()
        ui.press("unlock.forgot")
        assert ui.app.current == "restore" and ui.app.t("restore.replaces") in ui.texts()
        ui.screen.ids.code.text = onb.recovery_code
        ui.press("restore.next")
        ui.type_pin("135792")
        ui.type_pin("135792")
        ui.go_to("home")
    svc.lock()
    svc.unlock("135792")  # the new PIN opens the restored wallet
