"""/api/workflows through HTTP and `docmill workflows` through the CLI: create (secret once), validate,
reorder, dry-run (visible documents only, nothing written), runs, and a document's workflow history."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from docmill.cli.main import app as cli
from docmill.db.engine import Database
from docmill.fields.service import FieldDefinition, create_field
from docmill.fields.types import FieldType
from docmill.models import WebhookDelivery, WorkflowRule
from tests.api.conftest import Account, make_account
from tests.workflows.conftest import MakeDoc, load

BILLS = {
    "name": "Utility bills",
    "trigger": "processed",
    "conditions": [{"type": "source", "sources": ["inbox"]}, {"type": "text_contains", "text": "관리비"}],
    "actions": [
        {"type": "set_category", "path": "Home/Bills"},
        {"type": "add_tags", "tags": ["관리비"]},
        {"type": "webhook", "url": "http://127.0.0.1:9/hook"},
    ],
}


def test_rules_crud_order_and_validation(api: TestClient, database: Database) -> None:
    created = api.post("/api/workflows", json=BILLS)
    assert created.status_code == 201, created.text
    rule = created.json()
    assert len(rule["secret"]) >= 32 and rule["position"] == 0
    assert rule["conditions"][1] == {"type": "text_contains", "text": "관리비"}
    with database.session() as session:
        stored = session.get(WorkflowRule, rule["id"])
        assert stored is not None and stored.secret is not None and rule["secret"] not in stored.secret  # encrypted
    listed = api.get("/api/workflows").json()
    assert [r["name"] for r in listed] == ["Utility bills"] and "secret" not in listed[0]

    second = api.post("/api/workflows", json={**BILLS, "name": "Second", "trigger": "updated"}).json()
    order = api.post("/api/workflows/order", json={"ids": [second["id"], rule["id"]]})
    assert [r["name"] for r in order.json()] == ["Second", "Utility bills"]
    bad_order = api.post("/api/workflows/order", json={"ids": [second["id"]]})
    assert bad_order.status_code == 422 and f"missing: [{rule['id']}]" in bad_order.json()["error"]["message"]

    changed = api.put(f"/api/workflows/{second['id']}", json={**BILLS, "name": "Renamed", "enabled": False})
    assert changed.status_code == 200 and (changed.json()["name"], changed.json()["enabled"]) == ("Renamed", False)
    secret = api.post(f"/api/workflows/{second['id']}/secret").json()["secret"]
    assert secret != rule["secret"]
    assert api.delete(f"/api/workflows/{second['id']}").status_code == 204
    missing = api.get(f"/api/workflows/{second['id']}")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "workflow_not_found"

    invalid = api.post("/api/workflows", json={**BILLS, "trigger": "scheduled"})
    assert invalid.status_code == 422 and "schedule_minutes" in invalid.json()["error"]["message"]
    unknown = api.post(
        "/api/workflows", json={**BILLS, "conditions": [{"type": "field", "field": "nope", "op": "empty"}]}
    )
    assert unknown.status_code == 422 and "'nope'" in unknown.json()["error"]["message"]


def test_set_fields_values_are_checked_by_type(api: TestClient, database: Database) -> None:
    with database.transaction() as session:
        create_field(session, FieldDefinition(name="Due date", type=FieldType.DATE))
    bad = api.post(
        "/api/workflows",
        json={**BILLS, "actions": [{"type": "set_fields", "values": {"due_date": "tomorrow-ish"}}]},
    )
    assert bad.status_code == 422, bad.text
    error = bad.json()["error"]
    assert "Due date" in error["message"] and "YYYY-MM-DD" in error["hint"]


def test_dry_run_shows_visible_matches_and_writes_nothing(
    api: TestClient, database: Database, account: Account, doc: MakeDoc
) -> None:
    mine = doc("3월 관리비 고지서", source="inbox", owner_id=account.id, title="March")
    doc("전기 요금", source="inbox", owner_id=account.id)
    other = make_account(database, "zed", admin=False)
    doc("관리비 of someone else", source="inbox", owner_id=other.id)
    result = api.post("/api/workflows/dry-run", json=BILLS)
    assert result.status_code == 200, result.text
    body = result.json()
    # the admin sees everyone's documents: two of the three match
    assert (body["scanned"], body["matched"]) == (3, 2)
    first = next(m for m in body["matches"] if m["document_id"] == mine)
    assert [c["summary"] for c in first["changes"]] == [
        "set category Home/Bills",
        "added tag 관리비",
        "queued a webhook to http://127.0.0.1:9/hook",
    ]
    assert load(database, mine)[1] is None and load(database, mine)[0].tags == []  # nothing written
    with database.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(WebhookDelivery)) == 0
        assert session.scalar(sa.text("SELECT count(*) FROM categories WHERE path = 'Home/Bills'")) == 0
        assert session.scalar(sa.text("SELECT count(*) FROM workflow_runs")) == 0

    saved = api.post("/api/workflows", json=BILLS).json()
    again = api.post(f"/api/workflows/{saved['id']}/dry-run?limit=1").json()
    assert again["matched"] == 2 and len(again["matches"]) == 1 and again["truncated"] is True


def test_runs_and_document_history(api: TestClient, client: TestClient, database: Database, doc: MakeDoc) -> None:
    rule = api.post("/api/workflows", json={**BILLS, "trigger": "updated", "conditions": []}).json()
    doc_id = doc("x")
    patched = api.patch(f"/api/documents/{doc_id}", json={"title": "Water bill"})
    assert patched.status_code == 200 and patched.json()["category"]["path"] == "Home/Bills"
    history = api.get(f"/api/documents/{doc_id}/workflow-runs").json()
    assert [(h["rule_name"], h["outcome"], h["trigger"]) for h in history] == [("Utility bills", "applied", "updated")]
    assert history[0]["changes"][0]["summary"] == "set category Home/Bills"
    assert [r["document_id"] for r in api.get(f"/api/workflows/{rule['id']}/runs").json()] == [doc_id]
    deliveries = api.get(f"/api/workflows/{rule['id']}/deliveries").json()
    assert [(d["document_id"], d["status"]) for d in deliveries] == [(doc_id, "pending")]


def test_cli_add_list_dry_run_runs_remove(database: Database, settings, doc: MakeDoc, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner()
    doc("관리비 고지서", source="inbox")
    added = runner.invoke(
        cli,
        [
            "workflows",
            "add",
            "--name",
            "Bills",
            "--text-contains",
            "관리비",
            "--set-category",
            "Home/Bills",
            "--add-tag",
            "관리비",
        ],
    )
    assert added.exit_code == 0, added.output
    assert "rule 1 'Bills' added" in added.output and "webhook secret (shown once):" in added.output
    listed = runner.invoke(cli, ["workflows", "list"])
    assert listed.exit_code == 0 and "Bills" in listed.output and "text_contains" in listed.output
    dry = runner.invoke(cli, ["workflows", "dry-run", "1"])
    assert dry.exit_code == 0, dry.output
    assert "set category Home/Bills; added tag 관리비" in dry.output and "1 of 1 documents match" in dry.output
    spec = tmp_path / "rule.json"
    spec.write_text(json.dumps({**BILLS, "trigger": "scheduled"}))
    bad = runner.invoke(cli, ["workflows", "add", "--file", str(spec)])
    assert bad.exit_code == 1 and "schedule_minutes" in bad.output
    assert runner.invoke(cli, ["workflows", "runs"]).exit_code == 0
    assert runner.invoke(cli, ["workflows", "remove", "1"]).exit_code == 0
    gone = runner.invoke(cli, ["workflows", "remove", "1"])
    assert gone.exit_code == 1 and "there is no workflow rule 1" in gone.output
