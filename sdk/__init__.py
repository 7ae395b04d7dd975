"""zkaid SDK: BBS credentials, scope pseudonyms, wire format and QR transport.

The public facade is filled in as the layers land; ``__all__`` is pinned by a test.
"""

from sdk.errors import (
    BackendError,
    CredentialError,
    EncodingError,
    FrameError,
    IntegrityError,
    InvalidPointError,
    InvalidProofError,
    InvalidScalarError,
    InvalidSignatureError,
    OfflineError,
    ParameterError,
    QRDecodeError,
    ServiceError,
    TransportError,
    TrustListError,
    VerificationError,
    WireError,
    ZkaidError,
)

__version__ = "0.1.0.dev0"

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
    "ServiceError",
    "TransportError",
    "TrustListError",
    "VerificationError",
    "WireError",
    "ZkaidError",
    "__version__",
]
