"""Checking many pseudonyms as curve points on two cores.

A batch sync refuses a pseudonym that no wallet can produce: each must decode as a
compressed G1 point on the curve, in the prime-order subgroup and not the identity
(:func:`sdk.credential.profile.check_pseudonym`). With the native backend that check costs
about 80 us of CPU per point and holds the GIL, which makes it the largest single cost of a
large sync batch. For a batch of at least ``PARALLEL_MIN`` pseudonyms, a helper process
checks the first ``HELPER_SHARE`` of them while this process checks the rest (this process
also parses the requests and runs the transactions, so the helper takes the larger part:
with two syncs arriving together both processes are then about equally busy); smaller
batches, a machine with one core,
or a helper that fails (it is restarted on the next batch) are checked here, whole. The
check itself is the same either way: every point is decoded with every check.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor

from sdk.credential.profile import check_pseudonym
from sdk.errors import EncodingError

__all__ = ["HELPER_SHARE", "PARALLEL_MIN", "first_invalid", "shutdown"]

log = logging.getLogger("zkaid.service")

PARALLEL_MIN = 1024  # below this, handing a part over costs about what it saves
HELPER_SHARE = 2 / 3  # of a large batch, checked by the helper process

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_pid = 0  # the process that made _pool (a forked child must not use its parent's)


def _scan(points: Sequence[bytes], offset: int = 0) -> int | None:
    """Index (plus ``offset``) of the first pseudonym that is not a valid point, or None."""
    for i, p in enumerate(points):
        try:
            check_pseudonym(p)
        except EncodingError:
            return offset + i
    return None


def _helper() -> ProcessPoolExecutor | None:
    global _pool, _pool_pid
    if (os.cpu_count() or 1) < 2:
        return None
    with _lock:
        if _pool is None or _pool_pid != os.getpid():
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
            _pool_pid = os.getpid()
        return _pool


def _drop_helper() -> None:
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def shutdown() -> None:
    """Stop the helper process, if one was started (the next large batch starts another)."""
    _drop_helper()


def first_invalid(points: Sequence[bytes]) -> int | None:
    """Index of the first pseudonym in ``points`` that is not a valid G1 point, or None.

    The two parts are checked at the same time (the first by the helper process); the
    answer is the same as checking them in order here.
    """
    points = [bytes(p) for p in points]
    if len(points) < PARALLEL_MIN:
        return _scan(points)
    pool = _helper()
    if pool is None:
        return _scan(points)
    half = int(len(points) * HELPER_SHARE)
    try:
        future: Future[int | None] | None = pool.submit(_scan, points[:half], 0)
    except (RuntimeError, OSError) as exc:  # broken (BrokenProcessPool) or shut down: check here
        log.warning("pseudonym check helper unavailable (%s); checking in this process", type(exc).__name__)
        _drop_helper()
        future = None
    second = _scan(points[half:], half)
    if future is None:
        first = _scan(points[:half])
    else:
        try:
            first = future.result()
        except (RuntimeError, OSError, EOFError) as exc:  # the helper died: its half is checked here
            log.warning("pseudonym check helper failed (%s); checking in this process", type(exc).__name__)
            _drop_helper()
            first = _scan(points[:half])
    return first if first is not None else second
