"""Guessing protection for the public offer endpoints.

An offer code is 40 bits and a token 256; a client that keeps missing (unknown code,
invalid token) is refused with 429 for the rest of the minute. Per process and per client
address: behind a reverse proxy, let uvicorn trust its ``X-Forwarded-For``
(``--forwarded-allow-ips``) and rate-limit at the proxy as well.
"""

from __future__ import annotations

import threading
import time
from collections import deque

__all__ = ["MissLimiter"]


class MissLimiter:
    def __init__(self, limit: int, window: float = 60.0, max_clients: int = 100_000) -> None:
        self.limit, self.window, self.max_clients = limit, window, max_clients
        self._lock = threading.Lock()
        self._misses: dict[str, deque[float]] = {}

    def _recent(self, client: str, now: float) -> deque[float]:
        q = self._misses.setdefault(client, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def blocked(self, client: str) -> bool:
        now = time.monotonic()
        with self._lock:
            return len(self._recent(client, now)) >= self.limit

    def miss(self, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._misses) >= self.max_clients:
                self._misses.clear()
            self._recent(client, now).append(now)
