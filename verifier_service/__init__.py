"""zkaid agency service: issuance, the signed trust list and the shared enrollment registry.

``create_app(Settings())`` builds the FastAPI application; ``zkaid serve`` runs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from verifier_service.app import create_app
    from verifier_service.settings import Settings

__all__ = ["Settings", "create_app"]


def __getattr__(name: str) -> Any:
    # Lazy, so that importing the package (e.g. for the CLI's --help) stays cheap.
    if name == "create_app":
        from verifier_service.app import create_app

        return create_app
    if name == "Settings":
        from verifier_service.settings import Settings

        return Settings
    raise AttributeError(name)
