"""Issue 17's wallet screens, headless: the consent names the round number in plain words, an
unverified requester gets a warning layout (no green Share), change PIN, remove a card,
help and complaints, the offline indicator with the agency list's time, large text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sdk.transport import render_code
from tests.wallet_app.conftest import PIN
from tests.wallet_app.test_ui_journey import scan_picture
from tests.wallet_app.ui import UI, running
from wallet_app.account import change_pin
from wallet_app.demo import DemoAgency
from wallet_app.reasons import VaultReason, WalletReason
from wallet_app.service import WalletService
from wallet_app.storage import WrongPinError

NEW_PIN = "731946"


def unlocked(ui: UI) -> None:
    ui.type_pin(PIN)
    ui.go_to("home")


def test_consent_names_the_round_and_warns_about_an_unverified_requester(
        with_card: WalletService, agency: DemoAgency, tmp_path: Path) -> None:
    with_card.lock()
    with running(with_card, tmp_path) as ui:
        unlocked(ui)
        picture = tmp_path / "signed.png"
        picture.write_bytes(render_code(agency.request(signed=True)).png())
        scan_picture(ui, picture)
        assert ui.app.current == "consent"
        consent = ui.screen
        assert "cva/2026-12/round-1" in consent.ids.round.text and "enrolled twice" in consent.ids.round.text
        assert not consent.unverified and consent.ids.accept.kind == "ok"
        ui.press("consent.decline")

        picture = tmp_path / "unsigned.png"
        picture.write_bytes(render_code(agency.request(signed=False)).png())
        scan_picture(ui, picture)
        assert ui.app.current == "consent" and consent.unverified
        # a warning layout: No is the big safe choice; Share is not green and says "anyway"
        assert consent.ids.decline.kind == "primary" and consent.ids.accept.kind == "secondary"
        assert ui.app.t("consent.accept_anyway") in ui.texts()


def test_change_pin_then_unlock_with_the_new_one(with_card: WalletService, tmp_path: Path) -> None:
    with_card.lock()
    with running(with_card, tmp_path) as ui:
        unlocked(ui)
        ui.app.go("change_pin")
        ui.idle()
        screen = ui.screen
        ui.type_pin("111111")  # a wrong current PIN is refused and counted like at unlock
        ui.type_pin(NEW_PIN)
        ui.type_pin(NEW_PIN)
        ui.wait(lambda: not screen.busy and bool(screen.error))
        assert screen.error == ui.app.t("error.wrong_pin", seconds=0) or "PIN" in screen.error
        assert screen.stage == "old"
        ui.type_pin(PIN)
        ui.type_pin(PIN)  # the same as the old one
        ui.type_pin(PIN)
        ui.wait(lambda: not screen.busy and bool(screen.error))
        assert screen.error == ui.app.t("error.pin_same")
        ui.type_pin(PIN)
        ui.type_pin(NEW_PIN)
        ui.type_pin(NEW_PIN)
        ui.wait(lambda: screen.stage == "done")
        assert ui.app.t("change_pin.done") in ui.texts()
    with_card.lock()
    with pytest.raises(WrongPinError):
        with_card.unlock(PIN)
    with_card.unlock(NEW_PIN)
    assert len(with_card.cards()) == 1  # the content is unchanged


def test_change_pin_refuses_a_locked_wallet_and_a_weak_pin(with_card: WalletService) -> None:
    with pytest.raises(Exception) as weak:
        change_pin(with_card, PIN, "123456")
    assert getattr(weak.value, "reason", "") == WalletReason.PIN_WEAK
    with_card.lock()
    with pytest.raises(Exception) as locked:
        change_pin(with_card, PIN, NEW_PIN)
    assert getattr(locked.value, "reason", "") == WalletReason.LOCKED
    with pytest.raises(WrongPinError) as wrong:
        with_card.unlock("999999")
    assert wrong.value.reason == VaultReason.WRONG_PIN


def test_remove_a_card_after_saying_what_it_means(with_card: WalletService, tmp_path: Path) -> None:
    with_card.lock()
    with running(with_card, tmp_path) as ui:
        unlocked(ui)
        ui.press("card.remove")
        assert ui.app.current == "remove_card"
        assert any("registration desk" in t for t in ui.texts())
        ui.press("remove.keep")  # changing one's mind keeps the card
        assert ui.app.current == "home" and len(with_card.cards()) == 1
        ui.press("card.remove")
        ui.press("remove.confirm")
        ui.go_to("home")
        assert with_card.cards() == [] and ui.screen.empty


def test_help_shows_the_agencys_contacts(with_card: WalletService, tmp_path: Path) -> None:
    own = Path(with_card.config.data_dir) / "help.json"
    own.write_text(json.dumps({"contacts": [{"agency": "Agency A", "phone": "+216 70 000 000",
                                             "complaints": {"en": "Box at the desk", "fr": "Boîte au guichet"}}]}))
    with_card.lock()
    with running(with_card, tmp_path) as ui:
        unlocked(ui)
        ui.press("home.help")
        assert ui.app.current == "help"
        text = "\n".join(ui.texts())
        assert "Agency A" in text and "Phone: +216 70 000 000" in text and "Complaints: Box at the desk" in text
        own.write_text("{ damaged")
        ui.app.go("home")
        ui.idle()
        ui.press("home.help")  # a damaged file: the desk, not a crash
        assert ui.app.t("help.none") in ui.texts()


def test_offline_indicator_with_the_time_of_the_agency_list(with_card: WalletService, tmp_path: Path) -> None:
    with_card.lock()
    with running(with_card, tmp_path) as ui:
        unlocked(ui)
        home = ui.screen
        assert home.update_ok and home.ids.update_status.text.startswith("Agency list up to date (")
        ui.app.offline = True  # the last refresh failed
        home.show_update_status()
        assert home.ids.update_status.text.startswith("Offline. Agency list from ") and not home.update_ok


def test_large_text_mode_scales_the_words(with_card: WalletService, tmp_path: Path) -> None:
    with_card.lock()
    with running(with_card, tmp_path) as ui:
        unlocked(ui)
        ui.app.go("settings")
        ui.idle()
        from kivy.uix.label import Label

        label = next(w for w in ui.screen.walk() if isinstance(w, Label) and w.text == ui.app.t("settings.title"))
        before = label.font_size
        ui.press("settings.large_text_on")
        assert ui.app.text_scale > 1 and label.font_size == pytest.approx(before * ui.app.text_scale)
        ui.press("settings.large_text_off")
        assert label.font_size == pytest.approx(before)


def test_main_screens_speak_their_prompt_in_the_persons_language(with_card: WalletService, tmp_path: Path) -> None:
    from wallet_app.main import AUDIO_DIR

    with_card.lock()
    with running(with_card, tmp_path) as ui:
        ui.app.set_language("fr")
        unlocked(ui)
        assert ui.app.sounds.played[-1] == AUDIO_DIR / "fr" / "prompt.home.wav"
        for lang in ("en", "fr", "ar"):
            for screen in ("home", "scan", "consent", "present", "unlock"):
                assert (AUDIO_DIR / lang / f"prompt.{screen}.wav").is_file(), (lang, screen)
