"""Slow down password guessing: after too many failed logins for a user name, refuse for a while.

In-process memory only (one api process per deployment is the norm); argon2's cost already makes
every guess slow.
"""

from __future__ import annotations

import threading
import time
from collections import deque


class LoginThrottle:
    def __init__(self, max_failures: int = 10, window_s: float = 300.0, max_names: int = 10_000) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self.max_names = max_names
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and now - times[0] > self.window_s:
            times.popleft()
        return times

    def retry_after(self, username: str) -> float:
        """Seconds until this user name may try again; 0 when it may try now."""
        key, now = username.casefold(), time.monotonic()
        with self._lock:
            times = self._recent(key, now)
            if len(times) < self.max_failures:
                return 0.0
            return max(self.window_s - (now - times[0]), 1.0)

    def failed(self, username: str) -> None:
        key, now = username.casefold(), time.monotonic()
        with self._lock:
            if len(self._failures) >= self.max_names and key not in self._failures:
                self._failures.pop(next(iter(self._failures)))
            self._recent(key, now).append(now)

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(username.casefold(), None)
