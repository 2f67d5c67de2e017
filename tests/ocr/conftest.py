"""A module-scoped database and data directory for the OCR tests (one worker run serves a whole module),
and a context that points docmill's settings and database at it, for the CLI and the api."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from docmill.config import Settings, reset_settings_cache
from docmill.db.engine import Database, set_database
from docmill.ingest.service import ingest_path
from tests.pg import TestServer


@dataclass
class OcrEnv:
    database: Database
    settings: Settings
    files: Path  # where the generated inputs are

    def ingest(self, path: Path) -> int:
        result = ingest_path(self.database, path, settings=self.settings)
        assert result.document_id is not None, result
        return result.document_id

    @contextlib.contextmanager
    def active(self, **overrides: str) -> Iterator[None]:
        """DOCMILL_* pointing at this database and data directory (plus overrides) for code that reads them."""
        values = {
            "DOCMILL_DATABASE_URL": self.database.url,
            "DOCMILL_DATA_DIR": str(self.settings.data_dir),
            **{f"DOCMILL_{k.upper()}": v for k, v in overrides.items()},
        }
        saved = {k: os.environ.get(k) for k in values}
        os.environ.update(values)
        reset_settings_cache()
        set_database(self.database)
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            set_database(None)
            reset_settings_cache()


@contextlib.contextmanager
def make_env(pg_server: TestServer, tmp_path_factory: pytest.TempPathFactory, **settings: object) -> Iterator[OcrEnv]:
    url = pg_server.create_database()
    database = Database(url, application_name="docmill-test")
    data_dir = tmp_path_factory.mktemp("ocr-data")
    files = tmp_path_factory.mktemp("ocr-files")
    try:
        yield OcrEnv(database, Settings(database_url=url, data_dir=data_dir, **settings), files)  # type: ignore[arg-type]
    finally:
        database.dispose()
        pg_server.drop_database(url)
