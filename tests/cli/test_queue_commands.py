"""The queue commands run one service call each in a transaction of their own (docmill.cli.common.in_transaction):
what they do is committed, and a typed error ends the command with its message and hint, committing nothing."""

from __future__ import annotations

from typer.testing import CliRunner

from docmill.cli.main import app
from docmill.config import Settings
from docmill.db.engine import Database

runner = CliRunner()


def _rows(database: Database, document_id: int) -> list[tuple[str, str]]:
    with database.connect() as conn:
        return conn.execute(
            "SELECT stage::text, status::text FROM processing_queue WHERE document_id = %s ORDER BY id",
            (document_id,),
        ).fetchall()


def test_reprocess_and_pause_are_committed(settings: Settings, database: Database, make_document) -> None:
    doc = make_document(kind="text")
    done = runner.invoke(app, ["queue", "reprocess", str(doc)])
    assert done.exit_code == 0, done.output
    assert "queued extract" in done.output
    assert _rows(database, doc) == [("extract", "pending")]  # visible from another connection: committed

    again = runner.invoke(app, ["queue", "reprocess", str(doc)])
    assert again.exit_code == 0 and "nothing (already queued)" in again.output

    assert runner.invoke(app, ["queue", "pause", "extract"]).exit_code == 0
    with database.connect() as conn:
        [(paused,)] = conn.execute("SELECT paused FROM stage_controls WHERE stage = 'extract'").fetchall()
    assert paused is True


def test_typed_errors_end_the_command_with_their_hint(settings: Settings, database: Database, make_document) -> None:
    missing = runner.invoke(app, ["queue", "reprocess", "999999"])
    assert missing.exit_code == 1
    assert "document 999999 does not exist" in missing.output and "what to do" in missing.output

    doc = make_document(kind="text")
    wrong = runner.invoke(app, ["queue", "reprocess", str(doc), "--from", "stt"])
    assert wrong.exit_code == 1 and "does not apply" in wrong.output
    assert _rows(database, doc) == []  # nothing was committed
