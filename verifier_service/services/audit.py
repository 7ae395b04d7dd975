"""The audit log: every issuance, enrollment and key change, without personal data.

Entries name actions, agencies, API key ids (never the keys), key ids, credential ids,
scopes, counts and digests. Attribute values, tokens, codes and pseudonyms are never
written here (a batch of pseudonyms is summarised by a SHA-256 digest).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from verifier_service.registry.models import AuditEvent

__all__ = ["AuditEntry", "digest_of", "list_events", "record"]


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: int
    agency: str | None
    actor: str
    action: str
    target: str
    detail: dict[str, Any]


def record(session: Session, *, at: int, agency: str | None, actor: str, action: str,
           target: str = "", **detail: Any) -> None:
    session.add(AuditEvent(at=at, agency_id=agency, actor=actor, action=action, target=target[:256],
                           detail=json.dumps(detail, sort_keys=True, separators=(",", ":"))))


def digest_of(items: Iterable[bytes]) -> str:
    """A short digest over a batch (order-independent), to tie an entry to rows without
    copying them."""
    h = hashlib.sha256(b"zkaid/audit/batch/v1")
    for item in sorted(items):
        h.update(len(item).to_bytes(4, "big") + item)
    return h.hexdigest()[:32]


def list_events(session: Session, *, agency: str, after: int = 0, limit: int = 100,
                include_system: bool = False) -> list[AuditEntry]:
    """An agency's events; the registry operator also sees registry-wide ones (trust list,
    schemas), which belong to no agency."""
    mine = AuditEvent.agency_id == agency
    rows = session.scalars(
        select(AuditEvent).where(or_(mine, AuditEvent.agency_id.is_(None)) if include_system else mine,
                                 AuditEvent.id > after)
        .order_by(AuditEvent.id).limit(limit)
    )
    return [AuditEntry(r.id, r.at, r.agency_id, r.actor, r.action, r.target, json.loads(r.detail)) for r in rows]
