"""The watched inbox: stable files are ingested once, growing files are waited out, restarts remember."""

from __future__ import annotations

import threading
from pathlib import Path

import sqlalchemy as sa

from docmill.config import Settings
from docmill.db.engine import Database
from docmill.ingest.inbox import Inbox, run_inbox
from docmill.models import Document
from tests.helpers import wait_for


def _inbox_settings(settings: Settings, tmp_path: Path) -> Settings:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return settings.model_copy(update={"inbox_dir": folder})


def _count(database: Database) -> int:
    with database.session() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(Document)) or 0


def test_files_are_taken_once_they_stop_changing(database: Database, settings: Settings, tmp_path: Path) -> None:
    settings = _inbox_settings(settings, tmp_path)
    inbox = Inbox.open(settings, database)
    growing = settings.inbox_dir / "notes.txt"
    growing.write_text("first part of a note that is still being written\n")
    (settings.inbox_dir / ".hidden.txt").write_text("skipped")
    (settings.inbox_dir / "download.pdf.part").write_text("skipped")
    (settings.inbox_dir / "empty.txt").write_bytes(b"")
    assert inbox.scan() == []  # first sight: wait one poll
    with growing.open("a") as f:
        f.write("second part\n")
    assert inbox.scan() == []  # it changed since the last poll
    assert inbox.scan() == [("notes.txt", "added")]
    assert inbox.scan() == []  # already ingested
    assert _count(database) == 1
    with database.session() as session:
        doc = session.scalars(sa.select(Document)).one()
        assert doc.source == "inbox" and doc.original_name == "notes.txt"
        assert (settings.files_dir / doc.storage_path).read_text().endswith("second part\n")


def test_a_restart_does_not_ingest_again(database: Database, settings: Settings, tmp_path: Path) -> None:
    settings = _inbox_settings(settings, tmp_path)
    sub = settings.inbox_dir / "scans"
    sub.mkdir()
    (sub / "a.txt").write_text("alpha document text\n")
    first = Inbox.open(settings, database)
    first.scan()
    assert first.scan() == [("scans/a.txt", "added")]
    restarted = Inbox.open(settings, database)
    restarted.scan()
    assert restarted.scan() == []
    (sub / "a.txt").write_text("alpha document text, edited\n")
    restarted.scan()
    assert restarted.scan() == [("scans/a.txt", "added")]  # new content is a new document
    assert _count(database) == 2


def test_run_inbox_loop_stops_on_the_event(database: Database, settings: Settings, tmp_path: Path) -> None:
    settings = _inbox_settings(settings, tmp_path)
    stop = threading.Event()
    thread = threading.Thread(
        target=run_inbox, args=(settings, stop), kwargs={"db": database, "poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        (settings.inbox_dir / "dropped.json").write_text('{"hello": "inbox"}')
        wait_for(lambda: _count(database) == 1, timeout=20, message="the dropped file was not ingested")
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()
