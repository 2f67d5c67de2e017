"""`docmill library fields [accept|reject]`: list the pending field suggestions, accept (as is or with --value),
reject; a bad value names the field and what it accepts."""

from __future__ import annotations

from collections.abc import Callable

from typer.testing import CliRunner

from docmill.cli.main import app
from docmill.config import Settings
from docmill.db.engine import Database
from docmill.fields import service, suggestions
from docmill.fields.extract import Extracted
from docmill.fields.service import FieldDefinition
from docmill.fields.types import FieldType


def test_library_fields_cli(database: Database, settings: Settings, make_document: Callable[..., int]) -> None:
    with database.transaction() as session:
        amount = service.spec_of(
            service.create_field(session, FieldDefinition(name="Amount", type=FieldType.MONEY, extraction_hint="total"))
        )
        due = service.spec_of(
            service.create_field(session, FieldDefinition(name="Due date", type=FieldType.DATE, extraction_hint="due"))
        )
    doc = make_document(title="관리비 3월")
    with database.transaction() as session:
        proposals = [
            Extracted("amount", "70300 KRW", 0.81, "납부하실 금액 70,300원"),
            Extracted("due_date", "2026-03-25", 0.77, "납부기한 2026년 3월 25일"),
        ]
        suggestions.save_suggestions(session, doc, [amount, due], proposals, method="offline")
        ids = {v.field_slug: v.id for v in suggestions.list_pending(session)[0]}
    runner = CliRunner()
    listed = runner.invoke(app, ["library", "fields"], env={"COLUMNS": "300"})
    assert listed.exit_code == 0, listed.output
    assert "70300 KRW" in listed.output and "2026-03-25" in listed.output and "관리비 3월" in listed.output
    assert "2 pending field suggestions" in listed.output

    bad = runner.invoke(app, ["library", "fields", "accept", str(ids["due_date"]), "--value", "soon"])
    assert bad.exit_code == 1 and "due_date" in bad.output and "YYYY-MM-DD" in bad.output, bad.output
    ok = runner.invoke(app, ["library", "fields", "accept", str(ids["due_date"]), "--value", "2026-03-31"])
    assert ok.exit_code == 0 and "Due date = 2026-03-31" in ok.output, ok.output
    rejected = runner.invoke(app, ["library", "fields", "reject", str(ids["amount"])])
    assert rejected.exit_code == 0 and "rejected" in rejected.output
    again = runner.invoke(app, ["library", "fields", "reject", str(ids["amount"])])
    assert again.exit_code == 1 and "already rejected" in again.output
    with database.session() as session:
        assert {v.slug: v.value for v in service.document_values(session, doc)} == {"due_date": "2026-03-31"}
    assert "0 pending field suggestions" in runner.invoke(app, ["library", "fields"], env={"COLUMNS": "300"}).output
