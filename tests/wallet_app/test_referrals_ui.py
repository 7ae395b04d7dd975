"""The referral screen in the running app (offscreen): scanned from the caseworker's animated
QR, read in plain words, accepted (the consent QR) or declined (nothing), withdrawn later."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sdk.referral import verify_submission
from sdk.transport import encode, render_code
from tests.wallet_app.conftest import NOW, PIN
from tests.wallet_app.test_referrals import NOTE, offer, ragency, wallet  # noqa: F401 - fixtures
from tests.wallet_app.test_ui_journey import read_qr_from_screen
from tests.wallet_app.ui import UI, running
from wallet_app.demo import DemoAgency
from wallet_app.service import WalletService


def scan_offer(ui: UI, data: bytes, tmp_path: Path) -> None:
    pictures = []
    for i, code in enumerate(encode(data).cycle()):
        p = tmp_path / f"referral-{i:02d}.png"
        p.write_bytes(render_code(code).png())
        pictures.append(p)
    ui.app.platform.inject(pictures)
    ui.press("home.scan")
    ui.wait(lambda: ui.app.current == "referral" or bool(getattr(ui.screen, "error", "")), timeout=30)
    assert ui.app.current == "referral", getattr(ui.screen, "error", "")
    ui.wait(lambda: ui.screen.consenting)


def press_text(ui: UI, text: str) -> None:
    from wallet_app.screens.widgets import BigAction

    found = [w for w in ui.screen.walk() if isinstance(w, BigAction) and w.text == text and not w.disabled]
    assert found, f"no button {text!r}"
    found[0].dispatch("on_press")
    ui.idle()


def test_referral_screen(wallet: WalletService, ragency: DemoAgency, tmp_path: Path) -> None:  # noqa: F811
    wallet.lock()
    with running(wallet, tmp_path) as ui:
        ui.type_pin(PIN)
        ui.go_to("home")
        scan_offer(ui, offer(ragency, signing_key=ragency.verifier), tmp_path)  # a desk of the trust list
        text = "\n".join(ui.texts())
        assert "wants to refer you to Agency B" in text and NOTE in text
        assert "Checked: Agency B field desk" in text and "Unverified requester" not in text
        ui.screenshot("referral-consent")
        press_text(ui, "Yes, send it")
        ui.go_to("present")
        sub = read_qr_from_screen(ui)
        assert verify_submission(sub, ragency.trust, now=NOW).sealed.header.to_agency == "agency-b"
        ui.app.go("home")
        ui.go_to("home")
        scan_offer(ui, offer(ragency), tmp_path)  # unsigned: the warning layout
        text = "\n".join(ui.texts())
        assert "Unverified requester" in text and "Not checked:" in text
        assert ui.screen.unverified and not [w for w in ui.texts() if w == "Yes, send it"]
        assert "Share anyway" in ui.texts()
        press_text(ui, "No, do not send")
        ui.idle()
        texts: list[Any] = ui.texts()
        assert "Nothing was sent." in texts
        assert any("(agreed)" in t for t in texts) and any("(refused)" in t for t in texts)
        ui.screenshot("referral-history")
