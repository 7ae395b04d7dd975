"""Issuer keys (BBS, generated here, secret part sealed with the KEK), verifier keys
(Ed25519 public keys of desks and devices) and schemas: what the trust list is built from.

Rotation: the new key takes over issuing at once; the old key becomes ``retired`` and stays
in the trust list, valid for verification, until its ``not_after``. Its holders keep their
pseudonyms until they are re-issued under the new key (specs/trust-list.md §10).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from sdk.credential import IssuerKey, Schema
from sdk.errors import CredentialError
from sdk.reasons import AdminReason
from sdk.wire import ed25519_kid
from verifier_service.registry.log_models import SchemaOwner
from verifier_service.registry.models import Agency, Device, IssuerKeyRow, SchemaRow, VerifierKeyRow
from verifier_service.registry.signer_models import RemoteSigner
from verifier_service.services import audit
from verifier_service.services.agencies import find_device
from verifier_service.services.errors import Conflict, Forbidden, Invalid, NotFound
from verifier_service.services.sealing import Keyring

__all__ = [
    "IssuerKeyInfo",
    "VerifierKeyInfo",
    "active_issuer_key",
    "add_schema",
    "generate_issuer_key",
    "get_schema",
    "issuer_key_status",
    "list_issuer_keys",
    "list_schemas",
    "list_verifier_keys",
    "load_issuer_key",
    "register_verifier_key",
    "revoke_verifier_key",
    "rotate_issuer_key",
    "store_issuer_key",
]

MAX_NYM_COUNT = 64  # the SDK allows more; presentations stop fitting a QR code long before


@dataclass(frozen=True)
class IssuerKeyInfo:
    kid: str
    agency: str
    name: str
    suite: str
    nym_count: int
    schemas: tuple[str, ...]
    public_key: str
    not_before: int
    not_after: int
    status: str
    created_at: int
    retired_at: int | None
    replaced_by: str | None
    range_params: bool


@dataclass(frozen=True)
class VerifierKeyInfo:
    kid: str
    agency: str
    name: str
    public_key: str
    device_id: str | None
    not_before: int
    not_after: int
    revoked_at: int | None


def issuer_key_status(row: IssuerKeyRow, now: int) -> str:
    """active (issues), retired (verifies only), pending (not yet valid), expired."""
    if now >= row.not_after:
        return "expired"
    if now < row.not_before:
        return "pending"
    return row.status


def _info(row: IssuerKeyRow, now: int) -> IssuerKeyInfo:
    return IssuerKeyInfo(
        row.kid, row.agency_id, row.name, row.suite, row.nym_count, tuple(json.loads(row.schemas)),
        row.public_key.hex(), row.not_before, row.not_after, issuer_key_status(row, now), row.created_at,
        row.retired_at, row.replaced_by, row.range_params is not None,
    )


# ------------------------------------------------------------------------ schemas

def get_schema(session: Session, ref: str) -> Schema:
    sid, sep, ver = ref.rpartition("@")
    if not sep or not sid or not ver.isdigit() or len(ver) > 10:
        raise Invalid(f"a schema reference reads 'id@version', got {ref[:200]!r}", reason=AdminReason.INVALID_SCHEMA_REF)
    row = session.get(SchemaRow, (sid, int(ver)))
    if row is None:
        raise NotFound(f"unknown schema {ref[:200]!r}", reason=AdminReason.UNKNOWN_SCHEMA)
    return Schema.from_json(row.definition)


def _claim_schema_id(session: Session, schema_id: str, *, agency: str | None, operator: bool, now: int) -> None:
    """A schema id belongs to the agency that first published it (None: the service's own
    schemas, which the operator manages): only its owner publishes new versions."""
    owner = session.get(SchemaOwner, schema_id)
    published = session.scalar(select(SchemaRow.schema_id).where(SchemaRow.schema_id == schema_id).limit(1))
    if owner is None and published is None:
        session.add(SchemaOwner(schema_id=schema_id, agency_id=agency, created_at=now))
        return
    owner_agency = owner.agency_id if owner is not None else None  # ids older than ownership: the operator's
    if agency is None or agency == owner_agency or (owner_agency is None and operator):
        return
    who = f"agency '{owner_agency}'" if owner_agency else "the registry operator"
    raise Forbidden(f"schema id {schema_id!r} belongs to {who}: only its owner publishes new versions; "
                    "publish your own schema under an id of yours", reason=AdminReason.SCHEMA_NOT_YOURS)


def add_schema(session: Session, *, now: int, definition: str, agency: str | None, actor: str,
               if_missing: bool = False, operator: bool = False) -> Schema:
    """Publish a schema version. ``agency`` None is the service itself (seeding, the CLI)."""
    try:
        schema = Schema.from_json(definition)
        schema.to_def()
    except CredentialError as exc:
        raise Invalid(str(exc), reason=AdminReason.INVALID_SCHEMA) from exc
    existing = session.get(SchemaRow, (schema.id, schema.version))
    if existing is not None:
        if if_missing or Schema.from_json(existing.definition) == schema:
            return Schema.from_json(existing.definition)
        raise Conflict(f"schema {schema.ref} exists with another definition: publish a new version",
                       reason=AdminReason.SCHEMA_EXISTS)
    _claim_schema_id(session, schema.id, agency=agency, operator=operator, now=now)
    session.add(SchemaRow(schema_id=schema.id, version=schema.version, definition=schema.to_json(),
                          created_at=now))
    audit.record(session, at=now, agency=agency, actor=actor, action="schema.add", target=schema.ref)
    return schema


def list_schemas(session: Session) -> list[Schema]:
    rows = session.scalars(select(SchemaRow).order_by(SchemaRow.schema_id, SchemaRow.version))
    return [Schema.from_json(r.definition) for r in rows]


# -------------------------------------------------------------------- issuer keys

def generate_issuer_key(name: str, schemas: Sequence[str], *, nym_count: int = 1,
                        range_params: bool = True) -> IssuerKey:
    """The slow part (range parameters), done outside any transaction."""
    if not name.strip() or len(name) > 256:
        raise Invalid("an issuer key name is 1-256 characters", reason=AdminReason.INVALID_NAME)
    if not 1 <= nym_count <= MAX_NYM_COUNT:
        raise Invalid(f"nym_count must be in 1..{MAX_NYM_COUNT}", reason=AdminReason.INVALID_NYM_COUNT)
    if not schemas:
        raise Invalid("an issuer key issues at least one schema", reason=AdminReason.INVALID_SCHEMA_REF)
    if range_params:
        return IssuerKey.generate(name.strip(), schemas=tuple(schemas), nym_count=nym_count)
    return IssuerKey.generate(name.strip(), schemas=tuple(schemas), nym_count=nym_count, range_u=None)


def store_issuer_key(session: Session, keyring: Keyring, key: IssuerKey, *, now: int, agency: str,
                     not_before: int | None, not_after: int | None, lifetime: int, actor: str) -> IssuerKeyInfo:
    if session.get(Agency, agency) is None:
        raise NotFound(f"no agency '{agency}'", reason=AdminReason.UNKNOWN_AGENCY)
    for ref in key.schemas:
        get_schema(session, ref)
    nb = now if not_before is None else not_before
    na = nb + lifetime if not_after is None else not_after
    if na <= nb or nb < 0:
        raise Invalid("not_after must be after not_before", reason=AdminReason.INVALID_DATES)
    kid = key.kid.hex()
    row = IssuerKeyRow(
        kid=kid, agency_id=agency, name=key.name, suite=key.suite, nym_count=key.nym_count,
        schemas=json.dumps(list(key.schemas)), public_key=key.public_key,
        secret_key_enc=keyring.seal(key.secret_key, f"issuer-key:{kid}"), range_params=key.range_params,
        not_before=nb, not_after=na, status="active", created_at=now,
    )
    session.add(row)
    audit.record(session, at=now, agency=agency, actor=actor, action="issuer_key.create", target=kid,
                 schemas=list(key.schemas), nym_count=key.nym_count, not_before=nb, not_after=na)
    return _info(row, now)


def list_issuer_keys(session: Session, *, now: int, agency: str | None = None) -> list[IssuerKeyInfo]:
    q = select(IssuerKeyRow).order_by(IssuerKeyRow.created_at, IssuerKeyRow.kid)
    if agency is not None:
        q = q.where(IssuerKeyRow.agency_id == agency)
    return [_info(r, now) for r in session.scalars(q)]


def load_issuer_key(session: Session, keyring: Keyring, kid: str) -> IssuerKey:
    row = session.get(IssuerKeyRow, kid)
    if row is None:
        raise NotFound(f"no issuer key {kid}", reason=AdminReason.UNKNOWN_ISSUER_KEY)
    sk = keyring.open(row.secret_key_enc, f"issuer-key:{kid}")
    return IssuerKey(row.name, sk, row.public_key, row.suite, row.nym_count, tuple(json.loads(row.schemas)),
                     row.range_params)


def active_issuer_key(session: Session, *, agency: str, schema_ref: str, now: int) -> IssuerKeyRow:
    rows = session.scalars(
        select(IssuerKeyRow).where(IssuerKeyRow.agency_id == agency, IssuerKeyRow.status == "active")
        .order_by(IssuerKeyRow.created_at.desc())
    )
    for row in rows:
        if issuer_key_status(row, now) == "active" and schema_ref in json.loads(row.schemas):
            return row
    raise Conflict(f"this agency has no active issuer key for {schema_ref}", reason=AdminReason.NO_ISSUER_KEY)


def rotate_issuer_key(session: Session, keyring: Keyring, new_key: IssuerKey, *, now: int, agency: str,
                      old_kid: str, old_not_after: int | None, lifetime: int, actor: str) -> IssuerKeyInfo:
    old = session.get(IssuerKeyRow, old_kid)
    if old is None or old.agency_id != agency:
        raise NotFound(f"no issuer key {old_kid} in this agency", reason=AdminReason.UNKNOWN_ISSUER_KEY)
    if old.status != "active":
        raise Conflict(f"issuer key {old_kid} is already retired", reason=AdminReason.KEY_RETIRED)
    if session.get(RemoteSigner, old_kid) is not None:
        raise Conflict(f"issuer key {old_kid} is held by the agency's own signer: make the new key there "
                       "(`zkaid signer init` in a new folder), register it (`zkaid issuer-key add-remote`) and "
                       "retire this one", reason=AdminReason.KEY_HELD_BY_SIGNER)
    if old_not_after is not None:
        if old_not_after < now:
            raise Invalid("the old key's end date cannot be in the past", reason=AdminReason.INVALID_DATES)
        old.not_after = min(old.not_after, old_not_after)
    info = store_issuer_key(session, keyring, new_key, now=now, agency=agency, not_before=now, not_after=None,
                            lifetime=lifetime, actor=actor)
    old.status = "retired"
    old.retired_at = now
    old.replaced_by = info.kid
    audit.record(session, at=now, agency=agency, actor=actor, action="issuer_key.rotate", target=old_kid,
                 replaced_by=info.kid, old_not_after=old.not_after)
    return info


# ------------------------------------------------------------------ verifier keys

def _name_key(name: str) -> str:
    """How a name reads to a person: compatibility forms folded, case and spacing ignored."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def _check_verifier_name(session: Session, agency: str, name: str) -> None:
    """A wallet shows the verifier's name on the consent screen: no agency may register a
    name another agency's desk already uses, or one that starts with another agency's name."""
    mine = _name_key(name)
    for other, other_name in session.execute(select(Agency.id, Agency.name).where(Agency.id != agency)):
        theirs = _name_key(other_name)
        if len(theirs) >= 3 and (mine == theirs or mine.startswith(theirs + " ")):
            raise Conflict(f"the name {name.strip()!r} reads as agency '{other}': name your desk after your "
                           "own agency", reason=AdminReason.VERIFIER_NAME_TAKEN)
    taken = session.scalars(select(VerifierKeyRow.name).where(VerifierKeyRow.agency_id != agency,
                                                              VerifierKeyRow.revoked_at.is_(None)))
    if any(_name_key(t) == mine for t in taken):
        raise Conflict(f"another agency's verifier is named {name.strip()!r}: choose another name",
                       reason=AdminReason.VERIFIER_NAME_TAKEN)


def register_verifier_key(session: Session, *, now: int, agency: str, name: str, public_key: bytes,
                          device_id: str | None, not_before: int | None, not_after: int | None,
                          lifetime: int, actor: str) -> VerifierKeyInfo:
    if len(public_key) != 32:
        raise Invalid("a verifier key is a raw 32-byte Ed25519 public key", reason=AdminReason.INVALID_KEY)
    if not name.strip() or len(name) > 256:
        raise Invalid("a verifier key name is 1-256 characters", reason=AdminReason.INVALID_NAME)
    device_pk = None
    if device_id is not None:
        dev = find_device(session, agency, device_id)
        if dev is None:
            raise NotFound(f"no device '{device_id}' in this agency", reason=AdminReason.UNKNOWN_DEVICE)
        device_pk = dev.id
    _check_verifier_name(session, agency, name)
    kid = ed25519_kid(public_key).hex()
    if session.get(VerifierKeyRow, kid) is not None:
        raise Conflict("this verifier key is registered already", reason=AdminReason.KEY_EXISTS)
    nb = now if not_before is None else not_before
    na = nb + lifetime if not_after is None else not_after
    if na <= nb or nb < 0:
        raise Invalid("not_after must be after not_before", reason=AdminReason.INVALID_DATES)
    session.add(VerifierKeyRow(kid=kid, agency_id=agency, device_pk=device_pk, name=name.strip(),
                               public_key=public_key, not_before=nb, not_after=na, created_at=now))
    audit.record(session, at=now, agency=agency, actor=actor, action="verifier_key.register", target=kid,
                 device=device_id)
    return VerifierKeyInfo(kid, agency, name.strip(), public_key.hex(), device_id, nb, na, None)


def list_verifier_keys(session: Session, *, agency: str | None = None) -> list[VerifierKeyInfo]:
    q = (select(VerifierKeyRow, Device.device_id).outerjoin(Device, Device.id == VerifierKeyRow.device_pk)
         .order_by(VerifierKeyRow.created_at, VerifierKeyRow.kid))
    if agency is not None:
        q = q.where(VerifierKeyRow.agency_id == agency)
    return [VerifierKeyInfo(r.kid, r.agency_id, r.name, r.public_key.hex(), dev, r.not_before, r.not_after,
                            r.revoked_at) for r, dev in session.execute(q)]


def revoke_verifier_key(session: Session, *, now: int, agency: str, kid: str, actor: str) -> None:
    row = session.get(VerifierKeyRow, kid)
    if row is None or row.agency_id != agency:
        raise NotFound(f"no verifier key {kid} in this agency", reason=AdminReason.UNKNOWN_KEY)
    if row.revoked_at is None:
        row.revoked_at = now
        audit.record(session, at=now, agency=agency, actor=actor, action="verifier_key.revoke", target=kid)
