"""Shared fixtures: a real PostgreSQL (see tests/pg.py), settings pointing at it, and sample documents."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from docmill.config import Settings, reset_settings_cache
from docmill.db.engine import Database, set_database
from tests.pg import TestServer

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "public"
if not CORPUS.exists():  # a clone elsewhere: look beside the repository, as CI lays it out
    CORPUS = Path(os.environ.get("DOCMILL_CORPUS", "../shared/corpus/public")).resolve()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[TestServer]:
    server = TestServer()
    server.start()
    server.create_template()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def db_url(pg_server: TestServer) -> Iterator[str]:
    url = pg_server.create_database()
    try:
        yield url
    finally:
        set_database(None)
        pg_server.drop_database(url)


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    db = Database(db_url, application_name="docmill-test")
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def settings(database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    monkeypatch.setenv("DOCMILL_DATABASE_URL", database.url)
    monkeypatch.setenv("DOCMILL_DATA_DIR", str(data_dir))
    reset_settings_cache()
    set_database(database)
    from docmill.config import get_settings

    try:
        yield get_settings()
    finally:
        set_database(None)
        reset_settings_cache()


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.exists():
        pytest.fail(f"the shared corpus is missing at {CORPUS}; set DOCMILL_CORPUS to its folder")
    return CORPUS


@pytest.fixture
def make_document(database: Database):
    """Insert a bare document row (no file) and return its id."""

    def _make(kind: str = "text", **fields: object) -> int:
        from docmill.models import Document

        token = uuid.uuid4().hex
        with database.transaction() as session:
            doc = Document(
                sha256=hashlib.sha256(token.encode()).hexdigest(),
                original_name=f"{token[:8]}.txt",
                media_type="text/plain",
                kind=kind,
                size_bytes=0,
                source="test",
                **fields,
            )
            session.add(doc)
            session.flush()
            return doc.id

    return _make
