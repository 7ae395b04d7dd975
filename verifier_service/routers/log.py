"""The registry log: signed tree heads, inclusion and consistency proofs, entries, and
witness co-signatures (RFC 9162 shape; see docs/service.md, "The registry log")."""

from __future__ import annotations

import base64
import binascii

from fastapi import APIRouter, Query

from sdk.reasons import LogServiceReason, ProblemReason
from verifier_service.deps import AuditorDep, MemberDep, RuntimeDep
from verifier_service.log_schemas import (
    ConsistencyOut,
    CosignatureIn,
    CosignatureOut,
    EntryOut,
    InclusionOut,
    TreeHeadOut,
)
from verifier_service.problems import ProblemError, documented
from verifier_service.services import log

router = APIRouter(prefix="/v1/log", tags=["log"])
_ERR = documented(400, 401, 403, 404, 422, 503)
MAX_INDEX = 2**63 - 1


def _key(rt: RuntimeDep):  # type: ignore[no-untyped-def]
    if rt.log_key is None:  # pragma: no cover - Runtime.open always loads it
        raise ProblemError(503, LogServiceReason.LOG_UNAVAILABLE, "the registry log has no key")
    return rt.log_key


@router.get("/tree-head", response_model=TreeHeadOut, responses=_ERR)
def tree_head(rt: RuntimeDep, who: MemberDep) -> TreeHeadOut:
    """The current tree head, signed now, with the co-signatures witnesses gave for its size."""
    key = _key(rt)
    with rt.store.read() as s:
        head = log.tree_head(s, key, now=rt.now())
        cos = log.cosignatures(s, head.size)
    return TreeHeadOut(size=head.size, root=head.root.hex(), timestamp=head.timestamp,
                       signed=base64.b64encode(head.signed).decode(), public_key=head.public_key.hex(),
                       cosignatures=[CosignatureOut(agency=c.agency_id, witness_public_key=c.witness_public_key.hex(),
                                                    cosignature=base64.b64encode(c.cosignature).decode())
                                     for c in cos])


@router.get("/inclusion", response_model=InclusionOut, responses=_ERR)
def inclusion(rt: RuntimeDep, who: MemberDep,
              index: int | None = Query(default=None, ge=0, le=MAX_INDEX),
              leaf_hash: str | None = Query(default=None, pattern=r"^[0-9a-fA-F]{64}$"),
              size: int | None = Query(default=None, ge=0, le=MAX_INDEX)) -> InclusionOut:
    """Inclusion proof of one entry (by index or leaf hash) in the tree of ``size`` entries
    (default: the current tree)."""
    if (index is None) == (leaf_hash is None):
        raise ProblemError(400, ProblemReason.MALFORMED, "give exactly one of index and leaf_hash")
    with rt.store.read() as s:
        i = index if index is not None else log.index_of(s, bytes.fromhex(leaf_hash or ""))
        n, leaf, path = log.inclusion(s, i, size)
    return InclusionOut(index=i, size=n, leaf_hash=leaf.hex(), path=[p.hex() for p in path])


@router.get("/consistency", response_model=ConsistencyOut, responses=_ERR)
def consistency(rt: RuntimeDep, who: MemberDep, first: int = Query(ge=0, le=MAX_INDEX),
                second: int | None = Query(default=None, ge=0, le=MAX_INDEX)) -> ConsistencyOut:
    """Consistency proof between the trees of ``first`` and ``second`` entries (default: now)."""
    with rt.store.read() as s:
        n, path = log.consistency(s, first, second)
    return ConsistencyOut(first=first, second=n, path=[p.hex() for p in path])


@router.get("/entries", response_model=list[EntryOut], responses=_ERR)
def entries(rt: RuntimeDep, who: MemberDep, start: int = Query(ge=0, le=MAX_INDEX),
            end: int = Query(ge=0, le=MAX_INDEX)) -> list[EntryOut]:
    """Entries ``start`` <= index < ``end`` (at most 1000 per call)."""
    with rt.store.read() as s:
        found = log.entries(s, start, end)
    return [EntryOut(index=i, entry=base64.b64encode(d).decode(), leaf_hash=h.hex()) for i, d, h in found]


@router.post("/cosignatures", response_model=TreeHeadOut, status_code=201, responses=_ERR)
def cosign(body: CosignatureIn, rt: RuntimeDep, who: AuditorDep) -> TreeHeadOut:
    """Record an agency witness's co-signature of a tree head it checked."""
    key = _key(rt)
    try:
        signed, co = base64.b64decode(body.tree_head, validate=True), base64.b64decode(body.cosignature, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ProblemError(400, ProblemReason.MALFORMED, "tree_head and cosignature are base64") from exc
    with rt.store.write() as s:
        head = log.cosign(s, key, now=rt.now(), agency=who.agency, signed_head=signed, cosignature=co,
                          witness_public_key=bytes.fromhex(body.witness_public_key))
        cos = log.cosignatures(s, head.size)
    return TreeHeadOut(size=head.size, root=head.root.hex(), timestamp=head.timestamp, signed=body.tree_head,
                       public_key=log.public_key(key).hex(),
                       cosignatures=[CosignatureOut(agency=c.agency_id, witness_public_key=c.witness_public_key.hex(),
                                                    cosignature=base64.b64encode(c.cosignature).decode())
                                     for c in cos])
