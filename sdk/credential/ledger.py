"""Enrollment ledgers: one pseudonym per scope, the heart of deduplication.

:class:`Ledger` is the protocol every store implements (the field app's SQLite ledger,
the service's registry); :class:`MemoryLedger` is a complete in-process implementation
for command-line verification and tests. A ledger holds pseudonyms and digests only.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import ClassVar, Protocol

from sdk.errors import VerificationError
from sdk.reasons import CredentialReason

__all__ = ["AlreadyEnrolled", "Enrollment", "Ledger", "MemoryLedger"]


@dataclass(frozen=True)
class Enrollment:
    scope: str
    pseudonym: bytes
    agency: str
    at: int


class AlreadyEnrolled(VerificationError):
    """The pseudonym is already enrolled in this scope; ``first`` says where and when."""

    default_reason: ClassVar[str] = CredentialReason.ALREADY_ENROLLED

    def __init__(self, first: Enrollment) -> None:
        super().__init__(
            f"already enrolled in {first.scope} by {first.agency} at {first.at}", reason=CredentialReason.ALREADY_ENROLLED
        )
        self.first = first


class Ledger(Protocol):
    def lookup(self, scope: str, pseudonym: bytes) -> Enrollment | None: ...

    def enroll(self, scope: str, pseudonym: bytes, *, agency: str, at: int) -> Enrollment:
        """Record the enrollment atomically, or raise AlreadyEnrolled with the first one."""
        ...


class MemoryLedger:
    """A thread-safe in-memory ledger."""

    def __init__(self) -> None:
        self._rows: dict[tuple[str, bytes], Enrollment] = {}
        self._lock = threading.Lock()

    def lookup(self, scope: str, pseudonym: bytes) -> Enrollment | None:
        with self._lock:
            return self._rows.get((scope, pseudonym))

    def enroll(self, scope: str, pseudonym: bytes, *, agency: str, at: int) -> Enrollment:
        with self._lock:
            first = self._rows.get((scope, pseudonym))
            if first is not None:
                raise AlreadyEnrolled(first)
            e = Enrollment(scope, pseudonym, agency, at)
            self._rows[(scope, pseudonym)] = e
            return e

    def __len__(self) -> int:
        return len(self._rows)
