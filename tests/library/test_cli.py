"""`docmill categories list|add|move` through the CLI: the same service, and its re-queue note."""

from __future__ import annotations

from typer.testing import CliRunner

from docmill.cli.main import app
from docmill.config import Settings
from docmill.db.engine import Database
from docmill.pipeline import queue


def test_categories_cli(database: Database, settings: Settings, make_document) -> None:  # type: ignore[no-untyped-def]
    doc = make_document(kind="text", markdown="# Bibimbap\n\nRice, vegetables and gochujang.")
    with database.connect() as conn:
        queue.enqueue_stage(conn, doc, "index")
        queue.complete(conn, queue.claim(conn, "index", 10, "w", 30), "w")  # chains classify
        queue.complete(conn, queue.claim(conn, "classify", 10, "w", 30), "w")
        conn.commit()
    runner = CliRunner()
    added = runner.invoke(app, ["categories", "add", "Food/Korean", "-d", "Korean recipes"])
    assert added.exit_code == 0, added.output
    assert "category Food/Korean created; 1 unfiled document queued for new suggestions" in added.output
    with database.connect() as conn:
        queue.complete(conn, queue.claim(conn, "classify", 10, "w", 30), "w")
        conn.commit()
    moved = runner.invoke(app, ["categories", "move", "food/korean", "Home/Cooking/Korean"])
    assert moved.exit_code == 0, moved.output
    assert "is now Home/Cooking/Korean; 1 unfiled document queued" in moved.output
    listed = runner.invoke(app, ["categories", "list"])
    assert listed.exit_code == 0 and "Home/Cooking/Korean" in listed.output and "1 documents not filed" in listed.output
    missing = runner.invoke(app, ["categories", "move", "No/Such", "X"])
    assert missing.exit_code != 0 and "there is no category" in missing.output
