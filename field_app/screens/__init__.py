"""The field app's screens: one ``.py`` (a thin Screen) and one ``.kv`` (its layout) each.

Screens ask :class:`~field_app.service.FieldService` (through the app) and put the words
of :mod:`field_app.present` into labels; they hold no verification or ledger logic.
:func:`load_kv` loads the layouts once, when the app builds, never at import.
"""

from __future__ import annotations

from pathlib import Path

from field_app.screens.request import FieldRequestScreen
from field_app.screens.result import FieldResultScreen
from field_app.screens.scan import FieldScanScreen
from field_app.screens.setup import FieldSetupScreen
from field_app.screens.sync import FieldSyncScreen

__all__ = ["SCREENS", "FieldRequestScreen", "FieldResultScreen", "FieldScanScreen", "FieldSetupScreen", "FieldSyncScreen", "load_kv"]

SCREENS = {
    "setup": FieldSetupScreen,
    "request": FieldRequestScreen,
    "scan": FieldScanScreen,
    "result": FieldResultScreen,
    "sync": FieldSyncScreen,
}

_KV_FILES = ("common.kv", "setup.kv", "request.kv", "scan.kv", "result.kv", "sync.kv")
_loaded: set[str] = set()


def load_kv() -> None:
    """Load every layout file once per process (Kivy would apply a rule twice otherwise)."""
    from kivy.lang import Builder

    here = Path(__file__).parent
    for name in _KV_FILES:
        path = str(here / name)
        if path not in _loaded:
            Builder.load_file(path)
            _loaded.add(path)
