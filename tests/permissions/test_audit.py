"""The audit log: a row for every action the issue lists, admin filters, the CSV export, and retention."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from fastapi.testclient import TestClient

from docmill.audit.log import purge_older_than
from docmill.config import Settings
from docmill.db.engine import Database
from docmill.models import AuditEntry
from tests.api.conftest import PASSWORD
from tests.permissions.conftest import People, make_shared_document


def test_every_action_leaves_an_audit_row(
    client: TestClient, settings: Settings, database: Database, people: People
) -> None:
    owner, admin = people.owner.headers, people.admin.headers
    assert client.post("/api/session/login", json={"username": "olivia", "password": "wrong!!!!"}).status_code == 401
    assert client.post("/api/session/login", json={"username": "olivia", "password": PASSWORD}).status_code == 200
    client.cookies.clear()
    up = client.post("/api/documents", files={"file": ("a.txt", b"audited words", "text/plain")}, headers=owner)
    doc = up.json()["document_id"]
    client.get(f"/api/documents/{doc}/file", headers=owner)
    client.patch(f"/api/documents/{doc}", json={"title": "Audited"}, headers=owner)
    client.post(f"/api/documents/{doc}/shares", json={"user": "victor"}, headers=owner)
    client.delete(f"/api/documents/{doc}", headers=owner)
    client.post(f"/api/documents/{doc}/restore", headers=owner)
    shared = make_shared_document(settings, database, people)
    client.post(f"/api/library/suggestions/{shared.suggestion}/reject", headers=people.editor.headers)
    client.post("/api/queue/extract/pause", headers=admin)
    client.post("/api/feeds", json={"url": "not a url"}, headers=admin)  # refused: no row
    client.delete("/api/feeds/999999", headers=admin)  # not found: no row
    client.post("/api/users", json={"username": "newbie", "password": "x" * 12}, headers=admin)
    client.post("/api/groups", json={"name": "crew"}, headers=admin)
    client.post("/api/tokens", json={"name": "t"}, headers=owner)

    rows = client.get("/api/audit", params={"limit": 200}, headers=admin).json()["items"]
    actions = {r["action"] for r in rows}
    expected = {
        "login_failed",
        "login",
        "upload",
        "download",
        "edit",
        "share",
        "delete",
        "restore",
        "suggestion_reject",
        "queue",
        "user",
        "group",
        "token",
    }
    assert expected <= actions, expected - actions
    assert "feed" not in actions  # failed operations are not recorded as done
    login = next(r for r in rows if r["action"] == "login")
    assert login["username"] == "olivia" and login["client"]
    queue = next(r for r in rows if r["action"] == "queue")
    assert queue["detail"]["path"] == "/api/queue/extract/pause"

    only = client.get("/api/audit", params={"action": "upload", "username": "olivia"}, headers=admin).json()
    assert only["total"] == 1 and only["items"][0]["target_id"] == doc
    assert client.get("/api/audit", headers=owner).status_code == 403

    exported = client.get("/api/audit/export.csv", params={"action": "delete"}, headers=admin)
    assert exported.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["action"], r["username"], r["target_id"]) for r in table] == [("delete", "olivia", str(doc))]


def test_retention_drops_old_rows(database: Database) -> None:
    with database.transaction() as session:
        session.add(AuditEntry(action="login", at=datetime.now(UTC) - timedelta(days=400)))
        session.add(AuditEntry(action="login", at=datetime.now(UTC) - timedelta(days=10)))
    with database.transaction() as session:
        assert purge_older_than(session, 365) == 1
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 1
