"""Every screen of the wallet (as its ScreenManager lists them) rendered in every language
shipped (English, French, Arabic right to left), at normal and large text: no label's text
may overflow its box. The wallet holds a card and an unverified request waits for consent, so
the screens show real content."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui_fit import overflowing_labels
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
                problems += [f"{lang} x{scale} {name}: {p}" for p in overflowing_labels(ui.app.root)]
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
