"""`docmill fields …`: define, list, edit, set and show every type, errors naming the field, remove; search
and ask with --field."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from docmill.cli.main import app
from docmill.config import Settings
from docmill.db.engine import Database
from docmill.models import User
from tests.fields.conftest import MakeDoc

runner = CliRunner()


def ok(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_fields_cli_round_trips_every_type(
    settings: Settings, database: Database, make_document: Any, text_document: MakeDoc
) -> None:
    with database.transaction() as session:
        user = User(username="ann", password_hash="x", is_admin=True)
        session.add(user)
        session.flush()
        user_id = user.id
    ok("fields", "add", "Note", "text")
    ok("fields", "add", "Remarks", "long_text")
    ok("fields", "add", "Pages", "integer")
    ok("fields", "add", "Rate", "decimal")
    assert "field amount (money) defined" in ok(
        "fields", "add", "Amount", "money", "--currency", "krw", "--hint", "the total amount to pay"
    )
    ok("fields", "add", "Due date", "date")
    ok("fields", "add", "Paid", "boolean")
    ok("fields", "add", "Site", "url")
    ok("fields", "add", "State", "select", "--options", "open, paid")
    ok("fields", "add", "Related", "document_link")
    ok("fields", "add", "Handler", "user")
    ok("fields", "add", "Policy", "text", "--pattern", r"[A-Z]{2}-\d{4}")
    listed = json.loads(ok("fields", "list", "--json"))
    assert [f["slug"] for f in listed][:6] == ["note", "remarks", "pages", "rate", "amount", "due_date"]
    assert next(f for f in listed if f["slug"] == "amount")["default_currency"] == "KRW"
    table = ok("fields", "list")
    assert "state" in table and "KRW" in table  # (rich wraps the columns to the test terminal)

    doc = make_document()
    other = make_document()
    out = ok(
        "fields", "set", str(doc), "note=12", "remarks=two words", "pages=1,200", "rate=0.125", "amount=125,000",
        "due_date=2026-03-14", "paid=true", "site=https://example.com/b", "state=paid", f"related={other}",
        f"handler={user_id}", "policy=AB-1234",
    )  # fmt: skip
    assert "12 values changed" in out
    shown = json.loads(ok("fields", "show", str(doc), "--json"))
    assert shown == {
        "note": "12",
        "remarks": "two words",
        "pages": 1200,
        "rate": "0.125",
        "amount": {"amount": "125000", "currency": "KRW"},
        "due_date": "2026-03-14",
        "paid": True,
        "site": "https://example.com/b",
        "state": "paid",
        "related": other,
        "handler": user_id,
        "policy": "AB-1234",
    }
    assert "125000 KRW" in ok("fields", "show", str(doc))
    assert "0 values changed" in ok("fields", "set", str(doc), "paid=true")
    ok("fields", "set", str(doc), 'amount={"amount": "9.5", "currency": "USD"}', "note=")
    shown = json.loads(ok("fields", "show", str(doc), "--json"))
    assert shown["amount"] == {"amount": "9.5", "currency": "USD"} and "note" not in shown

    bad = runner.invoke(app, ["fields", "set", str(doc), "due_date=tomorrow-ish", "pages=3"])
    assert bad.exit_code == 1 and "Due date" in bad.output and "YYYY-MM-DD" in bad.output
    assert json.loads(ok("fields", "show", str(doc), "--json"))["pages"] == 1200  # all or nothing
    bad = runner.invoke(app, ["fields", "set", str(doc), "state=late"])
    assert bad.exit_code == 1 and "one of: open, paid" in bad.output
    bad = runner.invoke(app, ["fields", "set", str(doc), "nosuch=1"])
    assert bad.exit_code == 1 and "nosuch" in bad.output and "Known fields" in bad.output

    ok("fields", "edit", "state", "--name", "Status", "--options", "open,paid,late")
    ok("fields", "set", str(doc), "state=late")
    assert "field policy deleted" in ok("fields", "remove", "policy", "--yes")
    assert "policy" not in json.loads(ok("fields", "show", str(doc), "--json"))
    missing = runner.invoke(app, ["fields", "remove", "policy", "--yes"])
    assert missing.exit_code == 1 and "No custom field" in missing.output

    # search and ask take --field
    big = text_document(user_id, "관리비 고지서 이번 달")
    small = text_document(user_id, "관리비 고지서 소액")
    ok("fields", "set", str(big), "amount=250000")
    ok("fields", "set", str(small), "amount=3000")
    hits = json.loads(ok("search", "관리비", "--mode", "fulltext", "--json", "--field", "amount>100000"))
    assert [h["document_id"] for h in hits["hits"]] == [big]
    hits = json.loads(ok("search", "field:amount<100000 관리비", "--mode", "fulltext", "--json"))
    assert [h["document_id"] for h in hits["hits"]] == [small]
    counted = ok("ask", "how many 관리비 documents?", "--offline", "--field", "amount>100000")
    assert "counted from the database: 1 documents" in counted and "field amount>100000" in counted
    bad = runner.invoke(app, ["search", "관리비", "--field", "amount>lots"])
    assert bad.exit_code == 1 and "Amount" in bad.output
