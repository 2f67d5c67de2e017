"""`docmill users …`, `docmill groups …` and `docmill ingest --owner`."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from docmill.cli.main import app as cli
from docmill.config import Settings
from docmill.db.engine import Database
from docmill.models import Document

runner = CliRunner()


def _ok(args: list[str], stdin: str | None = None) -> str:
    result = runner.invoke(cli, args, input=stdin)
    assert result.exit_code == 0, result.output
    return result.output


def test_users_and_groups_commands(settings: Settings, database: Database, tmp_path: Path) -> None:
    _ok(["users", "create", "ann", "--password-stdin"], "a long password\n")
    _ok(["users", "create", "ben", "--password-stdin", "--no-admin"], "a long password\n")
    listed = _ok(["users", "list"])
    assert "admin" in listed and "member" in listed
    refused = runner.invoke(cli, ["users", "set-role", "ann", "member"])
    assert refused.exit_code == 1 and "only admin" in refused.output
    _ok(["users", "set-role", "ben", "admin"])
    _ok(["users", "set-role", "ben", "member"])

    _ok(["groups", "create", "family", "ben"])
    assert "family" in _ok(["groups", "list"]) and "ben" in _ok(["groups", "list"])
    _ok(["groups", "remove", "family", "ben"])
    _ok(["groups", "add", "family", "ann"])
    assert "ann" in _ok(["groups", "list"])
    missing = runner.invoke(cli, ["groups", "add", "family", "nobody"])
    assert missing.exit_code == 1 and "no user" in missing.output

    note = tmp_path / "note.txt"
    note.write_text("ben's note, for ben alone")
    _ok(["ingest", str(note), "--owner", "ben"])
    with database.session() as session:
        owner = session.query(Document).one().owner_id
    _ok(["users", "delete", "ben", "--heir", "ann"])
    with database.session() as session:
        assert session.query(Document).one().owner_id != owner  # ann has it now
    _ok(["groups", "delete", "family"])
    assert "family" not in _ok(["groups", "list"])


def test_documents_from_before_the_first_user_go_to_the_first_admin(
    settings: Settings, database: Database, tmp_path: Path
) -> None:
    note = tmp_path / "early.txt"
    note.write_text("ingested before anyone could log in")
    _ok(["ingest", str(note)])
    with database.session() as session:
        assert session.query(Document).one().owner_id is None  # admins only, for now
    _ok(["users", "create", "first", "--password-stdin"], "a long password\n")
    with database.session() as session:
        owner = session.query(Document).one().owner_id
    assert owner is not None
