"""Group commit for the hot write routes (single enrollments, single referrals).

The requests of one process that arrive while a group is being written wait for it, and the
next writer takes all of them as one group: one transaction, one commit, one disk flush. Each
request is answered only after the commit that holds its row (or with its own error), so an
answered request is as durable as one written alone.

Two ways in, sharing one queue:

- :meth:`GroupCommit.run_sync`, from a thread: the caller becomes the writer if none is
  running (the thread-pool routes and the in-process callers).
- :meth:`GroupCommit.run_async`, from the event loop: the request waits on a future, without
  a thread of its own; one writer thread drains the queue group after group and wakes each
  group's requests with one call per event loop. Requests cost no thread-pool hop, and while
  a group is written the next one gathers on the loop.

The write function sets every job's ``result`` or ``error`` and ``done`` (also when it
fails); this module only decides who writes which jobs and wakes the waiters.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

__all__ = ["GroupCommit", "GroupJob", "Groups", "Job"]

log = logging.getLogger("zkaid.service")


class Job(Protocol):
    done: bool
    waker: tuple[asyncio.AbstractEventLoop, asyncio.Future[None]] | None


J = TypeVar("J", bound=Job)
R = TypeVar("R")


@dataclass(eq=False, kw_only=True)
class GroupJob(Generic[R]):
    """What a write function fills in for one job of a group (a subclass adds the request)."""

    result: R | None = None
    error: Exception | None = None
    done: bool = False
    waker: tuple[asyncio.AbstractEventLoop, asyncio.Future[None]] | None = None

    def outcome(self) -> R:
        """The job's result, or its error raised."""
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


class GroupCommit(Generic[J]):
    """One queue of jobs and one writer at a time, for one database (one per ``Store``)."""

    def __init__(self, write: Callable[[Any, list[J]], None], max_size: int) -> None:
        self.write = write
        self.max_size = max_size
        self.writer = threading.Lock()  # held while a group is written
        self.queue = threading.Lock()  # guards pending (taken after writer when both are)
        self.pending: list[J] = []
        self._draining = False  # a writer thread for the event loop's jobs is running

    def _take(self) -> list[J]:
        with self.queue:
            batch, self.pending = self.pending[:self.max_size], self.pending[self.max_size:]
        return batch

    def _write(self, store: Any, batch: list[J]) -> None:
        try:
            if batch:
                self.write(store, batch)
        finally:
            _wake(batch)

    def run_sync(self, store: Any, job: J) -> None:
        """Queue the job and return once it is written (by this thread or another writer)."""
        with self.queue:
            self.pending.append(job)
        while not job.done:
            with self.writer:
                if job.done:  # an earlier writer took this job into its group
                    break
                self._write(store, self._take())

    async def run_async(self, store: Any, job: J) -> None:
        """Queue the job and wait, on the event loop, until it is written."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        job.waker = (loop, future)
        with self.queue:
            self.pending.append(job)
            start, self._draining = not self._draining, True
        if start:
            loop.run_in_executor(None, self._drain, store)
        if not job.done:
            await future

    def _drain(self, store: Any) -> None:
        """Write groups until the queue is empty (in a thread of the loop's executor)."""
        try:
            while True:
                with self.writer:
                    with self.queue:
                        if not self.pending:
                            self._draining = False
                            return
                        batch, self.pending = self.pending[:self.max_size], self.pending[self.max_size:]
                    try:
                        self._write(store, batch)
                    except Exception:  # every job of the group was answered; keep draining the others
                        log.exception("a group commit failed")
        except BaseException:
            with self.queue:
                self._draining = False
            raise


def _wake(batch: list[Any]) -> None:
    by_loop: dict[asyncio.AbstractEventLoop, list[asyncio.Future[None]]] = {}
    for job in batch:
        if job.waker is not None:
            by_loop.setdefault(job.waker[0], []).append(job.waker[1])
    for loop, futures in by_loop.items():
        try:
            loop.call_soon_threadsafe(_resolve, futures)
        except RuntimeError:  # the loop was closed: nobody waits any more
            pass


def _resolve(futures: list[asyncio.Future[None]]) -> None:
    for f in futures:
        if not f.done():  # a cancelled request (the client went away) has nothing to wake
            f.set_result(None)


class Groups(Generic[J]):
    """One :class:`GroupCommit` per database (``Store``), made on first use; a store that is
    closed and dropped takes its group with it."""

    def __init__(self, write: Callable[[Any, list[J]], None], max_size: int) -> None:
        self.write = write
        self.max_size = max_size
        self._groups: weakref.WeakKeyDictionary[Any, GroupCommit[J]] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def of(self, store: Any) -> GroupCommit[J]:
        with self._lock:
            group = self._groups.get(store)
            if group is None:
                group = self._groups[store] = GroupCommit(self.write, self.max_size)
            return group
