from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from tests.vectorlib import BACKENDS

settings.register_profile(
    "zkaid",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    max_examples=int(os.environ.get("ZKAID_HYPOTHESIS_EXAMPLES", "25")),
)
settings.load_profile("zkaid")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Parametrises a test over every installed curve backend."""
    return str(request.param)


def pytest_report_header(config: pytest.Config) -> str:
    return f"zkaid curve backends under test: {', '.join(BACKENDS)}"
