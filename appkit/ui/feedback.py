"""Vibration and sound, each behind a small adapter.

A result must be unmistakable without reading it: besides colour, icon and word, each kind
of result has its own vibration pattern and sound. Phones vibrate through Android's
``Vibrator`` service (pyjnius, only present in an Android build); a laptop has no motor, so
:class:`QuietVibrator` records the request and does nothing. Sounds are files played with
Kivy's ``SoundLoader``; a missing file or a machine without audio plays nothing and says so
through the return value, never by raising in front of a person.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

__all__ = ["AndroidVibrator", "QuietVibrator", "SoundPlayer", "Vibrator", "default_vibrator"]


class Vibrator(Protocol):
    def vibrate(self, pattern: Sequence[float]) -> bool:
        """Vibrate ``pattern`` (on, off, on, ... in seconds); True when the device did."""
        ...


class QuietVibrator:
    """No motor (a laptop, the tests): remembers each pattern it was given."""

    def __init__(self) -> None:
        self.patterns: list[tuple[float, ...]] = []

    def vibrate(self, pattern: Sequence[float]) -> bool:
        self.patterns.append(tuple(float(p) for p in pattern))
        return False


class AndroidVibrator:
    """Android's ``Vibrator`` service through pyjnius (present only in an Android build)."""

    def __init__(self, service: Any) -> None:
        self._service = service

    @classmethod
    def open(cls) -> AndroidVibrator | None:
        try:
            from jnius import autoclass  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            return None
        activity = autoclass("org.kivy.android.PythonActivity").mActivity
        context = autoclass("android.content.Context")
        service = activity.getSystemService(context.VIBRATOR_SERVICE)
        return cls(service) if service is not None else None

    def vibrate(self, pattern: Sequence[float]) -> bool:
        if not pattern:
            return False
        # Android's pattern starts with a pause, then alternates on/off, in milliseconds.
        millis = [0] + [max(0, int(p * 1000)) for p in pattern]
        self._service.vibrate(millis, -1)
        return True


def default_vibrator() -> Vibrator:
    """The phone's motor where there is one, else the quiet fallback."""
    return AndroidVibrator.open() or QuietVibrator()


class SoundPlayer:
    """Plays ``<folder>/<lang>/<name>.wav`` (or ``<folder>/<name>.wav``, language-neutral)
    with Kivy's SoundLoader. ``played`` lists what was asked and found, for the tests and
    for a screen that wants to show it played.
    """

    def __init__(self, folder: str | Path, *, enabled: bool = True) -> None:
        self.folder = Path(folder)
        self.enabled = enabled
        self.played: list[Path] = []
        self._cache: dict[Path, Any] = {}

    def path(self, name: str, lang: str = "") -> Path | None:
        """The file for ``name`` in ``lang``, then English, then language-neutral."""
        for candidate in (self.folder / lang / f"{name}.wav", self.folder / "en" / f"{name}.wav",
                          self.folder / f"{name}.wav"):
            if candidate.is_file():
                return candidate
        return None

    def play(self, name: str, lang: str = "") -> bool:
        """Start the sound; False when it is off, missing, or the machine cannot play it."""
        if not self.enabled:
            return False
        path = self.path(name, lang)
        if path is None:
            return False
        self.played.append(path)
        sound = self._cache.get(path)
        if sound is None:
            from kivy.core.audio import SoundLoader

            sound = SoundLoader.load(str(path))
            if sound is None:  # no audio provider on this machine
                return False
            self._cache[path] = sound
        sound.stop()
        sound.play()
        return True
