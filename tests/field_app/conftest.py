"""Field app tests: a headless Kivy (set up before Kivy is imported) and a deployment.

The native backend is used by default (``ZKAID_FIELD_BACKEND`` overrides); the SDK's own
suites cover both backends, and bench/field.py times both.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.field_app.harness import prepare_kivy

# Kivy reads the density once, when kivy.metrics is first imported, and it then holds for the
# whole process. The wallet's conftest asks for 2 px per dp; without the same value here the
# field tests ran at 1 alone and at 2 beside the wallet's (whichever conftest came first), so
# text that fits by rounding at one density failed at the other. Both suites now agree.
os.environ.setdefault("KIVY_METRICS_DENSITY", "2")
prepare_kivy()  # before anything imports kivy

from tests.field_app.demo import Deployment, MutableClock  # noqa: E402


def _backend() -> str:
    from sdk.curves import available_backends

    return os.environ.get("ZKAID_FIELD_BACKEND") or available_backends()[0]


@pytest.fixture(scope="session")
def deployment() -> Deployment:
    return Deployment(_backend())


@pytest.fixture
def clock() -> MutableClock:
    return MutableClock()


@pytest.fixture
def make_ui(tmp_path: Path) -> Iterator:  # type: ignore[type-arg]
    """Build field app UIs (one per device); closed at the end of the test."""
    from tests.field_app.harness import UI

    made: list[UI] = []

    def make(service):  # type: ignore[no-untyped-def]
        ui = UI(service)
        made.append(ui)
        return ui

    yield make
    for ui in made:
        ui.close()
