"""The one loader for the IETF/IRTF vector files in tests/vectors (see its README)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sdk.curves import available_backends

VECTORS = Path(__file__).parent / "vectors"

SUITES = {
    "BLS12-381-SHA-256": "bls12-381-sha-256",
    "BLS12-381-SHAKE-256": "bls12-381-shake-256",
}

# Every backend installed here; the suite's dependencies always include the native one,
# so both run in CI. A missing backend is reported, not silently skipped.
BACKENDS = available_backends()


def load(*parts: str) -> Any:
    with (VECTORS.joinpath(*parts)).open() as fh:
        return json.load(fh)


def h(x: str | None) -> bytes:
    return bytes.fromhex(x) if x else b""


def scalar(x: str) -> int:
    # some pseudonym vectors drop leading zeros (63 hex digits): parse as an integer
    return int(x, 16)


def cases(folder: str, sub: str) -> list[Any]:
    """pytest params (suite, file) for every vector file in <folder>/<suite>/<sub>/."""
    out = []
    for suite, d in SUITES.items():
        for f in sorted((VECTORS / folder / d / sub).glob("*.json")):
            out.append(pytest.param(suite, f, id=f"{d}-{f.stem}"))
    return out


def read(path: Path) -> Any:
    with path.open() as fh:
        return json.load(fh)
