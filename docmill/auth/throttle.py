"""Slow down password guessing without locking the owner out.

Failed logins are counted per client address, per (client, user name) pair, and per user name. Each key
gets a growing delay once it passes its threshold (1 s, 2 s, 4 s … up to a ceiling), during which logins
on that key are refused with Retry-After. A flood from one address is stopped by its own client and pair
keys long before the user name's much higher threshold, so the owner logging in from another address is
not affected; the user name's own delay is meant for floods spread over many addresses, and spares a
client that logged in successfully as that user before.

`HashGate` caps how many password hashes run at once, so a login flood cannot take every api thread and
CPU: a login that cannot get a slot soon is answered 503 at once.

In-process memory only (one api process per deployment is the norm).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    threshold: int  # failures allowed before delays start
    base_s: float
    max_s: float


CLIENT = Rule(threshold=10, base_s=1.0, max_s=900.0)
PAIR = Rule(threshold=5, base_s=1.0, max_s=900.0)
USERNAME = Rule(threshold=50, base_s=1.0, max_s=300.0)
FORGET_AFTER_S = 24 * 3600.0


@dataclass
class _Entry:
    failures: int = 0
    blocked_until: float = 0.0
    last: float = 0.0


class LoginThrottle:
    def __init__(
        self,
        client: Rule = CLIENT,
        pair: Rule = PAIR,
        username: Rule = USERNAME,
        max_keys: int = 50_000,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.rules = {"client": client, "pair": pair, "user": username}
        self.max_keys = max_keys
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
        self._trusted: OrderedDict[tuple[str, str], float] = OrderedDict()  # (client, user) that logged in
        self._lock = threading.Lock()
        self._now = clock or time.monotonic

    @staticmethod
    def _keys(client: str, username: str) -> list[tuple[str, str]]:
        name = username.casefold()
        return [("client", client), ("pair", f"{client}\x00{name}"), ("user", name)]

    def retry_after(self, username: str, client: str = "?") -> float:
        """Seconds until this client may try this user name again; 0 when it may try now."""
        now = self._now()
        trusted = (client, username.casefold()) in self._trusted
        with self._lock:
            wait = 0.0
            for kind, key in self._keys(client, username):
                if kind == "user" and trusted:
                    continue
                entry = self._entries.get((kind, key))
                if entry is not None:
                    wait = max(wait, entry.blocked_until - now)
            return max(wait, 0.0)

    def refused(self, client: str) -> None:
        """A login refused for its delay: it still counts against the client that keeps trying."""
        self._count([("client", client)])

    def failed(self, username: str, client: str = "?") -> None:
        self._count(self._keys(client, username))

    def _count(self, keys: list[tuple[str, str]]) -> None:
        now = self._now()
        with self._lock:
            for kind, key in keys:
                entry = self._entries.pop((kind, key), None) or _Entry()
                if now - entry.last > FORGET_AFTER_S:
                    entry = _Entry()
                entry.failures += 1
                entry.last = now
                rule = self.rules[kind]
                over = entry.failures - rule.threshold
                if over >= 0:
                    entry.blocked_until = now + min(rule.base_s * (2**over), rule.max_s)
                self._entries[(kind, key)] = entry
            while len(self._entries) > self.max_keys:
                self._entries.popitem(last=False)

    def succeeded(self, username: str, client: str = "?") -> None:
        """The right password: this client's pair is forgiven and trusted for the user name's delays."""
        name = username.casefold()
        with self._lock:
            self._entries.pop(("pair", f"{client}\x00{name}"), None)
            self._trusted[(client, name)] = self._now()
            while len(self._trusted) > self.max_keys:
                self._trusted.popitem(last=False)


class HashGate:
    """At most `slots` password hashes at once; `acquire` waits up to `wait_s` for a slot."""

    def __init__(self, slots: int, wait_s: float = 5.0) -> None:
        self.slots = slots
        self.wait_s = wait_s
        self._semaphore = threading.BoundedSemaphore(slots)

    def acquire(self) -> bool:
        return self._semaphore.acquire(timeout=self.wait_s)

    def release(self) -> None:
        self._semaphore.release()
