"""A background thread that runs one round of work every N seconds until stopped.

The api's housekeeping, its bulk-edit runner and the workflow runner are each one of these: a round that
raises is logged and the next round tries again (the database may come back), and `stop()` waits for the
round in progress.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Periodic:
    def __init__(self, name: str, interval_s: float, round_: Callable[[], object], *, join_s: float = 10.0) -> None:
        self.interval_s, self._round, self._join_s = interval_s, round_, join_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self._join_s)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self._round()
            except Exception as exc:  # the next round tries again
                log.warning("%s: a round failed: %s", self._thread.name, exc)
