"""L3 wire format: canonical CBOR messages, COSE_Sign1 envelopes (specs/wire-format.md).

Layering note: zkaid orders the layers curves -> bbs -> predicates -> wire -> trust ->
credential, so that the credential roles can take bytes and a trust list as the issue
asks; the wire layer knows message shapes, never schemas or cryptographic meaning.
"""

from sdk.wire.cbor import MAGIC, MAX_MESSAGE_BYTES, decode_canonical, encode_canonical
from sdk.wire.cose import CoseSign1, ed25519_kid, is_sign1, parse_sign1, sign1, verify_sign1
from sdk.wire.messages import (
    KID_LEN,
    VERSION,
    AttributeDef,
    IssuanceRequest,
    IssuedCredential,
    IssuerEntry,
    Message,
    Offer,
    PredicateSpec,
    Presentation,
    PresentationRequest,
    ReferralKeyEntry,
    ReferralTypeDef,
    RevocationUpdate,
    SchemaDef,
    StoredCredential,
    TrustListPayload,
    VerifierEntry,
    decode,
    encode,
    message_types,
)

__all__ = [
    "KID_LEN",
    "MAGIC",
    "MAX_MESSAGE_BYTES",
    "VERSION",
    "AttributeDef",
    "CoseSign1",
    "IssuanceRequest",
    "IssuedCredential",
    "IssuerEntry",
    "Message",
    "Offer",
    "PredicateSpec",
    "Presentation",
    "PresentationRequest",
    "ReferralKeyEntry",
    "ReferralTypeDef",
    "RevocationUpdate",
    "SchemaDef",
    "StoredCredential",
    "TrustListPayload",
    "VerifierEntry",
    "decode",
    "decode_canonical",
    "ed25519_kid",
    "encode",
    "encode_canonical",
    "is_sign1",
    "message_types",
    "parse_sign1",
    "sign1",
    "verify_sign1",
]
