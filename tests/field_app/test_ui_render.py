"""Every screen of the field app (as its ScreenManager lists them) rendered in every language
shipped (English, French, Arabic right to left), in normal and large text: no label's text may
overflow its box. Screens show real content: a request, each kind of result, a conflict."""

from __future__ import annotations

from pathlib import Path

import pytest

from field_app.i18n import LANGUAGES
from field_app.reasons import CheckReason
from field_app.service import FieldService
from sdk.reasons import VerifyReason
from tests.field_app.demo import NOW, Deployment, MutableClock
from tests.field_app.harness import UI
from tests.ui_fit import misfits

# one result of each kind, and the longest words of each
RESULTS = (CheckReason.ENROLLED, CheckReason.REQUEST_MISMATCH, CheckReason.UNREADABLE, VerifyReason.INVALID_PROOF,
           CheckReason.ONE_TIME_SCOPE)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_screen_fits_in_every_language(lang: str, deployment: Deployment, tmp_path: Path,
                                             clock: MutableClock, make_ui: object) -> None:
    svc: FieldService = deployment.device(tmp_path / "desk", clock=clock)
    svc.ledger.add_conflict(svc.config.scope, bytes(range(48)), first_agency="agency-a",  # type: ignore[union-attr]
                            first_enrolled_at=NOW - 86400, second_agency="agency-b", second_enrolled_at=NOW,
                            reported_at=NOW)
    ui: UI = make_ui(svc)  # type: ignore[operator]
    ui.app.lang = lang
    ui.app.auto_next_seconds = 0
    problems: list[str] = []
    screens = list(ui.app.root.screen_names)
    assert {"setup", "request", "scan", "result", "sync"} <= set(screens)
    for scale in (1.0, 1.3):
        ui.app.text_scale = scale
        for name in screens:
            if name == "result":
                for reason in RESULTS:
                    ui.screen("result").show(svc.refuse(reason) if reason != CheckReason.ENROLLED else
                                             _yes(svc, reason), signal=False)
                    ui.go("result")
                    ui.pump(frames=3)
                    problems += [f"{lang} x{scale} result/{reason}: {p}" for p in misfits(ui.app.root)]
                continue
            ui.go(name)
            ui.pump(frames=3)
            problems += [f"{lang} x{scale} {name}: {p}" for p in misfits(ui.app.root)]
            if name == "scan":
                ui.screen("scan").cancel()
    assert not problems, "\n".join(problems)


def _yes(svc: FieldService, reason: str) -> object:
    import dataclasses

    no = svc.refuse(CheckReason.UNREADABLE)
    return dataclasses.replace(no, ok=True, reason=reason, disclosed={"region": "north"})


def test_arabic_is_shaped_and_right_to_left(deployment: Deployment, tmp_path: Path, clock: MutableClock,
                                            make_ui: object) -> None:
    ui: UI = make_ui(deployment.device(tmp_path / "desk", clock=clock))  # type: ignore[operator]
    ui.app.lang = "ar"
    ui.go("request")
    ui.pump(frames=3)
    title = ui.screen("request").ids["title"]
    core_text = title._label.text
    assert title.text == "اطلب من الشخص مسح هذا الرمز"  # the logical text stays what the file says
    assert core_text != title.text and any("\ufe70" <= ch <= "\ufeff" for ch in core_text)  # joined forms
    ui.app.lang = "en"
    ui.pump(frames=3)
    assert title.text in title._label.text  # back to left to right exactly as written


def test_arabic_result_keeps_its_bold(deployment: Deployment, tmp_path: Path, clock: MutableClock,
                                      make_ui: object) -> None:
    """The result screen's "disclosed" heading and each attribute's name are bold ([b] markup);
    in Arabic the lines are shaped and reordered, and the bold has to come through with them."""
    svc: FieldService = deployment.device(tmp_path / "desk", clock=clock)
    ui: UI = make_ui(svc)  # type: ignore[operator]
    ui.app.lang = "ar"
    ui.app.auto_next_seconds = 0
    ui.screen("result").show(_yes(svc, CheckReason.ENROLLED), signal=False)
    ui.go("result")
    ui.pump(frames=3)
    details = ui.screen("result").ids["details"]
    assert "[b]" in details.text
    drawn = details._label._cached_lines  # the lines Kivy drew, top to bottom, word by word
    assert len(drawn) >= 2
    heading, first = drawn[0].words, drawn[1].words
    assert heading and all(w.options["bold"] for w in heading if w.text.strip())  # the heading line is bold
    assert any(w.options["bold"] for w in first if w.text.strip())  # the attribute's name
    shown = [w for w in first if w.text.strip()]
    assert shown[-1].options["bold"] and not shown[0].options["bold"]  # the name at the right, the value left
    assert any("\ufe70" <= ch <= "\ufeff" for w in heading for ch in w.text)  # and still shaped
