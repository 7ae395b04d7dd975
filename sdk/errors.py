"""One error tree for all of zkaid.

Every failure that a caller can act on is a subclass of :class:`ZkaidError`, so
applications catch one type and show ``str(err)`` (a sentence a person can act on)
or branch on ``err.reason`` (a short, stable, machine-readable code).

Low-level draft functions (``sdk.bbs.verify``, ``proof_verify``) return ``False``
exactly where the drafts say INVALID; the public credential and transport APIs raise.
"""

from __future__ import annotations

from typing import ClassVar

from sdk.reasons import ErrorReason

__all__ = [
    "BackendError",
    "CredentialError",
    "EncodingError",
    "FrameError",
    "IntegrityError",
    "InvalidPointError",
    "InvalidProofError",
    "InvalidScalarError",
    "InvalidSignatureError",
    "OfflineError",
    "ParameterError",
    "QRDecodeError",
    "ReferralError",
    "ScopeError",
    "ServiceError",
    "TransportError",
    "TrustListError",
    "VerificationError",
    "WireError",
    "ZkaidError",
]


class ZkaidError(Exception):
    """Base class. ``reason`` is a stable code (a member of a :mod:`sdk.reasons` enum, which is
    its string); the message is for people."""

    default_reason: ClassVar[str] = ErrorReason.ERROR

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason: str = reason or self.default_reason

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class BackendError(ZkaidError):
    """A curve backend is unknown, not installed, or failed internally."""

    default_reason: ClassVar[str] = ErrorReason.BACKEND


class ParameterError(ZkaidError, ValueError):
    """An argument is out of its documented range (indexes, counts, lengths, suites)."""

    default_reason: ClassVar[str] = ErrorReason.PARAMETER


class EncodingError(ZkaidError, ValueError):
    """Bytes that do not decode to what they claim to be."""

    default_reason: ClassVar[str] = ErrorReason.MALFORMED


class InvalidPointError(EncodingError):
    """A point encoding is malformed, off the curve, outside the subgroup or the identity."""

    default_reason: ClassVar[str] = ErrorReason.INVALID_POINT


class InvalidScalarError(EncodingError):
    """A scalar is zero, >= r, or of the wrong length where the drafts forbid it."""

    default_reason: ClassVar[str] = ErrorReason.INVALID_SCALAR


class WireError(EncodingError):
    """A zkaid CBOR message is malformed, of an unknown version or too large."""

    default_reason: ClassVar[str] = ErrorReason.MALFORMED


class VerificationError(ZkaidError):
    """Something well-formed failed to verify; ``reason`` says what."""

    default_reason: ClassVar[str] = ErrorReason.INVALID


class InvalidSignatureError(VerificationError):
    default_reason: ClassVar[str] = ErrorReason.INVALID_SIGNATURE


class InvalidProofError(VerificationError):
    default_reason: ClassVar[str] = ErrorReason.INVALID_PROOF


class CredentialError(ZkaidError):
    """A credential operation cannot go ahead (schema, issuer, request it cannot satisfy)."""

    default_reason: ClassVar[str] = ErrorReason.CREDENTIAL


class ScopeError(CredentialError, ValueError):
    """A scope name is not in its one normalised spelling (sdk.wire.scope)."""

    default_reason: ClassVar[str] = ErrorReason.INVALID_SCOPE


class TrustListError(VerificationError):
    """The trust list is badly signed, expired beyond grace, or does not know a key."""

    default_reason: ClassVar[str] = ErrorReason.TRUST_LIST


class ServiceError(ZkaidError):
    """The agency service answered with an error (``status`` is the HTTP status)."""

    default_reason: ClassVar[str] = ErrorReason.SERVICE

    def __init__(self, message: str, *, reason: str | None = None, status: int = 0,
                 detail: dict[str, object] | None = None) -> None:
        super().__init__(message, reason=reason)
        self.status = status
        self.detail: dict[str, object] = detail or {}


class OfflineError(ServiceError):
    """The agency service could not be reached (no network, timeout, refused)."""

    default_reason: ClassVar[str] = ErrorReason.OFFLINE


class ReferralError(ZkaidError):
    """A referral cannot be sealed, opened, consented to or accepted; ``reason`` says why
    (wrong_recipient, tampered, expired, replayed, unknown_type, note_too_long,
    consent_mismatch, ...; see sdk.referral)."""

    default_reason: ClassVar[str] = ErrorReason.REFERRAL


class TransportError(ZkaidError):
    """Moving bytes through QR codes failed."""

    default_reason: ClassVar[str] = ErrorReason.TRANSPORT


class QRDecodeError(TransportError):
    """An image held no readable zkaid code (none, several, foreign or damaged)."""

    default_reason: ClassVar[str] = ErrorReason.UNREADABLE


class FrameError(TransportError):
    """A QR frame is truncated, malformed, or inconsistent with the message it claims."""

    default_reason: ClassVar[str] = ErrorReason.BAD_FRAME


class IntegrityError(TransportError):
    """A reassembled multi-part message failed its integrity check."""

    default_reason: ClassVar[str] = ErrorReason.INTEGRITY
