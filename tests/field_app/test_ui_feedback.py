"""Sounds and vibration through their adapters: the files the apps ship, the language
fallback, the quiet desktop vibrator, and the prompts the screens ask for."""

from __future__ import annotations

import wave
from pathlib import Path

from appkit.ui.feedback import QuietVibrator, SoundPlayer
from field_app.i18n import LANGUAGES
from field_app.main import AUDIO_DIR
from field_app.outcome import Outcome
from field_app.screens.result import VIBRATION
from tests.field_app.demo import Deployment, MutableClock, qr_images


def test_every_result_kind_has_a_sound_and_a_vibration_and_each_language_its_prompts() -> None:
    for kind in Outcome:
        path = AUDIO_DIR / f"{kind.value}.wav"
        with wave.open(str(path)) as w:
            assert w.getnchannels() == 1 and w.getnframes() > 0  # small mono files
        assert VIBRATION[kind]
    assert len(set(VIBRATION.values())) == len(Outcome)  # three patterns a hand can tell apart
    for lang in LANGUAGES:
        for screen in ("request", "scan"):
            assert (AUDIO_DIR / lang / f"prompt.{screen}.wav").is_file(), (lang, screen)


def test_player_falls_back_to_english_then_neutral_and_can_be_switched_off(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    for p in (tmp_path / "en" / "prompt.x.wav", tmp_path / "beep.wav"):
        with wave.open(str(p), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(11025)
            w.writeframes(b"\0\0" * 100)
    player = SoundPlayer(tmp_path)
    assert player.path("prompt.x", "ar") == tmp_path / "en" / "prompt.x.wav"
    assert player.path("beep", "fr") == tmp_path / "beep.wav"
    assert player.path("missing", "en") is None and not player.play("missing", "en")
    player.enabled = False
    assert not player.play("beep") and player.played == []


def test_quiet_vibrator_records_and_says_it_did_not_vibrate() -> None:
    v = QuietVibrator()
    assert v.vibrate((0.1, 0.2)) is False and v.patterns == [(0.1, 0.2)]


def test_screens_ask_for_their_prompt_and_results_for_their_sound(
        deployment: Deployment, tmp_path: Path, clock: MutableClock, make_ui: object) -> None:
    ui = make_ui(deployment.device(tmp_path / "desk", clock=clock))  # type: ignore[operator]
    ui.app.lang = "ar"
    ui.go("setup")
    ui.go("request")
    assert AUDIO_DIR / "ar" / "prompt.request.wav" in ui.app.sounds.played
    result = ui.scan(qr_images(deployment.answer(deployment.person(), ui.service.current_request.data)))
    assert result.outcome == "yes" and ui.app.sounds.played[-1] == AUDIO_DIR / "yes.wav"
