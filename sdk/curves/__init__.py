"""L0: BLS12-381 behind one interface, two backends.

This package is the only code that imports py_ecc or py_arkworks_bls12381. Choose a
backend with :func:`get_backend`: an explicit name or instance wins, then the
``ZKAID_BACKEND`` environment variable (``pyecc`` or ``arkworks``), then the native
backend when it is importable, else the portable one. Nothing is probed at import time.
"""

from __future__ import annotations

import importlib.util
import os
from functools import cache

from sdk.curves.base import G1, G2, CurveBackend, check_compressed_header
from sdk.errors import BackendError
from sdk.reasons import CurveReason

__all__ = [
    "BACKEND_NAMES",
    "G1",
    "G2",
    "CurveBackend",
    "available_backends",
    "check_compressed_header",
    "get_backend",
]

BACKEND_NAMES = ("arkworks", "pyecc")


def _native_importable() -> bool:
    return importlib.util.find_spec("py_arkworks_bls12381") is not None


def available_backends() -> list[str]:
    """Names of the backends that can run here, preferred first."""
    return [n for n in BACKEND_NAMES if n != "arkworks" or _native_importable()]


@cache
def _instance(name: str) -> CurveBackend:
    if name == "arkworks":
        try:
            from sdk.curves.arkworks import ArkworksBackend
        except ImportError as exc:
            raise BackendError(
                "the native backend needs py-arkworks-bls12381: "
                "pip install 'zkaid[native]', or set ZKAID_BACKEND=pyecc",
                reason=CurveReason.BACKEND_UNAVAILABLE,
            ) from exc
        return ArkworksBackend()
    if name == "pyecc":
        from sdk.curves.pyecc import PyEccBackend

        return PyEccBackend()
    raise BackendError(
        f"unknown curve backend {name!r}; choose one of {', '.join(BACKEND_NAMES)}",
        reason=CurveReason.BACKEND_UNKNOWN,
    )


def get_backend(backend: str | CurveBackend | None = None) -> CurveBackend:
    """Resolve a backend: instance or name, else $ZKAID_BACKEND, else native if present."""
    if backend is not None and not isinstance(backend, str):
        return backend
    name = backend or os.environ.get("ZKAID_BACKEND", "").strip().lower()
    if not name:
        name = "arkworks" if _native_importable() else "pyecc"
    return _instance(name)
