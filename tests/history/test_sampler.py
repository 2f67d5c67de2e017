"""The dashboard history: samples appear (one writer at a time, once per interval), the window query reads
them back per bucket and uses its index on 14 days of samples, and old samples are downsampled and deleted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from fastapi.testclient import TestClient

from docmill.api.app import create_app
from docmill.config import Settings
from docmill.db.engine import Database
from docmill.history import sampler
from docmill.history.sampler import SampleOutcome, take_sample
from docmill.history.window import Window, read_window
from docmill.pipeline import registry
from docmill.pipeline.queue import enqueue_stages
from tests.api.conftest import make_account


def samples(conn: psycopg.Connection, resolution: int | None = None) -> list[tuple]:
    return conn.execute(
        "SELECT resolution_s, taken_at, stage, pending, failed FROM dashboard_samples"
        " WHERE %(r)s::int IS NULL OR resolution_s = %(r)s ORDER BY taken_at, stage",
        {"r": resolution},
    ).fetchall()


def insert(conn: psycopg.Connection, resolution: int, taken_at: datetime, stage: str, pending: int) -> None:
    conn.execute(
        "INSERT INTO dashboard_samples VALUES (%s, %s, %s, %s, 0, 0, 0, 0)", (resolution, taken_at, stage, pending)
    )


def test_samples_appear_once_per_interval_and_one_writer_at_a_time(
    database: Database, make_document: Callable[..., int]
) -> None:
    doc = make_document("text")
    with database.connect() as conn:
        enqueue_stages(conn, [(doc, "extract")])
        conn.commit()
        result = take_sample(conn)
        conn.commit()
        assert result.outcome is SampleOutcome.TAKEN and result.stages == len(registry.STAGES)
        rows = samples(conn)
        assert {r[2] for r in rows} == set(registry.STAGE_NAMES)
        assert [r[3] for r in rows if r[2] == "extract"] == [1]  # the pending row is counted

        assert take_sample(conn).outcome is SampleOutcome.TOO_SOON  # a second process, a moment later
        conn.commit()
        with database.connect() as other:  # another writer holds the lock: this one stands back
            other.execute(sampler.query("try_lock"), {"namespace": sampler.LOCK_NAMESPACE, "key": sampler.LOCK_KEY})
            assert take_sample(conn, interval_s=0).outcome is SampleOutcome.BUSY
            conn.rollback()
        assert len(samples(conn)) == len(registry.STAGES)


def test_old_samples_are_downsampled_after_a_day_and_deleted_after_14_days(database: Database) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    two_days = (now - timedelta(days=2)).replace(minute=0, second=0)
    with database.connect() as conn:
        for i in range(10):  # 10 samples 30 s apart, within one 5-minute bucket
            insert(conn, 30, two_days + timedelta(seconds=30 * i), "extract", pending=i)
        insert(conn, 30, now - timedelta(minutes=1), "extract", pending=7)  # recent: stays as it is
        insert(conn, 300, now - timedelta(days=15), "extract", pending=3)  # past retention
        sampler.maintain(conn)
        conn.commit()
        rows = samples(conn)
    # one 5-minute row holds the mean of 0…9 (4.5, rounded half up); the recent sample is untouched
    assert [(r[0], r[1], r[3]) for r in rows] == [(300, two_days, 5), (30, now - timedelta(minutes=1), 7)]


def test_the_window_query_buckets_and_uses_its_index_on_14_days(database: Database) -> None:
    now = datetime.now(UTC)
    stages = list(registry.STAGE_NAMES)
    with database.connect() as conn:
        with conn.cursor() as cur:
            rows = [
                (300, now - timedelta(seconds=300 * i), stage, i % 5) for i in range(1, 14 * 288) for stage in stages
            ]
            rows += [(30, now - timedelta(seconds=30 * i), stage, 2) for i in range(0, 2880) for stage in stages]
            cur.executemany("INSERT INTO dashboard_samples VALUES (%s, %s, %s, %s, 1, 0, 5, 1.5)", rows)
        conn.execute("ANALYZE dashboard_samples")
        conn.commit()
        history = read_window(conn, Window.HOUR)
        assert 110 <= len(history.total) <= 122  # 30-s buckets over an hour
        assert set(history.per_stage) == set(stages)
        assert history.total[-1].pending == 2 * len(stages)
        assert history.total[-1].completed_per_min == pytest.approx(1.5 * len(stages))
        week = read_window(conn, Window.WEEK)
        assert 330 <= len(week.total) <= 338  # 30-min buckets over 7 days, from the downsampled rows
        plan = "\n".join(
            r[0]
            for r in conn.execute(
                "EXPLAIN " + sampler.query("window"), {"bucket_s": 30, "window_s": Window.HOUR.seconds}
            ).fetchall()
        )
    assert "ix_dashboard_samples_taken_at" in plan, plan  # an hour out of 14 days: never the whole table


def test_history_api(settings: Settings, database: Database) -> None:
    account = make_account(database, "history-test")
    with database.connect() as conn:
        take_sample(conn)
        conn.commit()
    with TestClient(create_app()) as client:
        client.headers.update(account.headers)
        for window in ("1h", "3h", "12h", "7d"):
            response = client.get("/api/dashboard/history", params={"window": window})
            assert response.status_code == 200, response.text
            body = response.json()
            assert body["window"] == window and body["bucket_s"] == Window(window).bucket_s
            assert len(body["total"]) >= 1 and set(body["per_stage"]) == set(registry.STAGE_NAMES)
        wrong = client.get("/api/dashboard/history", params={"window": "2d"})
        assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "invalid_request"
