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
