"""A database with the labelled Korean and English documents embedded by a real worker (the default model), built once
per session because embedding them takes a while on two cores."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from docmill.config import Settings
from docmill.db.engine import Database
from docmill.models import Category, Document
from docmill.pipeline.queue import enqueue_stage
from tests.helpers import run_worker_until_idle
from tests.pg import TestServer
from tests.search.retrieval_data import ENGLISH_DOCS, KOREAN_DOCS


@dataclass
class IndexedCorpus:
    database: Database
    settings: Settings
    ids: dict[str, int]  # document key → id


def add_document(database: Database, key: str, title: str, body: str, **fields: object) -> int:
    with database.transaction() as session:
        values: dict[str, object] = {
            "sha256": hashlib.sha256(key.encode()).hexdigest(),
            "original_name": f"{key}.md",
            "media_type": "text/markdown",
            "kind": "text",
            "size_bytes": len(body.encode()),
            "source": "test",
            "title": title,
            "markdown": f"# {title}\n\n{body}\n",
        }
        doc = Document(**(values | fields))
        session.add(doc)
        session.flush()
        enqueue_stage(session, doc.id, "embed")
        return doc.id


@pytest.fixture(scope="session")
def indexed_corpus(pg_server: TestServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexedCorpus]:
    url = pg_server.create_database()
    database = Database(url, application_name="docmill-test")
    settings = Settings(database_url=url, data_dir=tmp_path_factory.mktemp("search-data"))
    try:
        with database.transaction() as session:
            cooking = Category(path="Life/Cooking", description="recipes")
            work = Category(path="Work", description="office documents")
            session.add_all([cooking, work])
            session.flush()
            category_of = {"ko_kimchi": cooking.id, "en_sourdough": cooking.id, "ko_budget": work.id}
        ids: dict[str, int] = {}
        for key, (title, body) in {**KOREAN_DOCS, **ENGLISH_DOCS}.items():
            extra: dict[str, object] = {}
            if key in category_of:
                extra["category_id"] = category_of[key]
            if key == "en_invoice":
                extra.update(media_type="application/pdf", kind="pdf", source="upload")
            if key == "en_meeting":
                extra["published_at"] = datetime(2024, 10, 5, tzinfo=UTC)
            ids[key] = add_document(database, key, title, body, **extra)
        run_worker_until_idle(database, settings, stages=["embed"], timeout=240)
        yield IndexedCorpus(database, settings, ids)
    finally:
        database.dispose()
        pg_server.drop_database(url)
