"""Inclusion proofs of what this device synced (issue 16).

After each upload the registry answers with the log size and the log index of every accepted
enrollment. The device rebuilds each entry (:func:`sdk.log.enrollment_entry` over scope,
pseudonym, its agency and time), fetches the inclusion proof, checks that the proof is for
that very entry and computes the root it leads to, and keeps it in ``log-proofs.jsonl`` in its
data folder. A later tree head, and a consistency proof to it, show the entry is still there;
a witness (``zkaid witness``) or the agency can check the file at any time.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from sdk.client import ServiceClient, SyncItem
from sdk.errors import OfflineError, ServiceError
from sdk.log import LogError, enrollment_entry, root_from_proof

__all__ = ["LogProof", "LogProofStore", "keep_proofs"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LogProof:
    index: int
    size: int
    scope: str
    pseudonym: str  # hex
    enrolled_at: int
    leaf_hash: str
    path: list[str]
    root: str  # the root of the tree of ``size`` entries the proof leads to


class LogProofStore:
    def __init__(self, folder: Path) -> None:
        self.path = folder / "log-proofs.jsonl"

    def add(self, proofs: Sequence[LogProof]) -> None:
        if not proofs:
            return
        with open(self.path, "a", encoding="utf-8") as f:
            for p in proofs:
                f.write(json.dumps(asdict(p)) + "\n")
            f.flush()
            os.fsync(f.fileno())

    def load(self) -> list[LogProof]:
        if not self.path.exists():
            return []
        out = []
        for line in self.path.read_text("utf-8").splitlines():
            if line.strip():
                out.append(LogProof(**json.loads(line)))
        return out


def keep_proofs(client: ServiceClient, store: LogProofStore, agency: str, items: Sequence[SyncItem],
                indexes: Sequence[int], size: int) -> int:
    """Fetch, check and keep the inclusion proofs of the accepted items; returns how many.
    A proof that matches none of this device's items is logged and not kept."""
    mine = {enrollment_entry(it.scope, it.pseudonym, agency, it.enrolled_at).leaf_hash().hex(): it for it in items}
    kept: list[LogProof] = []
    for index in indexes:
        try:
            p = client.request_json("GET", f"/v1/log/inclusion?index={int(index)}&size={int(size)}")
            leaf, path = bytes.fromhex(p["leaf_hash"]), [bytes.fromhex(h) for h in p["path"]]
            root = root_from_proof(int(index), int(size), leaf, path)
        except OfflineError:
            raise
        except (ServiceError, LogError, KeyError, TypeError, ValueError) as exc:
            log.warning("no inclusion proof for log entry %s: %s", index, exc)
            continue
        it = mine.get(leaf.hex())
        if it is None:
            log.warning("log entry %s is not one of this device's enrollments", index)
            continue
        kept.append(LogProof(int(index), int(size), it.scope, it.pseudonym.hex(), it.enrolled_at, leaf.hex(),
                             [h.hex() for h in path], root.hex()))
    store.add(kept)
    return len(kept)
