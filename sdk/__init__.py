"""zkaid SDK: BBS credentials with scope pseudonyms and range predicates, the CBOR wire
format, the signed trust list, QR transport and the agency service client.

This facade lists what applications use; ``__all__`` is pinned by tests/test_architecture.py
so that changes to the public surface are deliberate. Layers, lowest first:
``sdk.curves -> sdk.bbs -> sdk.predicates -> sdk.wire -> sdk.trust -> sdk.credential``;
``sdk.transport`` (QR) and ``sdk.client`` (HTTP) know bytes only.
"""

from sdk.client import ServiceClient, SyncItem
from sdk.credential import (
    REASONS,
    AlreadyEnrolled,
    Assessment,
    Credential,
    Enrollment,
    Holder,
    IssuerKey,
    Ledger,
    MemoryLedger,
    ReceivedRequest,
    Schema,
    VerifiedPresentation,
    VerifierKey,
    WalletSeed,
    build_request,
    household_schema,
    issue,
    load_schema,
    make_offer,
    read_request,
    verify_presentation,
)
from sdk.curves import available_backends, get_backend
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
from sdk.trust import (
    Freshness,
    FreshnessState,
    TrustAnchor,
    TrustList,
    load_trust_list,
    sign_trust_list,
)
from sdk.wire import PredicateSpec

__version__ = "0.1.0.dev0"

__all__ = [
    "REASONS",
    "AlreadyEnrolled",
    "Assessment",
    "BackendError",
    "Credential",
    "CredentialError",
    "EncodingError",
    "Enrollment",
    "FrameError",
    "Freshness",
    "FreshnessState",
    "Holder",
    "IntegrityError",
    "InvalidPointError",
    "InvalidProofError",
    "InvalidScalarError",
    "InvalidSignatureError",
    "IssuerKey",
    "Ledger",
    "MemoryLedger",
    "OfflineError",
    "ParameterError",
    "PredicateSpec",
    "QRDecodeError",
    "ReceivedRequest",
    "Schema",
    "ServiceClient",
    "ServiceError",
    "SyncItem",
    "TransportError",
    "TrustAnchor",
    "TrustList",
    "TrustListError",
    "VerificationError",
    "VerifiedPresentation",
    "VerifierKey",
    "WalletSeed",
    "WireError",
    "ZkaidError",
    "__version__",
    "available_backends",
    "build_request",
    "get_backend",
    "household_schema",
    "issue",
    "load_schema",
    "load_trust_list",
    "make_offer",
    "read_request",
    "sign_trust_list",
    "verify_presentation",
]
