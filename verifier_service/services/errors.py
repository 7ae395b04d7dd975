"""Domain errors of the service layer. They carry a stable ``reason`` and a ``kind``;
``verifier_service.problems`` maps the kind to an HTTP status (routers may override it
where the contract says so), and ``extra`` members are added to the problem body."""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "BadInput",
    "Conflict",
    "DomainError",
    "Forbidden",
    "Gone",
    "Invalid",
    "NotFound",
    "Unauthorized",
    "Unavailable",
]


class DomainError(Exception):
    kind: ClassVar[str] = "invalid"

    def __init__(self, message: str, *, reason: str, **extra: Any) -> None:
        super().__init__(message)
        self.reason = reason
        self.extra: dict[str, Any] = extra

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class BadInput(DomainError):
    """The request is unreadable (400)."""

    kind = "bad_input"


class Unauthorized(DomainError):
    kind = "unauthorized"


class Forbidden(DomainError):
    kind = "forbidden"


class NotFound(DomainError):
    kind = "not_found"


class Conflict(DomainError):
    kind = "conflict"


class Gone(DomainError):
    kind = "gone"


class Invalid(DomainError):
    """Well-formed but not acceptable (422)."""

    kind = "invalid"


class Unavailable(DomainError):
    kind = "unavailable"
