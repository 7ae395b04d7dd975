"""Make the apps' sound files offline: result tones and spoken screen prompts.

    python scripts/make_audio.py            # needs espeak-ng on the PATH (apt-get install espeak-ng)

Result tones (language-neutral, ``<app>/audio/{yes,try_again,no}.wav``) are synthesised
here with numpy: YES rises (two notes up), TRY AGAIN repeats one middle note three times, NO
falls (two long low notes), so the three differ by melody and rhythm, not only by pitch.

Spoken prompts (``<app>/audio/<lang>/prompt.<screen>.wav``) say the screen's own words,
taken from the app's translation file, through espeak-ng's English, French and Arabic voices.
Both are written as 16-bit mono WAV at 11,025 Hz (speech stays clear; files stay small).

An agency that prefers a human voice records its own: one WAV file per prompt, mono, any
rate Kivy plays (11,025 to 48,000 Hz), named as below, placed in the same folders; the apps
play whatever file is there, and this script is only needed again for new words.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RATE = 11025
VOICES = {"en": "en-gb", "fr": "fr-fr", "ar": "ar"}

# screen -> translation keys whose words are spoken when the screen opens
PROMPTS: dict[str, dict[str, tuple[str, ...]]] = {
    "field_app": {
        "request": ("request.title",),
        "scan": ("scan.hint.starting",),
    },
    "wallet_app": {
        "home": ("home.title",),
        "scan": ("scan.hint",),
        "consent": ("consent.title",),
        "present": ("present.title", "present.single"),
        "unlock": ("unlock.title",),
    },
}


def tone(notes: list[tuple[float, float]], gap: float = 0.06) -> np.ndarray:
    """Notes of (frequency Hz, seconds) with soft edges, and a short gap between them."""
    parts = []
    for freq, secs in notes:
        t = np.arange(int(RATE * secs)) / RATE
        env = np.minimum(1.0, np.minimum(t, secs - t) / 0.015)  # 15 ms fade in and out
        parts.append(0.6 * env * np.sin(2 * np.pi * freq * t))
        parts.append(np.zeros(int(RATE * gap)))
    return np.concatenate(parts)


TONES = {
    "yes": tone([(660, 0.14), (990, 0.22)]),
    "try_again": tone([(740, 0.1), (740, 0.1), (740, 0.1)], gap=0.08),
    "no": tone([(330, 0.3), (220, 0.45)], gap=0.1),
}


def write_wav(path: Path, samples: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())


def speak(text: str, voice: str) -> np.ndarray:
    """espeak-ng to a temporary WAV, read back and resampled to RATE (linear interpolation)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "say.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "140", "-w", str(out), text], check=True)
        with wave.open(str(out), "rb") as w:
            rate, data = w.getframerate(), w.readframes(w.getnframes())
    x = np.frombuffer(data, dtype="<i2").astype(np.float64) / 32768
    n = int(len(x) * RATE / rate)
    return np.interp(np.linspace(0, len(x) - 1, n), np.arange(len(x)), x)


def main() -> int:
    if shutil.which("espeak-ng") is None:
        print("espeak-ng is not installed (apt-get install espeak-ng)", file=sys.stderr)
        return 1
    total = 0
    for app, screens in PROMPTS.items():
        audio = ROOT / app / "audio"
        if app == "field_app":
            for name, samples in TONES.items():
                write_wav(audio / f"{name}.wav", samples)
                total += 1
        for lang, voice in VOICES.items():
            table = json.loads((ROOT / app / "i18n" / f"{lang}.json").read_text("utf-8"))
            for screen, keys in screens.items():
                text = " ".join(table[k] for k in keys)
                write_wav(audio / lang / f"prompt.{screen}.wav", speak(text, voice))
                total += 1
    size = sum(p.stat().st_size for app in PROMPTS for p in (ROOT / app / "audio").rglob("*.wav"))
    print(f"{total} files, {size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
