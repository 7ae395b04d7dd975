"""API keys and roles.

A key reads ``zk_<key id: 12 hex>_<secret: 43 base64url chars>`` (32 random bytes). Only the
SHA-256 digest of the whole key is stored: keys are high-entropy, so a slow password hash
adds nothing. The key id (not secret) selects the row, and the digests are compared in
constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from sdk.reasons import AuthReason
from verifier_service.registry.models import Agency, ApiKey, Device, Meta
from verifier_service.services.errors import Forbidden, Unauthorized

__all__ = [
    "ROLES",
    "AuthCache",
    "Principal",
    "auth_generation",
    "authenticate",
    "bump_auth_generation",
    "hash_key",
    "new_api_key",
    "require_role",
]

ROLES = ("admin", "registrar", "field_device", "auditor")
_KEY_RE = re.compile(r"zk_([0-9a-f]{12})_[A-Za-z0-9_-]{43}")
_DUMMY_HASH = hashlib.sha256(b"zkaid: no such key").hexdigest()


@dataclass(frozen=True)
class Principal:
    """Who is calling: an API key of one agency with one role (and a device for devices)."""

    key_id: str
    agency: str
    role: str
    operator: bool = False
    device_pk: int | None = None
    device_id: str | None = None

    @property
    def actor(self) -> str:
        return f"key:{self.key_id}"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("ascii")).hexdigest()


def new_api_key() -> tuple[str, str]:
    """(key id, full key). Show the key once; store ``hash_key(key)``."""
    key_id = secrets.token_hex(6)
    secret = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    return key_id, f"zk_{key_id}_{secret}"


def authenticate(session: Session, key: str | None) -> Principal:
    """The principal for a bearer key, or Unauthorized (without saying which part failed)."""
    if not key:
        raise Unauthorized("an API key is required (Authorization: Bearer <key>)", reason=AuthReason.UNAUTHORIZED)
    m = _KEY_RE.fullmatch(key)
    if m is None:
        raise Unauthorized("the API key is not valid", reason=AuthReason.UNAUTHORIZED)
    row = session.execute(
        select(ApiKey, Agency.operator, Device.device_id, Device.revoked_at)
        .join(Agency, Agency.id == ApiKey.agency_id)
        .outerjoin(Device, Device.id == ApiKey.device_pk)
        .where(ApiKey.key_id == m.group(1))
    ).first()
    stored = row[0].key_hash if row is not None else _DUMMY_HASH
    ok = hmac.compare_digest(stored, hash_key(key))
    if row is None or not ok or row[0].revoked_at is not None or row[3] is not None:
        raise Unauthorized("the API key is not valid", reason=AuthReason.UNAUTHORIZED)
    k: ApiKey = row[0]
    return Principal(k.key_id, k.agency_id, k.role, bool(row[1]), k.device_pk, row[2])


_GENERATION = "auth_generation"


_GENERATION_SELECT = select(Meta.__table__.c.value).where(Meta.__table__.c.key == _GENERATION)


def auth_generation(session: Session | Connection) -> bytes:
    """The current key generation: changes with every revocation, on every worker and host
    sharing the database (one primary-key read per request; on a connection it costs no ORM
    step, which matters on the hot routes)."""
    value = session.execute(_GENERATION_SELECT).scalar()
    return bytes(value) if value is not None else b""


def bump_auth_generation(session: Session) -> None:
    """Called in the transaction that revokes a key or device: every cached key of every
    worker becomes stale when it commits."""
    value = secrets.token_bytes(16)
    ins = pg_insert(Meta) if session.get_bind().dialect.name == "postgresql" else sqlite_insert(Meta)
    session.execute(ins.values(key=_GENERATION, value=value)
                    .on_conflict_do_update(index_elements=[Meta.key], set_={"value": value}))


def require_role(principal: Principal, *roles: str) -> None:
    if principal.role not in roles:
        raise Forbidden(
            f"this action needs the role {' or '.join(roles)}; this key has the role {principal.role}",
            reason=AuthReason.FORBIDDEN,
        )


class AuthCache:
    """Recently authenticated keys (by the digest of the key, never the key), for at most
    ``ttl`` seconds and only while the key generation (:func:`auth_generation`) is the one
    they were checked under: a revocation made anywhere takes effect on the next request."""

    def __init__(self, ttl: float, max_entries: int = 10_000) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, bytes, Principal]] = {}

    def get(self, key: str, generation: bytes) -> Principal | None:
        if self.ttl <= 0:
            return None
        digest = hash_key(key) if _KEY_RE.fullmatch(key) else None
        if digest is None:
            return None
        with self._lock:
            hit = self._entries.get(digest)
        if hit is None or hit[0] < time.monotonic() or hit[1] != generation:
            return None
        return hit[2]

    def put(self, key: str, generation: bytes, principal: Principal) -> None:
        if self.ttl <= 0:
            return
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[hash_key(key)] = (time.monotonic() + self.ttl, generation, principal)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
