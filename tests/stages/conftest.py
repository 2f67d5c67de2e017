"""A module-scoped database and data directory, so one worker run can serve a whole test module."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from docmill.config import Settings
from docmill.db.engine import Database
from docmill.ingest.service import IngestResult
from tests.pg import TestServer


@dataclass
class Env:
    database: Database
    settings: Settings


@dataclass
class Run:
    env: Env
    ingested: dict[str, IngestResult]
    documents: dict[int, dict]
    queue: dict[tuple[int, str], dict]

    def doc(self, rel: str) -> dict:
        result = self.ingested[rel]
        assert result.document_id is not None, f"{rel}: {result}"
        return self.documents[result.document_id]

    def row(self, rel: str, stage: str) -> dict | None:
        return self.queue.get((self.ingested[rel].document_id, stage))  # type: ignore[arg-type]

    def pages(self, rel: str) -> list[dict]:
        return page_rows(self.env.database, self.ingested[rel].document_id)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def module_env(pg_server: TestServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    url = pg_server.create_database()
    database = Database(url, application_name="docmill-test")
    data_dir = tmp_path_factory.mktemp("data")
    try:
        yield Env(database, Settings(database_url=url, data_dir=data_dir))
    finally:
        database.dispose()
        pg_server.drop_database(url)


def document_rows(database: Database) -> dict[int, dict]:
    with database.connect() as conn:
        cur = conn.execute("SELECT * FROM documents ORDER BY id")
        names = [c.name for c in cur.description]
        return {row[0]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}


def queue_rows(database: Database) -> dict[tuple[int, str], dict]:
    """The latest queue row per (document, stage)."""
    with database.connect() as conn:
        cur = conn.execute(
            "SELECT DISTINCT ON (document_id, stage) document_id, stage::text, status::text, error, note, attempts "
            "FROM processing_queue ORDER BY document_id, stage, id DESC"
        )
        return {(r[0], r[1]): {"status": r[2], "error": r[3], "note": r[4], "attempts": r[5]} for r in cur.fetchall()}


def page_rows(database: Database, document_id: int) -> list[dict]:
    """A document's per-page results (document_pages), in page order."""
    with database.connect() as conn:
        cur = conn.execute(
            "SELECT number, source, confidence, chars, rotation, languages FROM document_pages "
            "WHERE document_id = %s ORDER BY number",
            (document_id,),
        )
        names = [c.name for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def data_file(settings: Settings, relative: str | None) -> Path:
    assert relative, "no path stored"
    return settings.data_dir / relative
