"""Every screen of the wallet (as its ScreenManager lists them) rendered in every language
shipped (English, French, Arabic right to left), at normal and large text: no label's text
may overflow its box. The wallet holds a card and an unverified request waits for consent, so
the screens show real content."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui_fit import misfits
from tests.wallet_app.ui import running
from wallet_app.demo import DemoAgency
from wallet_app.i18n import available_languages
from wallet_app.service import WalletService

LANGS = tuple(available_languages())
# screens that need a moment of the flow before them (they go elsewhere when entered cold)
FLOW_ONLY = {"unlock", "language", "welcome", "pin_setup", "recovery_show", "recovery_check", "restore"}


@pytest.mark.parametrize("lang", LANGS)
def test_every_screen_fits_in_every_language(lang: str, with_card: WalletService, agency: DemoAgency,
                                             tmp_path: Path) -> None:
    assert "ar" in LANGS
    with running(with_card, tmp_path) as ui:
        ui.app.set_language(lang)
        problems: list[str] = []
        names = list(ui.app.root.screen_names)
        for scale in (1.0, 1.3):
            ui.app.text_scale = scale
            for name in names:
                if name == "consent":
                    with_card.consider_request(agency.request(signed=False))
                if name == "present":
                    continue  # shows a QR code of the answer only after consent (covered by the journey test)
                if name == "remove_card":
                    ui.app.removing = with_card.cards()[0]
                ui.app.go(name)
                ui.idle(4)
                problems += [f"{lang} x{scale} {name}: {p}" for p in misfits(ui.app.root)]
                if ui.app.current != name and name not in FLOW_ONLY:
                    problems.append(f"{lang} {name}: left for {ui.app.current}")
                if name == "scan":
                    ui.app.go("home")
        assert not problems, "\n".join(problems)


def test_arabic_is_shaped_right_to_left_and_back(with_card: WalletService, tmp_path: Path) -> None:
    from kivy.uix.label import Label

    with running(with_card, tmp_path) as ui:
        ui.app.set_language("ar")
        ui.app.go("home")
        ui.idle(4)
        title = next(w for w in ui.app.root.walk() if isinstance(w, Label) and w.text == "بطاقاتي")
        assert title._label.text != title.text  # shaped and reordered for display
        assert any("\ufe70" <= ch <= "\ufeff" for ch in title._label.text)  # joined Arabic forms
        ui.app.set_language("en")
        ui.idle(4)
        title = next(w for w in ui.app.root.walk() if isinstance(w, Label) and w.text == "My cards")
        assert title.text in title._label.text


@pytest.mark.parametrize("lang", LANGS)
def test_scan_problems_fit_in_every_language(lang: str, with_card: WalletService, agency: DemoAgency,
                                             tmp_path: Path) -> None:
    """The longest words a scan can end with (a condition not met, its next step) fit the scan
    and restore-scan screens at normal and large text."""
    from sdk.wire import PredicateSpec
    from wallet_app.presenting import ScanRefusal

    with running(with_card, tmp_path) as ui:
        ui.app.set_language(lang)
        try:
            with_card.consider_request(agency.request(predicates=(PredicateSpec("household_size", "ge", (9,)),)))
        except ScanRefusal as exc:
            refusal = exc
        problems: list[str] = []
        for scale in (1.0, 1.3):
            ui.app.text_scale = scale
            for name in ("scan", "restore_scan"):
                ui.app.go(name)
                ui.idle(2)
                ui.screen.show_error(refusal)
                ui.idle(4)
                assert ui.screen.detail and ui.screen.next_step
                problems += [f"{lang} x{scale} {name}: {p}" for p in misfits(ui.app.root)]
                ui.app.go("home")
        assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_rows_run_from_the_right_in_arabic(lang: str, with_card: WalletService, tmp_path: Path) -> None:
    """An icon beside its words stands at the reading start: left in English, right in Arabic."""
    from wallet_app.screens.widgets import Icon, IconButton

    with running(with_card, tmp_path) as ui:
        ui.app.set_language("ar" if lang == "en" else "en")  # switched at run time, both ways
        ui.app.set_language(lang)
        ui.app.go("home")
        ui.idle(4)
        buttons = [w for w in ui.app.root.walk() if isinstance(w, IconButton) and w.text and w.height > 0]
        assert buttons
        for button in buttons:
            icon = next(c for c in button.children if isinstance(c, Icon))
            label = button.ids.lbl
            assert (icon.x > label.x) == (lang == "ar"), button.text
