"""L5: the credential profile: schemas, wallet seed, issuer / holder / verifier roles.

See specs/credential-profile.md. Roles work over plain frozen dataclasses and the wire
messages of :mod:`sdk.wire`; they read no clock and draw no randomness except through
``now=`` / ``rng=`` seams (and the OS CSPRNG by default).
"""

from importlib import resources

from sdk.credential.holder import Assessment, Credential, Holder, PendingIssuance
from sdk.credential.issuer import IssuerKey, issue, make_offer, new_signer_entropy
from sdk.credential.ledger import AlreadyEnrolled, Enrollment, Ledger, MemoryLedger
from sdk.credential.profile import check_pseudonym, context_id, credential_header, request_digest
from sdk.credential.request import ReceivedRequest, VerifierKey, build_request, read_request
from sdk.credential.schema import Attribute, Schema, load_schema
from sdk.credential.seed import WalletSeed, decode_recovery_code, encode_recovery_code
from sdk.credential.verifier import (
    REASONS,
    VerifiedPresentation,
    reject,
    verify_presentation,
    verify_presentations,
)
from sdk.errors import CredentialError
from sdk.reasons import CredentialReason

__all__ = [
    "REASONS",
    "AlreadyEnrolled",
    "Assessment",
    "Attribute",
    "Credential",
    "Enrollment",
    "Holder",
    "IssuerKey",
    "Ledger",
    "MemoryLedger",
    "PendingIssuance",
    "ReceivedRequest",
    "Schema",
    "VerifiedPresentation",
    "VerifierKey",
    "WalletSeed",
    "build_request",
    "check_pseudonym",
    "context_id",
    "credential_header",
    "decode_recovery_code",
    "encode_recovery_code",
    "household_schema",
    "issue",
    "load_schema",
    "make_offer",
    "new_signer_entropy",
    "read_request",
    "reject",
    "request_digest",
    "verify_presentation",
    "verify_presentations",
]


def household_schema(version: int = 1) -> Schema:
    """The shipped cash-assistance household schema (specs/schemas/household-v<version>.json).

    Version 2 adds ``card_handle``, the hidden revocation handle (specs/revocation.md)."""
    if version not in (1, 2):
        raise CredentialError(f"there is no household schema version {version} (1 or 2)", reason=CredentialReason.UNKNOWN_SCHEMA)
    text = resources.files("sdk.credential").joinpath(f"schemas/household-v{version}.json").read_text("utf-8")
    return Schema.from_json(text)
