"""The code stays lint-clean and type-checked (mypy --strict on every package), as configured in pyproject."""

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


def _packages() -> list[str]:
    """Every first-party package, as pyproject's setuptools include list names them."""
    import tomllib

    include = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]["packages"]["find"]["include"]
    names = sorted({pattern.rstrip("*").rstrip(".") for pattern in include})
    return [n for n in names if (ROOT / n / "__init__.py").exists()]


def test_every_package_is_checked() -> None:
    assert {"sdk", "verifier_service", "wallet_app", "field_app", "zkaid"} <= set(_packages())


def test_mypy_strict_every_package() -> None:
    """mypy --strict (pyproject's overrides) on every package: sdk, the service, both apps, the CLI."""
    res = run("mypy", "--no-incremental", *_packages())
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
