"""The field screens speak the worker's language and clock (issue 17): agencies by their
display names, times in the device's time zone (the tests set TZ), category values in words;
and the automatic return after YES never fires once the worker has left the result screen."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from field_app.i18n import Translator
from field_app.ledger import Conflict
from field_app.present import conflict_text, freshness_text, local_text, value_text
from field_app.service import FieldService
from sdk.trust import Freshness, FreshnessState
from tests.field_app.demo import DAY, NOW, Deployment, MutableClock, qr_images
from tests.field_app.harness import UI

MakeUI = Callable[[FieldService], UI]


@pytest.fixture
def nairobi(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The device's time zone: UTC+3 all year (no daylight saving to make the test flaky)."""
    monkeypatch.setenv("TZ", "Africa/Nairobi")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def named(agency: str, name: str) -> Any:
    """A trust list that names an agency (its referral key entry carries the display name)."""
    return SimpleNamespace(payload=SimpleNamespace(referral_keys=(SimpleNamespace(agency=agency, name=name),)))


def test_the_banner_says_local_time_and_the_command_line_utc(nairobi: None) -> None:
    f = Freshness(FreshnessState.FRESH, now=NOW, next_update=NOW + DAY, grace_ends=NOW + 8 * DAY)
    en, fr = Translator("en"), Translator("fr")
    assert freshness_text(f, en, local=True) == "Trust list up to date (until 2 Dec 2026, 03:00)"
    assert "2 déc. 2026" in freshness_text(f, fr, local=True) and "03:00" in freshness_text(f, fr, local=True)
    assert "2026-12-02 00:00 UTC" in freshness_text(f, en)  # the command line: one clock for every agency
    stale = Freshness(FreshnessState.STALE, now=NOW, next_update=NOW - DAY, grace_ends=NOW + DAY)
    assert "(2 Dec 2026, 03:00)" in freshness_text(stale, en, local=True)


def test_conflicts_name_agencies_and_local_times(nairobi: None) -> None:
    c = Conflict(id=1, scope="cva/2026-12/round-1", pseudonym=bytes(range(48)), first_agency="agency-a",
                 first_enrolled_at=NOW - DAY, second_agency="agency-b", second_enrolled_at=NOW,
                 reported_at=NOW, followed_up_at=None)
    text = conflict_text(c, "agency-b", Translator("en"), trust_list=named("agency-a", "Relief Org A"), local=True)
    assert "enrolled by Relief Org A on 30 Nov 2026, 03:00 and again by your agency on 1 Dec 2026, 03:00" in text
    assert "agency-a" not in text and "UTC" not in text
    # an agency the list does not name keeps its id
    assert "enrolled by agency-a" in conflict_text(c, "agency-b", Translator("en"), local=True)


def test_category_values_and_dates_in_words() -> None:
    en, ar = Translator("en"), Translator("ar")
    assert value_text("north", en, "region") == "North" and value_text("north", ar, "region") != "north"
    assert value_text("north", en) == "north"  # the command line's column keeps the raw value
    assert value_text(dt.date(2027, 11, 1), en, "valid_until") == "1 Nov 2027"
    assert value_text(dt.date(2027, 11, 1), en) == "2027-11-01"


def test_screens_show_local_times_and_display_names(
        deployment: Deployment, tmp_path: Path, clock: MutableClock, make_ui: MakeUI, nairobi: None) -> None:
    svc = deployment.device(tmp_path / "desk", clock=clock, service_url="http://127.0.0.1:9")
    svc.ledger.add_conflict(svc.config.scope, bytes(range(48)), first_agency="agency-a",  # type: ignore[union-attr]
                            first_enrolled_at=NOW - DAY, second_agency="agency-b", second_enrolled_at=NOW,
                            reported_at=NOW)
    ui = make_ui(svc)
    assert "UTC" not in ui.app.freshness and local_text(svc.freshness().next_update, ui.app.tr) in ui.app.freshness  # type: ignore[union-attr]
    ui.go("sync")
    (row,) = ui.screen("sync").conflicts
    assert "on 30 Nov 2026, 03:00 and again by your agency on 1 Dec 2026, 03:00" in row["text"]
    ui.go("request")
    result = ui.scan(qr_images(deployment.answer(deployment.person(), svc.current_request.data)))  # type: ignore[union-attr]
    assert result.outcome == "yes"
    assert "North" in result.details and "north" not in result.details  # the region in words


def test_leaving_the_yes_screen_cancels_the_automatic_return(
        deployment: Deployment, tmp_path: Path, clock: MutableClock, make_ui: MakeUI) -> None:
    """YES schedules its return to the next person; a worker who goes to Sync first must not be
    switched away from it later by that stale timer."""
    ui = make_ui(deployment.device(tmp_path / "desk", clock=clock))
    ui.app.auto_next_seconds = 0.3
    request = ui.service.current_request
    assert request is not None
    result = ui.scan(qr_images(deployment.answer(deployment.person(), request.data)))
    assert result.outcome == "yes" and result._auto is not None
    event = result._auto
    ui.go("sync")
    assert result._auto is None and result.countdown == 0  # cancelled when the screen was left
    deadline = time.monotonic() + 0.8
    while time.monotonic() < deadline:  # well past the 0.3 s the timer had
        ui.pump(frames=2)
    assert ui.current == "sync" and ui.service.current_request is request
    assert not event.is_triggered


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_result_rows_run_from_the_right_in_arabic(
        deployment: Deployment, tmp_path: Path, clock: MutableClock, make_ui: MakeUI, lang: str) -> None:
    """The verdict's icon stands at the reading start, and so does TRY AGAIN's big button."""
    import numpy as np

    ui = make_ui(deployment.device(tmp_path / "desk", clock=clock))
    ui.app.lang = lang
    result = ui.scan([np.full((100, 100), 255, np.uint8)])  # unreadable: TRY AGAIN, both buttons shown
    ui.pump(frames=4)
    assert result.outcome == "try_again"
    icon, verdict = result.ids["icon"], result.ids["verdict"]
    primary, quiet = result.ids["primary"], result.ids["next"]
    assert (icon.x > verdict.x) == (lang == "ar")
    assert (primary.x < quiet.x) == (lang == "ar")
    ui.app.lang = "en"
