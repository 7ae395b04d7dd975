"""The sender's outbox: a consented referral is written to disk before it is sent, so that a
crash between consent and delivery loses nothing, and delivered once.

Each pending submission is one file named by its referral id, written atomically (temporary
file, fsync, rename, fsync of the folder). :meth:`Outbox.flush` sends each one and deletes
the file only after the service confirmed; a crash after the service stored it but before
the file is deleted just sends it again, and the service answers the stored referral
(delivery is idempotent on the referral id and digest). Refusals that will not change on a
retry (the referral expired, the consent is invalid) move the file to ``rejected/``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sdk.errors import OfflineError, ServiceError
from sdk.referral.consent import ReferralBatch, ReferralSubmission
from sdk.referral.envelope import decode_message, encode_message, read_sealed

__all__ = ["FlushResult", "Outbox"]

SUFFIX = ".referral"


@dataclass
class FlushResult:
    delivered: list[str] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)  # referral id -> reason
    waiting: list[str] = field(default_factory=list)  # still pending (offline, service busy)


class Outbox:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def _write(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)

    def put(self, submission: bytes) -> str:
        """Keep a submission until it is delivered; returns its referral id (hex). Putting
        the same referral twice keeps one copy."""
        sub = decode_message(submission, ReferralSubmission, "referral submission")
        rid = read_sealed(sub.sealed).header.referral_id.hex()
        path = self.folder / f"{rid}{SUFFIX}"
        if not path.exists():
            self._write(path, submission)
        return rid

    def pending(self) -> list[tuple[str, bytes]]:
        if not self.folder.is_dir():
            return []
        return [(p.name[: -len(SUFFIX)], p.read_bytes()) for p in sorted(self.folder.glob(f"*{SUFFIX}"))]

    def flush(self, send: Callable[[bytes], object]) -> FlushResult:
        """Send every pending submission with ``send`` (e.g. ``ServiceClient.send_referral``)."""
        out = FlushResult()
        for rid, data in self.pending():
            try:
                send(data)
            except OfflineError:
                out.waiting.append(rid)
                continue
            except ServiceError as exc:
                if exc.status in (0, 429) or exc.status >= 500:
                    out.waiting.append(rid)
                    continue
                self._write(self.folder / "rejected" / f"{rid}{SUFFIX}", data)
                (self.folder / f"{rid}{SUFFIX}").unlink()
                out.rejected[rid] = exc.reason
                continue
            (self.folder / f"{rid}{SUFFIX}").unlink()
            out.delivered.append(rid)
        return out

    def flush_many(self, send_batch: Callable[[bytes], list[dict[str, Any]]]) -> FlushResult:
        """Like :meth:`flush`, up to 64 submissions per request (``ServiceClient.send_referrals``):
        one round trip and one batched consent check per chunk instead of one per referral."""
        out = FlushResult()
        items = self.pending()
        step = ReferralBatch.MAX_ITEMS
        for start in range(0, len(items), step):
            chunk = items[start:start + step]
            try:
                results = send_batch(encode_message(ReferralBatch(tuple(data for _rid, data in chunk))))
            except OfflineError:
                out.waiting += [rid for rid, _d in chunk]
                continue
            except ServiceError as exc:
                if exc.status in (0, 429) or exc.status >= 500:
                    out.waiting += [rid for rid, _d in chunk]
                    continue
                raise
            by_index = {r.get("index"): r for r in results if isinstance(r, dict)}
            for i, (rid, data) in enumerate(chunk):
                r = by_index.get(i)
                if r is None:
                    out.waiting.append(rid)
                elif r.get("referral") is not None:
                    (self.folder / f"{rid}{SUFFIX}").unlink()
                    out.delivered.append(rid)
                else:
                    self._write(self.folder / "rejected" / f"{rid}{SUFFIX}", data)
                    (self.folder / f"{rid}{SUFFIX}").unlink()
                    out.rejected[rid] = str(r.get("reason") or "refused")
        return out
