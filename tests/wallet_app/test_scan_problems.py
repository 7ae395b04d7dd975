"""Scan errors say which condition failed and what to do (issue 17), and the printed recovery
QR restores a wallet in the app: the service's refusals with their detail, their words in every
language, and the scan and restore screens driven headless."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sdk.credential import build_request
from sdk.transport import encode as qr_encode
from sdk.transport import render_code, scan_image
from sdk.wire import PredicateSpec
from tests.wallet_app.conftest import PIN
from tests.wallet_app.test_ui_journey import onboard, present_request, receive_by_scan, scan_picture
from tests.wallet_app.ui import running
from wallet_app.demo import DemoAgency
from wallet_app.i18n import Translator, available_languages, catalog
from wallet_app.presenting import REQUEST_AGE_WARNING, REQUEST_MAX_AGE, ScanRefusal
from wallet_app.reasons import NEXT_STEPS
from wallet_app.service import WalletError, WalletService
from wallet_app.words import problem_view

LANGS = tuple(available_languages())


@contextmanager
def agency_clock(agency: DemoAgency, now: float) -> Iterator[None]:
    """The session's demo agency makes its requests at ``now`` for a moment."""
    before = agency.now
    agency.now = int(now)
    try:
        yield
    finally:
        agency.now = before


def refusal(svc: WalletService, request: bytes) -> ScanRefusal:
    with pytest.raises(ScanRefusal) as caught:
        svc.consider_request(request)
    assert svc.pending_consent is None  # nothing waits for consent, nothing was computed
    return caught.value


# -- the service: which condition, which agencies, when ----------------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_a_condition_the_card_does_not_meet_is_named(with_card: WalletService, agency: DemoAgency,
                                                      lang: str) -> None:
    with_card.set_language(lang)
    request = agency.request(predicates=(PredicateSpec("valid_until", "ge", (0,)),
                                         PredicateSpec("household_size", "ge", (9,))))
    err = refusal(with_card, request)
    assert err.reason == "predicate_not_satisfied"  # still a CredentialError with the same code
    t = Translator(lang)
    label = agency.schema.attribute("household_size").label(lang)
    assert err.detail == t("predicate.household_size.ge", label=label, a="9", b="", age="")
    assert "9" in err.detail and (lang == "en") == (err.detail == "Household size is at least 9")
    problem = problem_view(t, err)
    assert problem.text == t("error.predicate_not_satisfied")
    assert problem.next_step == t("next.predicate_not_satisfied") and problem.next_step


def test_the_first_unmet_condition_is_the_one_named(with_card: WalletService, agency: DemoAgency) -> None:
    """A card of 6 people meets "at most 8" but not "at least 7": the detail is the second."""
    err = refusal(with_card, agency.request(predicates=(PredicateSpec("household_size", "le", (8,)),
                                                        PredicateSpec("household_size", "ge", (7,)))))
    assert err.detail == "Household size is at least 7"


def test_a_request_made_too_long_ago(with_card: WalletService, agency: DemoAgency, clock: Any) -> None:
    with agency_clock(agency, clock.now - REQUEST_MAX_AGE - 60):
        old = agency.request()
    err = refusal(with_card, old)
    assert err.reason == "request_expired"
    made = dt.datetime.fromtimestamp(clock.now - REQUEST_MAX_AGE - 60)  # the phone's local time
    assert err.detail == with_card.t("scan.detail.made", when=with_card.t.datetime(made))
    assert problem_view(with_card.t, err).next_step == with_card.t("next.request_expired")
    # a few hours old: answered, with a warning
    with agency_clock(agency, clock.now - REQUEST_AGE_WARNING - 60):
        view = with_card.consider_request(agency.request())
    assert view.warnings == (with_card.t("consent.warn_old_request"),)


def test_a_request_for_cards_of_an_agency_this_phone_does_not_know(with_card: WalletService,
                                                                   agency: DemoAgency) -> None:
    request = build_request(verifier_id="other-desk", scope="cva/2026-12/round-1", issuers=[b"\x07" * 8],
                            schema=agency.schema, disclose=("region",), purpose={"en": "x"}, now=agency.now)
    err = refusal(with_card, request)
    assert err.reason == "no_matching_credential"
    assert err.detail == ("This request accepts cards from: an agency this phone does not know. "
                          "Your card is from: Agency A registration.")


def test_foreign_and_forged_codes_keep_their_reason(with_card: WalletService) -> None:
    from sdk.errors import CredentialError

    with pytest.raises(CredentialError) as caught:
        with_card.consider_request(b"https://example.org/pay")
    assert caught.value.reason == "foreign" and not isinstance(caught.value, ScanRefusal)
    assert problem_view(with_card.t, caught.value).next_step == with_card.t("next.foreign")


@pytest.mark.parametrize("lang", LANGS)
def test_every_scan_problem_has_a_next_step_in_every_language(lang: str) -> None:
    cat = catalog(lang)
    assert {"predicate_not_satisfied", "request_expired", "foreign_code", "incomplete",
            "not_recovery_code", "recovery_qr_damaged"} <= NEXT_STEPS
    missing = sorted(f"next.{r}" for r in NEXT_STEPS if f"next.{r}" not in cat)
    assert not missing, f"{lang}: {missing}"
    stray = sorted(k for k in cat if k.startswith("next.") and k[5:] not in NEXT_STEPS)
    assert not stray, f"{lang}: next steps for reasons the screens never show: {stray}"


# -- the recovery QR ----------------------------------------------------------------------------------
def test_the_recovery_code_is_read_from_its_printed_qr(onboarded: WalletService, agency: DemoAgency) -> None:
    code = onboarded.new_onboarding().recovery_code
    assert onboarded.recovery_code_from_scan(scan_image(render_code(code.encode("ascii")).image)) == code
    with pytest.raises(WalletError) as caught:
        onboarded.recovery_code_from_scan(scan_image(render_code(b"https://example.org/pay").image))
    assert caught.value.reason == "not_recovery_code"
    with pytest.raises(WalletError) as caught:  # an aid-programme code, but a request
        onboarded.recovery_code_from_scan(scan_image(render_code(agency.request(predicates=())).image))
    assert caught.value.reason == "not_recovery_code"
    damaged = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(WalletError) as caught:
        onboarded.recovery_code_from_scan(scan_image(render_code(damaged.encode("ascii")).image))
    assert caught.value.reason == "recovery_qr_damaged"
    blank = np.full_like(render_code(b"x").image, 255)
    assert onboarded.recovery_code_from_scan(scan_image(blank)) is None  # nothing in view yet


# -- the screens -------------------------------------------------------------------------------------
def test_the_scan_screen_names_the_condition_and_the_next_step(with_card: WalletService, agency: DemoAgency,
                                                               tmp_path: Path) -> None:
    with_card.lock()
    with running(with_card, tmp_path) as ui:
        ui.type_pin(PIN)
        ui.go_to("home")
        ui.app.set_language("fr")
        picture = tmp_path / "request.png"
        picture.write_bytes(render_code(agency.request(
            predicates=(PredicateSpec("household_size", "ge", (9,)),))).png())
        scan_picture(ui, picture)
        ui.wait(lambda: bool(ui.screen.detail))
        assert ui.app.current == "scan"
        texts = ui.texts()
        assert ui.app.t("error.predicate_not_satisfied") in texts
        assert "Le ménage compte au moins 9 personnes" in texts
        assert ui.app.t("next.predicate_not_satisfied") in texts


def test_a_foreign_code_and_a_truncated_animated_code_say_what_to_do(with_card: WalletService,
                                                                     agency: DemoAgency, tmp_path: Path) -> None:
    import qrcode

    with_card.lock()
    with running(with_card, tmp_path) as ui:
        ui.type_pin(PIN)
        ui.go_to("home")
        link = tmp_path / "link.png"
        qrcode.make("https://example.org/pay").save(link)
        scan_picture(ui, link)
        assert ui.screen.error == ui.app.t("error.foreign_code")
        assert ui.screen.next_step == ui.app.t("next.foreign_code") and ui.screen.detail == ""
        ui.press("common.back")
        codes = qr_encode(agency.request(), single_max=200, frame_size=200)  # sent as an animated code
        assert codes.count >= 2
        first = tmp_path / "part-1.png"
        first.write_bytes(render_code(codes.code(0)).png())
        scan_picture(ui, first)  # only the first part was caught
        assert ui.screen.error == ui.app.t("error.incomplete")
        assert ui.screen.next_step == ui.app.t("next.incomplete")
        assert ui.app.t("scan.progress", received=1, needed=codes.count) in ui.texts()


def test_restore_by_scanning_the_printed_recovery_qr(make_service: Callable[..., WalletService],
                                                     agency: DemoAgency, tmp_path: Path) -> None:
    """End to end: the paper's QR (as `zkaid wallet create --recovery-qr` prints it), scanned on a
    new phone, restores the wallet; re-issued, the card answers with the same pseudonym."""
    first = make_service("phone-1")
    with running(first, tmp_path) as ui:
        code = onboard(ui)
        receive_by_scan(ui, agency, tmp_path)
        entropy = agency.entropies[-1]
        request = agency.request(predicates=())
        nym = agency.verify(present_request(ui, request, tmp_path), request).pseudonym
    paper = tmp_path / "recovery.png"
    paper.write_bytes(render_code(code.encode("ascii")).png())
    link = tmp_path / "link.png"
    link.write_bytes(render_code(b"https://example.org/pay").png())

    second = make_service("phone-2")
    with running(second, tmp_path) as ui:
        ui.screen.ids.langs.children[-1].dispatch("on_press")
        ui.idle()
        ui.press("welcome.restore")
        ui.app.platform.inject([link])  # the wrong QR first
        ui.press("restore.scan")
        assert ui.app.current == "restore_scan"
        ui.wait(lambda: bool(ui.screen.error))
        assert ui.screen.error == ui.app.t("error.not_recovery_code")
        assert ui.screen.next_step == ui.app.t("next.not_recovery_code")
        ui.press("common.back")
        assert ui.app.current == "restore"
        ui.app.platform.inject([paper])
        ui.press("restore.scan")
        ui.wait(lambda: ui.app.current == "pin_setup")
        ui.type_pin("135792")
        ui.type_pin("135792")
        ui.go_to("home")
        receive_by_scan(ui, agency, tmp_path, entropy=entropy)  # the registrar re-issues
        request = agency.request(predicates=())
        assert agency.verify(present_request(ui, request, tmp_path), request).pseudonym == nym
