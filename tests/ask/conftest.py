"""A database with the archive of tests/ask/ask_data.py embedded by a real worker (the default model), built once
per session because embedding takes a while on two cores."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from docmill.config import Settings
from docmill.db.engine import Database
from tests.ask.ask_data import DOCS
from tests.helpers import run_worker_until_idle
from tests.pg import TestServer
from tests.search.conftest import add_document


@dataclass
class AskCorpus:
    database: Database
    settings: Settings
    ids: dict[str, int]  # document key → id

    def key_of(self, document_id: int) -> str:
        return {v: k for k, v in self.ids.items()}.get(document_id, str(document_id))


@pytest.fixture(scope="session")
def ask_corpus(pg_server: TestServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AskCorpus]:
    url = pg_server.create_database()
    database = Database(url, application_name="docmill-test")
    settings = Settings(database_url=url, data_dir=tmp_path_factory.mktemp("ask-data"))
    try:
        ids = {key: add_document(database, f"ask-{key}", title, body) for key, (title, body) in DOCS.items()}
        run_worker_until_idle(database, settings, stages=["embed"], timeout=300)
        yield AskCorpus(database, settings, ids)
    finally:
        database.dispose()
        pg_server.drop_database(url)
