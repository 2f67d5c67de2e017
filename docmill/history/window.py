"""Reading the dashboard's history back: one point per bucket, per stage and for all stages together."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from docmill.history.sampler import query
from docmill.pipeline.queue import as_psycopg


class Window(enum.StrEnum):
    """The periods the dashboard's charts offer."""

    HOUR = "1h"
    THREE_HOURS = "3h"
    TWELVE_HOURS = "12h"
    WEEK = "7d"

    @property
    def seconds(self) -> int:
        return {"1h": 3600, "3h": 3 * 3600, "12h": 12 * 3600, "7d": 7 * 86400}[self.value]

    @property
    def bucket_s(self) -> int:
        """Point spacing: about 120–360 points per chart, never finer than the samples."""
        return {"1h": 30, "3h": 60, "12h": 300, "7d": 1800}[self.value]


@dataclass(frozen=True)
class HistoryPoint:
    t: datetime
    pending: float
    processing: float
    failed: float
    oldest_pending_age_sec: float
    completed_per_min: float


@dataclass(frozen=True)
class History:
    window: Window
    bucket_s: int
    total: list[HistoryPoint]
    per_stage: dict[str, list[HistoryPoint]]


def read_window(conn: Any, window: Window) -> History:
    rows = (
        as_psycopg(conn).execute(query("window"), {"bucket_s": window.bucket_s, "window_s": window.seconds}).fetchall()
    )
    per_stage: dict[str, list[HistoryPoint]] = {}
    totals: dict[datetime, list[float]] = {}
    for t, stage, pending, processing, failed, oldest, per_min in rows:
        per_stage.setdefault(stage, []).append(HistoryPoint(t, pending, processing, failed, oldest, per_min))
        acc = totals.setdefault(t, [0.0, 0.0, 0.0, 0.0, 0.0])
        acc[0] += pending
        acc[1] += processing
        acc[2] += failed
        acc[3] = max(acc[3], oldest)
        acc[4] += per_min
    total = [HistoryPoint(t, *(round(v, 3) for v in acc)) for t, acc in sorted(totals.items())]
    return History(window, window.bucket_s, total, per_stage)
