"""The code stays lint-clean and type-checked (mypy --strict on sdk/), as configured in pyproject."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_clean() -> None:
    res = run("ruff", "check", "--no-cache", ".")
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]


def test_mypy_strict_sdk() -> None:
    res = run("mypy", "--no-incremental", "sdk")
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
