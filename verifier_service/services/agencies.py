"""Agencies, their devices and their API keys."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sdk.reasons import AdminReason
from verifier_service.registry.models import Agency, ApiKey, Device, VerifierKeyRow
from verifier_service.services import audit
from verifier_service.services.auth import ROLES, bump_auth_generation, hash_key, new_api_key
from verifier_service.services.errors import Conflict, Invalid, NotFound

__all__ = [
    "AGENCY_ID_RE",
    "DEVICE_ID_RE",
    "AgencyInfo",
    "ApiKeyInfo",
    "DeviceInfo",
    "agency_name",
    "create_agency",
    "create_api_key",
    "find_device",
    "list_agencies",
    "list_api_keys",
    "list_devices",
    "register_device",
    "revoke_api_key",
]

AGENCY_ID_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
DEVICE_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


@dataclass(frozen=True)
class AgencyInfo:
    id: str
    name: str
    operator: bool
    created_at: int


@dataclass(frozen=True)
class ApiKeyInfo:
    key_id: str
    agency: str
    role: str
    device_id: str | None
    label: str | None
    created_at: int
    revoked_at: int | None


@dataclass(frozen=True)
class DeviceInfo:
    device_id: str
    agency: str
    name: str
    created_at: int
    revoked_at: int | None


def create_agency(session: Session, *, now: int, agency_id: str, name: str, operator: bool = False,
                  actor: str, by_agency: str | None = None) -> AgencyInfo:
    if not AGENCY_ID_RE.fullmatch(agency_id):
        raise Invalid("an agency id is 1-64 lowercase letters, digits or '-'", reason=AdminReason.INVALID_AGENCY_ID)
    if not name.strip() or len(name) > 256:
        raise Invalid("an agency name is 1-256 characters", reason=AdminReason.INVALID_NAME)
    if session.get(Agency, agency_id) is not None:
        raise Conflict(f"agency '{agency_id}' exists already", reason=AdminReason.AGENCY_EXISTS)
    session.add(Agency(id=agency_id, name=name.strip(), operator=operator, created_at=now))
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(f"agency '{agency_id}' exists already", reason=AdminReason.AGENCY_EXISTS) from exc
    audit.record(session, at=now, agency=agency_id, actor=actor, action="agency.create", target=agency_id,
                 operator=operator, by_agency=by_agency)
    if by_agency and by_agency != agency_id:
        audit.record(session, at=now, agency=by_agency, actor=actor, action="agency.create", target=agency_id)
    return AgencyInfo(agency_id, name.strip(), operator, now)


def list_agencies(session: Session) -> list[AgencyInfo]:
    return [AgencyInfo(a.id, a.name, a.operator, a.created_at)
            for a in session.scalars(select(Agency).order_by(Agency.id))]


def agency_name(session: Session, agency_id: str) -> str:
    a = session.get(Agency, agency_id)
    return a.name if a is not None else agency_id


def find_device(session: Session, agency: str, device_id: str) -> Device | None:
    return session.scalars(
        select(Device).where(Device.agency_id == agency, Device.device_id == device_id)
    ).first()


def register_device(session: Session, *, now: int, agency: str, device_id: str, name: str | None,
                    actor: str) -> DeviceInfo:
    if not DEVICE_ID_RE.fullmatch(device_id):
        raise Invalid("a device id is 1-128 letters, digits, '.', '_' or '-'", reason=AdminReason.INVALID_DEVICE_ID)
    if session.get(Agency, agency) is None:
        raise NotFound(f"no agency '{agency}'", reason=AdminReason.UNKNOWN_AGENCY)
    if find_device(session, agency, device_id) is not None:
        raise Conflict(f"device '{device_id}' exists already", reason=AdminReason.DEVICE_EXISTS)
    label = (name or device_id).strip()[:256] or device_id
    session.add(Device(agency_id=agency, device_id=device_id, name=label, created_at=now))
    session.flush()
    audit.record(session, at=now, agency=agency, actor=actor, action="device.register", target=device_id)
    return DeviceInfo(device_id, agency, label, now, None)


def revoke_device(session: Session, *, now: int, agency: str, device_id: str, actor: str) -> int:
    """Retire a lost or stolen device: its API keys stop working at once (authentication
    refuses keys of revoked devices) and its request-signing keys leave the trust list.
    Returns how many verifier keys were revoked (the caller re-signs the list if any)."""
    d = find_device(session, agency, device_id)
    if d is None:
        raise NotFound(f"no device '{device_id}' in this agency", reason=AdminReason.UNKNOWN_DEVICE)
    revoked = 0
    if d.revoked_at is None:
        d.revoked_at = now
        for k in session.scalars(select(ApiKey).where(ApiKey.device_pk == d.id, ApiKey.revoked_at.is_(None))):
            k.revoked_at = now
        for vk in session.scalars(select(VerifierKeyRow).where(VerifierKeyRow.device_pk == d.id,
                                                               VerifierKeyRow.revoked_at.is_(None))):
            vk.revoked_at = now
            revoked += 1
        bump_auth_generation(session)
        audit.record(session, at=now, agency=agency, actor=actor, action="device.revoke", target=device_id)
    return revoked


def list_devices(session: Session, agency: str) -> list[DeviceInfo]:
    rows = session.scalars(select(Device).where(Device.agency_id == agency).order_by(Device.device_id))
    return [DeviceInfo(d.device_id, d.agency_id, d.name, d.created_at, d.revoked_at) for d in rows]


def create_api_key(session: Session, *, now: int, agency: str, role: str, device_id: str | None = None,
                   label: str | None = None, actor: str) -> tuple[ApiKeyInfo, str]:
    """A new key (shown once). Field-device keys are bound to a registered device."""
    if role not in ROLES:
        raise Invalid(f"unknown role '{role}' (one of {', '.join(ROLES)})", reason=AdminReason.INVALID_ROLE)
    if session.get(Agency, agency) is None:
        raise NotFound(f"no agency '{agency}'", reason=AdminReason.UNKNOWN_AGENCY)
    device_pk = None
    if role == "field_device":
        if not device_id:
            raise Invalid("a field_device key needs a device id", reason=AdminReason.DEVICE_REQUIRED)
        dev = find_device(session, agency, device_id)
        if dev is None:
            raise NotFound(f"no device '{device_id}' in agency '{agency}'", reason=AdminReason.UNKNOWN_DEVICE)
        device_pk = dev.id
    elif device_id:
        raise Invalid("only field_device keys are bound to a device", reason=AdminReason.DEVICE_NOT_ALLOWED)
    key_id, key = new_api_key()
    session.add(ApiKey(key_id=key_id, agency_id=agency, role=role, device_pk=device_pk, key_hash=hash_key(key),
                       label=(label or None) and label[:128], created_at=now))
    audit.record(session, at=now, agency=agency, actor=actor, action="api_key.create", target=key_id, role=role,
                 device=device_id)
    return ApiKeyInfo(key_id, agency, role, device_id, label, now, None), key


def list_api_keys(session: Session, agency: str) -> list[ApiKeyInfo]:
    rows = session.execute(
        select(ApiKey, Device.device_id).outerjoin(Device, Device.id == ApiKey.device_pk)
        .where(ApiKey.agency_id == agency).order_by(ApiKey.created_at, ApiKey.key_id)
    )
    return [ApiKeyInfo(k.key_id, k.agency_id, k.role, dev, k.label, k.created_at, k.revoked_at) for k, dev in rows]


def revoke_api_key(session: Session, *, now: int, agency: str, key_id: str, actor: str) -> None:
    k = session.get(ApiKey, key_id)
    if k is None or k.agency_id != agency:
        raise NotFound(f"no API key '{key_id}' in this agency", reason=AdminReason.UNKNOWN_KEY)
    if k.revoked_at is None:
        k.revoked_at = now
        bump_auth_generation(session)
        audit.record(session, at=now, agency=agency, actor=actor, action="api_key.revoke", target=key_id)
