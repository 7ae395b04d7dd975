"""The Kivy app, headless: real screens on an offscreen window, driven like a finger would.

Presentations are made in-process by wallets (tests/field_app/demo.py), rendered as the QR
codes a phone shows, and fed to the scan screen as camera frames.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from field_app.i18n import Translator, table
from field_app.outcome import (
    ASK_AGAIN,
    SCAN_AGAIN,
    Outcome,
    all_check_reasons,
    classify,
    local_time,
)
from field_app.reasons import CheckReason
from field_app.service import FieldService
from sdk.reasons import VerifyReason
from sdk.transport import decode_image, render_code
from sdk.wire import Presentation, decode, encode
from tests.field_app.demo import DAY, NOW, Deployment, MutableClock, qr_images
from tests.field_app.harness import UI

MakeUI = Callable[[FieldService], UI]


def fill(ui: UI, **values: str) -> None:
    screen = ui.screen("setup")
    for name, value in values.items():
        screen.ids[name].text = value


def shows_request_qr(ui: UI, tmp_path: Path) -> bytes:
    """What a wallet's camera reads off the request screen."""
    return decode_image(ui.screenshot(tmp_path / "request.png"))


def test_setup_request_scan_yes_then_already_enrolled_here(
        deployment: Deployment, tmp_path: Path, clock: MutableClock, make_ui: MakeUI) -> None:
    ui = make_ui(FieldService(tmp_path / "device", clock=clock, backend=deployment.backend))
    assert ui.current == "setup"  # a new device starts in setup

    ui.go("request")
    request = ui.screen("request")
    assert not request.ready and request.code is None
    assert "not set up" in request.status
    ui.press("scan", "request")  # the big button now leads to Setup
    assert ui.current == "setup"

    fill(ui, agency="agency-b", device_id="desk-1", scope="cva/2026-12/round-1", api_key="secret-key-1",
         anchor=deployment.anchor_hex, disclose="region", schema=deployment.world.schema.ref,  # household@1 cards
         predicates="valid_until ge today\nhousehold_size ge 5", purpose_en="Cash round 1")
    ui.press("save", "setup")
    assert ui.screen("setup").status == "Setup saved."
    assert ui.service.has_api_key and ui.screen("setup").ids["api_key"].text == ""
    tl_file = tmp_path / "trust_list.cbor"
    tl_file.write_bytes(deployment.trust_list().signed)
    fill(ui, trust_list_file=str(tl_file))
    ui.press("load_trust_list", "setup")
    assert "installed" in ui.screen("setup").status
    assert ui.app.freshness_state == "fresh"

    ui.go("request")
    assert request.ready and request.code is not None
    shown = shows_request_qr(ui, tmp_path)
    assert shown == ui.service.current_request.data

    alice = deployment.person(size=6)
    frames = qr_images(deployment.answer(alice, shown))
    assert len(frames) > 1  # two conditions make a multi-part answer
    result = ui.scan(frames)
    assert (result.verdict, result.headline) == ("YES", "Enrolled")
    assert "[b]Region[/b]: North" in result.details  # the category in words
    assert "Valid until: 1 Dec 2026 or later" in result.conditions
    assert "Household size: at least 5" in result.conditions
    assert result.warning == "" and not result.can_retry
    assert (result.outcome, result.icon, result.button) == ("yes", "tick", "Next person")
    assert ui.app.vibrator.patterns[-1] == (0.15,)  # one short buzz
    assert "ms" not in result.ids["countdown"].text  # no "Checked in 0 ms"

    ui.press("primary", "result")  # one tap to the next person
    assert ui.current == "request"
    second = shows_request_qr(ui, tmp_path)
    assert second != shown  # a fresh request, new nonce

    clock.advance(600)
    result = ui.scan(qr_images(deployment.answer(alice, second)))
    assert (result.verdict, result.headline) == ("NO", "Already enrolled here")
    when = local_time(NOW, Translator("en"))  # the device's own time zone, not UTC
    assert f"already enrolled by your agency on {when}." in result.message and "UTC" not in result.message
    assert (result.outcome, result.icon, result.button) == ("no", "cross", "Next person")
    assert "Do not enroll" in result.next_step
    assert ui.app.vibrator.patterns[-1] == (0.5, 0.25, 0.5)
    assert ui.service.stats().local == 1


def _tampered(answer: bytes) -> bytes:
    p = decode(answer, Presentation)
    proof = bytearray(p.proof)
    proof[175] ^= 0x01  # low bit of the first response scalar: still a scalar, wrong proof
    return encode(dataclasses.replace(p, proof=bytes(proof)))


def test_every_no_says_why(deployment: Deployment, tmp_path: Path, clock: MutableClock, make_ui: MakeUI) -> None:
    svc = deployment.device(tmp_path / "desk", clock=clock, disclose=("region", "valid_until"))
    ui = make_ui(svc)
    assert ui.current == "request"

    def scan_answer(make: Callable[[bytes], Any]) -> Any:
        ui.go("request")
        request = svc.current_request
        assert request is not None
        images = make(request.data)
        return ui.scan(images if isinstance(images, list) else qr_images(images))

    cases: list[tuple[Callable[[bytes], Any], str, str, str]] = [
        (lambda r: _tampered(deployment.answer(deployment.person(), r)), "no", "Not genuine", "altered"),
        (lambda r: deployment.answer(deployment.person(valid_until=dt.date(2026, 11, 2)), r), "no",
         "Card expired", "has expired"),
        (lambda r: deployment.answer(deployment.rogue_person(), r, force=True), "no", "Unknown issuer",
         "does not know"),
        (lambda r: [render_code(b"https://pay.example/inv/42", module_px=6).image], "try_again",
         "Not a zkaid code", "payment code"),
        (lambda r: [np.full((480, 640), 200, np.uint8)], "try_again", "Unreadable code", "could not be read"),
    ]
    verdicts = {"no": "NO", "try_again": "TRY AGAIN"}
    for make, kind, headline, words in cases:
        result = scan_answer(make)
        assert (result.outcome, result.verdict, result.headline) == (kind, verdicts[kind], headline), result.message
        assert words in result.message
        if kind == "no":  # why, and what to do next; the big button is for the next person
            assert result.button == "Next person" and result.ids["next"].disabled
        else:  # not a refusal: the big button scans the same phone again
            assert result.button == "Scan again" and "not a refusal" in result.next_step
            assert not result.ids["next"].disabled
        ui.press("primary" if kind == "no" else "next", "result")
        assert ui.current == "request"

    # an answer to an earlier request (a copied or old code): try again, with a new request
    old = svc.new_request().data
    stale_answer = deployment.answer(deployment.person(), old)
    ui.press("new_code", "request")
    result = ui.scan(qr_images(stale_answer))
    assert (result.outcome, result.headline, result.button) == ("try_again", "Not the answer to this request",
                                                                "Ask again")
    assert "Tap Ask again" in result.message and "Next person" not in result.message
    assert ui.app.vibrator.patterns[-1] == (0.08, 0.08, 0.08, 0.08, 0.08)
    asked = svc.current_request
    ui.press("primary", "result")
    assert ui.current == "request" and svc.current_request is not asked
    # unreadable codes are scanned again without a new request
    result = ui.scan([np.zeros((200, 200), np.uint8)])
    assert result.can_retry and result.ids["primary"].text == "Scan again"
    request_before = svc.current_request
    ui.frames = [np.zeros((200, 200), np.uint8)]
    ui.press("primary", "result")
    ui.pump(lambda: ui.current == "result")
    assert svc.current_request is request_before
    assert svc.ledger.entries() == []  # no "no" was ever recorded


def test_yes_goes_back_to_the_next_person_by_itself(
        deployment: Deployment, tmp_path: Path, clock: MutableClock, make_ui: MakeUI) -> None:
    ui = make_ui(deployment.device(tmp_path / "desk", clock=clock))
    ui.app.auto_next_seconds = 0.05
    first = ui.service.current_request
    assert first is not None
    result = ui.scan(qr_images(deployment.answer(deployment.person(), first.data)))
    assert result.outcome == "yes" and "Back to the next person in" in result.ids["countdown"].text
    ui.pump(lambda: ui.current == "request")
    assert ui.service.current_request is not first  # a fresh code for the next person


def test_every_check_reason_has_one_kind_and_words(tmp_path: Path) -> None:
    """The real reason enums, each sorted into YES / TRY AGAIN / NO, with a headline and a
    message in every language; only `enrolled` is a YES, and an unknown reason is a NO."""
    from field_app.i18n import LANGUAGES

    reasons = list(all_check_reasons())
    assert CheckReason.ENROLLED in reasons and VerifyReason.INVALID_PROOF in reasons
    kinds = {r: classify(r) for r in reasons}
    assert [r for r, k in kinds.items() if k is Outcome.YES] == [CheckReason.ENROLLED]
    assert kinds[CheckReason.UNREADABLE] is Outcome.TRY_AGAIN and kinds[CheckReason.REQUEST_MISMATCH] is Outcome.TRY_AGAIN
    assert kinds[VerifyReason.INVALID_PROOF] is Outcome.NO and kinds[CheckReason.CARD_REVOKED] is Outcome.NO
    assert classify("a_reason_from_a_newer_sdk") is Outcome.NO
    assert (SCAN_AGAIN | ASK_AGAIN) <= set(reasons)  # no made-up codes in the retry sets
    for lang in LANGUAGES:
        tr = Translator(lang)
        for r in reasons:
            assert tr.has(f"reason.{r}") and tr.has(f"headline.{r}"), (lang, r)
        for key in ("result.try_again", "result.button.scan", "result.button.ask", "result.no.next"):
            assert key in table(lang), (lang, key)


def test_trust_list_freshness_is_always_visible(
        deployment: Deployment, tmp_path: Path, clock: MutableClock, make_ui: MakeUI) -> None:
    stale = deployment.trust_list(next_update=NOW - 3600, grace=DAY)
    ui = make_ui(deployment.device(tmp_path / "desk", clock=clock, trust_list=stale))
    assert ui.app.freshness_state == "stale"
    assert "out of date" in ui.app.freshness and "about 23 h" in ui.app.freshness
    request = ui.screen("request")
    assert request.ready  # within grace: checks go on, with the warning
    result = ui.scan(qr_images(deployment.answer(deployment.person(), ui.service.current_request.data)))  # type: ignore[union-attr]
    assert result.verdict == "YES"
    assert "Trust list out of date" in result.warning and result.ids["warning"].opacity == 1

    clock.advance(DAY)  # beyond grace
    ui.press("primary", "result")
    assert ui.app.freshness_state == "expired"
    assert not request.ready and request.code is None
    assert "expired" in request.status
    assert request.ids["scan"].text == "Sync now"  # the way out is a sync
    ui.press("scan", "request")
    assert ui.current == "sync"


def test_scan_screen_shows_progress_for_multi_part_codes(
        deployment: Deployment, tmp_path: Path, clock: MutableClock, make_ui: MakeUI) -> None:
    ui = make_ui(deployment.device(tmp_path / "desk", clock=clock, predicates=["household_size ge 5"]))
    frames = qr_images(deployment.answer(deployment.person(), ui.service.current_request.data))  # type: ignore[union-attr]

    class Camera:
        """A live camera that saw the first part, then keeps seeing nothing."""

        live, ended = True, False

        def __init__(self) -> None:
            self.shown = [frames[0]]

        def read(self) -> Any:
            return self.shown.pop(0) if self.shown else np.full((480, 640, 3), 90, np.uint8)

        def close(self) -> None:
            self.ended = True

    ui.use_camera(Camera)
    ui.press("scan", "request")
    scan = ui.screen("scan")
    ui.pump(lambda: scan.needed == 2 and scan.received == 1)
    assert scan.progress == "1 of 2 parts"
    assert scan.preview is not None  # the camera picture is shown
    ui.press("cancel", "scan")
    assert ui.current == "request"


def test_french_on_every_screen(deployment: Deployment, tmp_path: Path, clock: MutableClock,
                                make_ui: MakeUI) -> None:
    ui = make_ui(deployment.device(tmp_path / "desk", clock=clock))
    ui.go("setup")
    ui.screen("setup").ids["language"].text = "fr"
    ui.pump()
    assert ui.app.lang == "fr" and ui.service.config.language == "fr"  # type: ignore[union-attr]
    ui.go("request")
    assert ui.screen("request").ids["title"].text == "Demandez à la personne de scanner ce code"
    assert "Liste de confiance à jour" in ui.app.freshness
    result = ui.scan([np.full((100, 100), 255, np.uint8)])
    assert (result.verdict, result.headline, result.button) == ("RÉESSAYER", "Code illisible", "Scanner de nouveau")
    ui.go("sync")
    assert ui.screen("sync").ids["sync_now"].text == "Synchroniser"


def test_sync_screen_lists_conflicts_for_follow_up(
        deployment: Deployment, tmp_path: Path, clock: MutableClock, make_ui: MakeUI) -> None:
    svc = deployment.device(tmp_path / "desk", clock=clock, service_url="http://127.0.0.1:9")
    nym = bytes(range(48))
    svc.ledger.add_conflict(svc.config.scope, nym, first_agency="agency-a", first_enrolled_at=NOW - DAY,  # type: ignore[union-attr]
                            second_agency="agency-b", second_enrolled_at=NOW, reported_at=NOW)
    ui = make_ui(svc)
    ui.go("sync")
    sync = ui.screen("sync")
    (row,) = sync.conflicts
    first_at = local_time(NOW - DAY, Translator("en"))  # the device's own time zone (test_local_words sets TZ)
    assert f"enrolled by agency-a on {first_at} and again by your agency" in row["text"]
    ui.press("sync_now", "sync")  # no network: said plainly, nothing lost
    ui.pump(lambda: not sync.busy)
    assert sync.report.startswith("No connection.")
    ui.pump(frames=3)
    rows = [w for w in sync.ids["conflicts"].children[0].children]
    assert len(rows) == 1
    rows[0].follow_up()
    ui.pump()
    assert sync.conflicts[0]["open"] is False
    assert svc.conflicts(open_only=True) == []


def test_a_request_left_on_screen_is_replaced_before_it_times_out(
        deployment: Deployment, tmp_path: Path, clock: MutableClock, make_ui: MakeUI) -> None:
    ui = make_ui(deployment.device(tmp_path / "desk", clock=clock))
    first = ui.service.current_request
    assert first is not None
    clock.advance(10 * 60)
    ui.app._tick_status()  # what the 30-second tick does
    assert ui.service.current_request is first  # still valid: the person may be scanning it
    clock.advance(6 * 60)
    ui.press("scan", "request")  # past its lifetime: a new code, and no scan yet
    assert ui.current == "request" and ui.service.current_request is not first
    second = ui.service.current_request
    clock.advance(16 * 60)
    ui.app._tick_status()
    assert ui.service.current_request is not second
    assert shows_request_qr(ui, tmp_path) == ui.service.current_request.data
