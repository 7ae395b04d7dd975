"""JSON shapes of the API (pydantic), separate from the SDK's types and the service's
dataclasses. Binary values are lowercase hex; whole messages inside JSON are base64."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from sdk.client import DuplicateEvent, SyncAnswer, SyncItem

__all__ = [
    "NO_CONTROL",
    "AgencyCreate",
    "AgencyCreated",
    "AgencyOut",
    "AnchorOut",
    "ApiKeyCreate",
    "ApiKeyCreated",
    "ApiKeyOut",
    "AuditEventOut",
    "DeviceCreate",
    "DeviceOut",
    "DuplicateOut",
    "EnrollmentCreate",
    "EnrollmentOut",
    "Health",
    "IssuerKeyCreate",
    "IssuerKeyOut",
    "IssuerKeyRotate",
    "OfferCreate",
    "OfferCreated",
    "Problem",
    "SchemaCreate",
    "SchemaOut",
    "ScopeCreate",
    "ScopeOut",
    "ScopeStatsOut",
    "SyncDuplicateOut",
    "SyncItemIn",
    "SyncOut",
    "SyncRequest",
    "TrustListOut",
    "UpdateOut",
    "VerifierKeyCreate",
    "VerifierKeyOut",
    "VerifyOut",
    "VerifyRequest",
]

# Text that reaches the database: no control characters (PostgreSQL cannot even hold NUL).
NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"

Hex48 = Annotated[str, Field(pattern=r"^[0-9a-fA-F]{96}$", description="48-byte pseudonym, hex")]
ScopeName = Annotated[str, Field(min_length=1, max_length=256, pattern=NO_CONTROL, examples=["cva/2026-12/round-1"])]
UnixTime = Annotated[StrictInt, Field(ge=0, le=2**53, description="Unix seconds (UTC)")]
AttrValue = StrictInt | StrictBool | Annotated[str, Field(max_length=4096)] | None


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Problem(BaseModel):
    """RFC 9457 problem details (``application/problem+json``)."""

    type: str
    title: str
    status: int
    detail: str
    reason: str = Field(description="stable machine-readable code")
    model_config = ConfigDict(extra="allow")


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    database: str


class AnchorOut(BaseModel):
    public_key: str = Field(description="Ed25519 trust-list key, hex (pin it out of band in production)")
    kid: str
    sequence: int


class TrustListOut(BaseModel):
    sequence: int
    issued_at: int
    next_update: int
    grace: int
    signer_kid: str
    anchor: str
    size: int
    issuers: int
    verifiers: int
    schemas: int


# ---------------------------------------------------------------------- issuance

class OfferCreate(Strict):
    schema_: str = Field(alias="schema", min_length=3, max_length=160, pattern=NO_CONTROL,
                         examples=["org.zkaid.household@1"])
    values: dict[Annotated[str, Field(max_length=64)], AttrValue] = Field(max_length=64)
    reissue_of: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")] | None = None
    approval: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9+/]{160}$", max_length=160,
        description="base64 of the agency registrar's approval of these values, for an agency whose own "
                    "signer holds its issuer key and requires approvals (docs/deployment.md §8)")

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class OfferCreated(BaseModel):
    offer_id: str
    credential_id: str
    code: str
    expires_at: int
    offer: str = Field(description="base64 of the Offer message bytes, for the QR code")
    issuer_kid: str
    schema_: str = Field(alias="schema")

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


# ---------------------------------------------------------------------- registry

class EnrollmentCreate(Strict):
    scope: ScopeName
    pseudonym: Hex48


class EnrollmentOut(BaseModel):
    scope: str
    pseudonym: str
    agency: str
    enrolled_at: int


class SyncItemIn(Strict):
    scope: ScopeName
    pseudonym: Hex48
    enrolled_at: UnixTime

    def to_sdk(self) -> SyncItem:
        return SyncItem(self.scope, bytes.fromhex(self.pseudonym), self.enrolled_at)


class SyncRequest(Strict):
    device_id: str = Field(min_length=1, max_length=128, pattern=NO_CONTROL)
    scopes: list[ScopeName] = Field(default_factory=list, max_length=64)
    cursor: StrictInt = Field(default=0, ge=0, le=2**63 - 1)  # false or 1.0 are not a cursor
    enrollments: list[SyncItemIn] = Field(default_factory=list, max_length=10_000)


class SyncDuplicateOut(BaseModel):
    scope: str
    pseudonym: str
    first_agency: str
    first_enrolled_at: int
    your_enrolled_at: int


class UpdateOut(BaseModel):
    scope: str
    pseudonym: str
    agency: str
    enrolled_at: int


class SyncOut(BaseModel):
    accepted: int
    replayed: int = Field(description="items that were already stored from this device (a retried upload)")
    duplicates: list[SyncDuplicateOut]
    updates: list[UpdateOut]
    cursor: int
    log_size: int = Field(default=0, description="size of the registry log after this sync")
    log_indexes: list[int] = Field(
        default_factory=list,
        description="log entry index of each accepted enrollment, in upload order (keep the inclusion proofs)")

    @classmethod
    def from_sdk(cls, answer: SyncAnswer) -> SyncOut:
        """The HTTP form of the SDK's answer: sdk.client.SyncAnswer defines the fields and their JSON."""
        return cls.model_validate(answer.to_json())


class DuplicateOut(BaseModel):
    id: int
    scope: str
    pseudonym: str
    first_agency: str
    first_enrolled_at: int
    second_agency: str
    second_enrolled_at: int
    detected_at: int
    source: str

    @classmethod
    def from_sdk(cls, event: DuplicateEvent) -> DuplicateOut:
        return cls.model_validate(event.to_json())


class ScopeStatsOut(BaseModel):
    scope: str
    enrollments: int
    duplicates: int
    by_agency: dict[str, int]


class ScopeCreate(Strict):
    scope: ScopeName
    description: str = Field(default="", max_length=512, pattern=NO_CONTROL)


class ScopeOut(BaseModel):
    scope: str
    description: str
    created_by: str
    created_at: int


# ------------------------------------------------------------------ verification

class VerifyRequest(Strict):
    request: str = Field(max_length=16384, description="base64 of the presentation request bytes")
    presentation: str = Field(max_length=65536, description="base64 of the Presentation bytes")
    enroll: bool = False


class VerifyOut(BaseModel):
    ok: Literal[True]
    issuer: str
    issuer_kid: str
    schema_: str = Field(alias="schema")
    disclosed: dict[str, Any]
    predicates: list[dict[str, Any]]
    scope: str
    pseudonym: str
    trust_list: Literal["fresh", "stale"]
    warning: str | None = None
    enrollment: EnrollmentOut | None

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


# ----------------------------------------------------------------- administration

class AgencyCreate(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$", examples=["agency-b"])
    name: str = Field(min_length=1, max_length=256, pattern=NO_CONTROL)


class AgencyOut(BaseModel):
    id: str
    name: str
    operator: bool
    created_at: int


class AgencyCreated(AgencyOut):
    admin_key: str = Field(description="the new agency's first admin key; shown once")


class ApiKeyCreate(Strict):
    role: Literal["admin", "registrar", "field_device", "auditor"]
    device_id: str | None = Field(default=None, max_length=128, pattern=NO_CONTROL)
    label: str | None = Field(default=None, max_length=128, pattern=NO_CONTROL)


class ApiKeyOut(BaseModel):
    key_id: str
    agency: str
    role: str
    device_id: str | None
    label: str | None
    created_at: int
    revoked_at: int | None


class ApiKeyCreated(ApiKeyOut):
    api_key: str = Field(description="shown once; only its hash is stored")


class DeviceCreate(Strict):
    device_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
    name: str | None = Field(default=None, max_length=256, pattern=NO_CONTROL)
    verifier_public_key: str | None = Field(
        default=None, pattern=r"^[0-9a-fA-F]{64}$", description="the device's Ed25519 request-signing key"
    )


class DeviceOut(BaseModel):
    device_id: str
    agency: str
    name: str
    created_at: int
    revoked_at: int | None
    verifier_kid: str | None = None


class VerifierKeyCreate(Strict):
    name: str = Field(min_length=1, max_length=256, pattern=NO_CONTROL)
    public_key: str = Field(pattern=r"^[0-9a-fA-F]{64}$")
    device_id: str | None = Field(default=None, max_length=128, pattern=NO_CONTROL)
    not_before: UnixTime | None = None
    not_after: UnixTime | None = None


class VerifierKeyOut(BaseModel):
    kid: str
    agency: str
    name: str
    public_key: str
    device_id: str | None
    not_before: int
    not_after: int
    revoked_at: int | None


class IssuerKeyCreate(Strict):
    name: str = Field(min_length=1, max_length=256, pattern=NO_CONTROL)
    schemas: list[Annotated[str, Field(min_length=3, max_length=160, pattern=NO_CONTROL)]] = Field(min_length=1, max_length=64)
    nym_count: int = Field(default=1, ge=1, le=64)
    not_before: UnixTime | None = None
    not_after: UnixTime | None = None
    range_params: bool | None = Field(default=None, description="publish range parameters (default: setting)")


class IssuerKeyRotate(Strict):
    old_not_after: UnixTime | None = Field(
        default=None, description="shorten the old key's validity (default: keep its end date)"
    )
    name: str | None = Field(default=None, min_length=1, max_length=256, pattern=NO_CONTROL)


class RemoteIssuerKeyCreate(Strict):
    signer_url: str = Field(min_length=10, max_length=512, pattern=r"^https?://[^\s\x00-\x1f\x7f]+$",
                            description="the agency's `zkaid signer serve` address, as the service reaches it")


class SignerClientKeyOut(BaseModel):
    public_key: str = Field(description="hex of the Ed25519 key the service signs its requests to agency "
                                        "signers with: pin it with `zkaid signer serve --service-key`")


class IssuerKeyOut(BaseModel):
    kid: str
    agency: str
    name: str
    suite: str
    nym_count: int
    schemas: list[str]
    public_key: str
    not_before: int
    not_after: int
    status: Literal["active", "retired", "pending", "expired"]
    created_at: int
    retired_at: int | None
    replaced_by: str | None
    range_params: bool


class SchemaCreate(Strict):
    definition: dict[str, Any] = Field(description="a schema document (specs/schemas/*.json)")


class SchemaOut(BaseModel):
    ref: str
    definition: dict[str, Any]


class AuditEventOut(BaseModel):
    id: int
    at: int
    agency: str | None
    actor: str
    action: str
    target: str
    detail: dict[str, Any]
