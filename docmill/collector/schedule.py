"""When a feed is polled next: its own interval, spread with jitter, backing off exponentially on errors."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

JITTER = 0.1  # ±10 % of the delay, so feeds added together drift apart
MAX_BACKOFF_S = 24 * 3600
MAX_DOUBLINGS = 10


def poll_delay(interval_s: float, error_count: int = 0, rng: random.Random | None = None) -> float:
    """Seconds until the next poll: the interval after a success; interval × 2^(errors−1), capped at a day
    (or the interval, when that is longer), after errors."""
    interval_s = max(1.0, float(interval_s))
    delay = interval_s
    if error_count > 0:
        delay = min(interval_s * 2 ** min(error_count - 1, MAX_DOUBLINGS), max(interval_s, MAX_BACKOFF_S))
    spread = (rng or random).uniform(1 - JITTER, 1 + JITTER)
    return delay * spread


def next_poll_at(now: datetime, interval_s: float, error_count: int = 0, rng: random.Random | None = None) -> datetime:
    return now + timedelta(seconds=poll_delay(interval_s, error_count, rng))
