"""`docmill notes …` and `docmill bulk …`: as a user, with that user's rights."""

from __future__ import annotations

import sqlalchemy as sa
from typer.testing import CliRunner

from docmill.cli.main import app as cli
from docmill.config import Settings
from docmill.db.engine import Database
from docmill.models import Document
from tests.api.conftest import make_account
from tests.workspace.conftest import insert_documents

runner = CliRunner()


def test_notes_and_bulk_commands(settings: Settings, database: Database) -> None:
    ann = make_account(database, "ann", admin=True)
    make_account(database, "ben", admin=False)
    ids = insert_documents(database, ann.id, 5, prefix="cli")
    added = runner.invoke(cli, ["notes", "add", str(ids[0]), "Due **Friday**", "--user", "ann"])
    assert added.exit_code == 0, added.output
    listed = runner.invoke(cli, ["notes", "list", str(ids[0]), "--user", "ann"])
    assert listed.exit_code == 0 and "ann" in listed.output and "Friday" in listed.output
    hidden = runner.invoke(cli, ["notes", "list", str(ids[0]), "--user", "ben"])
    assert hidden.exit_code == 1 and "does not exist" in hidden.output
    # ben's bulk on ann's documents: every one fails, with the reason
    theirs = runner.invoke(cli, ["bulk", "tag", "x", "--q", "cli", "--user", "ben", "--no-wait"])
    assert theirs.exit_code == 1 and "no documents" in theirs.output  # ben sees none of them
    by_id = runner.invoke(cli, ["bulk", "tag", "x", *[f"--ids={i}" for i in ids[:2]], "--user", "ben", "--no-wait"])
    assert by_id.exit_code == 0, by_id.output
    ran = runner.invoke(cli, ["bulk", "run"])
    assert ran.exit_code == 0 and "1 bulk job run" in ran.output
    status = runner.invoke(cli, ["bulk", "status", "1", "--user", "ben"])
    assert "completed: 0 changed, 2 failed of 2" in status.output and "not shared with you" in status.output
    # ann's bulk by filter; run here, then followed to the end
    mine = runner.invoke(cli, ["bulk", "tag", "paid", "--q", "cli", "--user", "ann", "--no-wait"])
    assert mine.exit_code == 0 and "5 documents" in mine.output
    assert "1 bulk job run" in runner.invoke(cli, ["bulk", "run"]).output
    assert "completed: 5 changed, 0 failed of 5" in runner.invoke(cli, ["bulk", "status", "2", "--user", "ann"]).output
    with database.session() as session:
        tags = session.scalars(sa.select(Document.tags).where(Document.id.in_(ids))).all()
    assert all(t == ["paid"] for t in tags)
