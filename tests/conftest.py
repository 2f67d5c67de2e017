"""Shared fixtures: a real PostgreSQL (see tests/pg.py), settings pointing at it, and sample documents."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from docmill.config import Settings, get_settings, reset_settings_cache
from docmill.db.engine import Database, set_database
from docmill.models import Document
from tests.pg import TestServer
from tests.samples import Samples

# The shared corpus of real third-party files: DOCMILL_CORPUS, or beside the repository (as CI lays it out).
# Tests that exist to check those files ask for the `corpus` fixture and are skipped when it is missing;
# every other test reads inputs it generates itself (the `samples` fixture).
CORPUS = Path(
    os.environ.get("DOCMILL_CORPUS") or Path(__file__).resolve().parents[2] / "shared" / "corpus" / "public"
).resolve()
CORPUS_MISSING = (
    f"the shared corpus of real third-party files is not at {CORPUS} "
    "(set DOCMILL_CORPUS to its folder to run these tests)"
)
REQUIRE_CORPUS = os.environ.get("DOCMILL_REQUIRE_CORPUS") == "1"  # CI: a missing corpus is an error


def corpus_present() -> bool:
    return (CORPUS / "MANIFEST.md").is_file()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "corpus: reads real third-party files of the shared corpus")
    if REQUIRE_CORPUS and not corpus_present():
        raise pytest.UsageError(f"DOCMILL_REQUIRE_CORPUS=1 but {CORPUS_MISSING}")


_LEFT_OUT = pytest.StashKey[int]()  # how many corpus tests were left out


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests that read the corpus are marked `corpus` (select them with -m corpus); without the corpus they
    are left out as one group, named by one line of the summary."""
    corpus_tests = []
    for item in items:
        if "corpus" in getattr(item, "fixturenames", ()) or item.get_closest_marker("corpus"):
            item.add_marker(pytest.mark.corpus)
            corpus_tests.append(item)
    if corpus_tests and not corpus_present():
        config.hook.pytest_deselected(items=corpus_tests)
        items[:] = [item for item in items if item not in set(corpus_tests)]
        config.stash[_LEFT_OUT] = len(corpus_tests)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:  # type: ignore[no-untyped-def]
    left_out = config.stash.get(_LEFT_OUT, 0)
    if left_out:
        terminalreporter.write_line(f"SKIPPED {left_out} corpus tests: {CORPUS_MISSING}", yellow=True, bold=True)


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

    try:
        yield get_settings()
    finally:
        set_database(None)
        reset_settings_cache()


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The shared corpus folder (tests asking for it are skipped when it is missing, see above)."""
    if not corpus_present():
        pytest.skip(CORPUS_MISSING)
    return CORPUS


@pytest.fixture(scope="session")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Samples:
    """Inputs of every supported format, written on first use into one folder per session (tests/samples)."""
    return Samples(tmp_path_factory.mktemp("samples"))


@pytest.fixture
def make_document(database: Database):
    """Insert a bare document row (no file) and return its id."""

    def _make(kind: str = "text", **fields: object) -> int:
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
