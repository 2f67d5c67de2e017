"""Migrations on a real PostgreSQL: empty → head, round trips, and the uq_queue_active guard."""

from __future__ import annotations

import psycopg
import pytest

from docmill.db.check import check_schema
from docmill.db.migrate import current_revision, downgrade, head_revision, upgrade
from docmill.errors import DatabaseError
from docmill.pipeline.registry import STAGE_NAMES


@pytest.fixture
def empty_url(pg_server):
    url = pg_server.create_database(from_template=False)
    yield url
    pg_server.drop_database(url)


def test_empty_to_head_creates_everything(empty_url: str) -> None:
    upgrade(empty_url)
    assert current_revision(empty_url) == head_revision()
    with psycopg.connect(empty_url) as conn:
        extensions = {r[0] for r in conn.execute("SELECT extname FROM pg_extension")}
        assert {"vector", "pg_trgm"} <= extensions
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        for table in (
            "documents",
            "categories",
            "library_suggestions",
            "processing_queue",
            "chunks",
            "feeds",
            "feed_items",
            "stage_controls",
            "users",
            "api_tokens",
            "login_sessions",
        ):
            assert table in tables
        index = conn.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'uq_queue_active'").fetchone()
        assert index is not None and "UNIQUE" in index[0] and "pending" in index[0] and "processing" in index[0]
    report = check_schema(empty_url)
    assert report.ok, report.problems()
    assert report.database_stages == list(STAGE_NAMES)


def test_head_to_base_to_head_round_trip(empty_url: str) -> None:
    upgrade(empty_url)
    downgrade(empty_url, "base")
    assert current_revision(empty_url) is None
    with psycopg.connect(empty_url) as conn:
        leftovers = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        ).fetchall()
        assert leftovers == []
        assert conn.execute("SELECT count(*) FROM pg_type WHERE typname = 'process_stage'").fetchone()[0] == 0
    upgrade(empty_url)
    assert check_schema(empty_url).ok


def test_stage_enum_downgrade_refuses_when_rows_use_the_values(empty_url: str) -> None:
    upgrade(empty_url)
    with psycopg.connect(empty_url) as conn:
        doc = conn.execute(
            "INSERT INTO documents (sha256, media_type, kind, size_bytes, source) "
            "VALUES (repeat('a', 64), 'image/png', 'image', 1, 'test') RETURNING id"
        ).fetchone()[0]
        conn.execute("INSERT INTO processing_queue (document_id, stage) VALUES (%s, 'thumbnail')", (doc,))
    downgrade(empty_url, "0002")  # drops the unique index only
    with pytest.raises(DatabaseError, match="rows in processing_queue use them"):
        downgrade(empty_url, "0001")
    with psycopg.connect(empty_url) as conn:
        assert conn.execute("SELECT count(*) FROM processing_queue").fetchone()[0] == 1


def test_guard_stops_on_duplicate_active_rows_and_deletes_nothing(empty_url: str) -> None:
    upgrade(empty_url, "0002")
    with psycopg.connect(empty_url) as conn:
        doc = conn.execute(
            "INSERT INTO documents (sha256, media_type, kind, size_bytes, source) "
            "VALUES (repeat('b', 64), 'text/plain', 'text', 1, 'test') RETURNING id"
        ).fetchone()[0]
        for status in ("pending", "processing", "completed"):
            conn.execute(
                "INSERT INTO processing_queue (document_id, stage, status) VALUES (%s, 'markdown', %s)",
                (doc, status),
            )
    with pytest.raises(DatabaseError) as excinfo:
        upgrade(empty_url)
    message = str(excinfo.value)
    assert f"document {doc}, stage markdown: 2 active rows" in message
    assert "deletes nothing" in message
    assert current_revision(empty_url) == "0002"
    with psycopg.connect(empty_url) as conn:
        assert conn.execute("SELECT count(*) FROM processing_queue").fetchone()[0] == 3
        # clean up as the message says, then the migration goes through
        conn.execute("UPDATE processing_queue SET status = 'failed' WHERE status = 'processing'")
    upgrade(empty_url)
    assert current_revision(empty_url) == head_revision()
