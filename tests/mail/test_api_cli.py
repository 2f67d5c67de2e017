"""Mail from the API (admins only; passwords in, never out) and from the CLI, against the real Dovecot."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from docmill.api.app import create_app
from docmill.cli.main import app as cli
from docmill.config import Settings
from docmill.db.engine import Database
from tests.api.conftest import make_account
from tests.mail import samples
from tests.mail.imap_server import DovecotServer, MailUser
from tests.mail.test_poll import documents, fill, folder_uids


@pytest.fixture
def api(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(), base_url="http://testserver") as client:
        yield client


def account_body(server: DovecotServer, user: MailUser, **fields: object) -> dict[str, object]:
    return {
        "name": "home",
        "host": "127.0.0.1",
        "port": server.tls_port,
        "security": "tls",
        "username": user.username,
        "password": user.password,
        "ca_cert": server.ca_pem,
        **fields,
    }


def test_a_new_user_adds_a_mailbox_and_a_bills_rule_from_the_api(
    api: TestClient, database: Database, settings: Settings, imap_server: DovecotServer, mail_user: MailUser
) -> None:
    admin = make_account(database, "admin", admin=True)
    member = make_account(database, "member", admin=False)
    fill(
        imap_server,
        mail_user,
        samples.message(attachments=[("bill.pdf", samples.text_pdf("Bill 1"), "application/pdf")]),
    )
    fill(imap_server, mail_user, samples.message(subject="seed", sender="x@x"), folder="Archive")

    denied = api.get("/api/mail/accounts", headers=member.headers)
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "admin_only"

    created = api.post("/api/mail/accounts", json=account_body(imap_server, mail_user), headers=admin.headers)
    assert created.status_code == 201, created.text
    account = created.json()
    assert "password" not in created.text and mail_user.password not in created.text
    assert account["has_custom_ca"] is True and account["rules"] == []
    again = api.post("/api/mail/accounts", json=account_body(imap_server, mail_user), headers=admin.headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "mail_account_exists"

    base = f"/api/mail/accounts/{account['id']}"
    bad_rule = api.post(f"{base}/rules", json={"name": "rm", "after_action": "delete"}, headers=admin.headers)
    assert bad_rule.status_code == 422 and bad_rule.json()["error"]["code"] == "mail_delete_not_allowed"
    rule = api.post(
        f"{base}/rules",
        json={
            "name": "bills",
            "from_contains": "billing@",
            "ingest": "attachments",
            "after_action": "move",
            "move_to": "Archive",
            "category": "Finance/Bills",
            "tags": ["bill"],
        },
        headers=admin.headers,
    )
    assert rule.status_code == 201, rule.text
    assert rule.json()["category"] == "Finance/Bills"

    test = api.post(f"{base}/test", headers=admin.headers).json()
    assert test["ok"] is True and "Archive" in test["folders"]
    fetched = api.post(f"{base}/fetch", headers=admin.headers)
    assert fetched.status_code == 200, fetched.text
    assert fetched.json()["documents_added"] == 1 and fetched.json()["status"] == "ok"
    assert [d["original_name"] for d in documents(database)] == ["bill.pdf"]
    assert len(folder_uids(imap_server, mail_user, "Archive")) == 2

    listed = api.get("/api/mail/accounts", headers=admin.headers).json()[0]
    assert listed["last_status"] == "ok" and listed["messages"]["ingested"] == 1
    assert listed["progress"]["state"] == "idle" and listed["progress"]["documents_added"] == 1
    assert listed["supports_idle"] is True and mail_user.password not in str(listed)
    page = api.get(f"{base}/messages", headers=admin.headers).json()
    assert page["total"] == 1 and page["items"][0]["documents"][0]["role"] == "attachment"
    assert page["items"][0]["subject"] == "Your invoice" and page["items"][0]["action_done"] is True

    wrong = api.patch(base, json={"password": "nope"}, headers=admin.headers)
    assert wrong.status_code == 200 and mail_user.password not in wrong.text
    failing = api.post(f"{base}/test", headers=admin.headers).json()
    assert failing["ok"] is False and failing["code"] == "mail_auth" and failing["hint"]
    polled = api.post(f"{base}/fetch", headers=admin.headers).json()
    assert polled["status"] == "error" and polled["error_code"] == "mail_auth"
    shown = api.get(base, headers=admin.headers).json()
    assert shown["last_error_code"] == "mail_auth" and shown["error_count"] == 1

    assert api.post(f"{base}/messages/retry", headers=admin.headers).json() == {"count": 0}
    assert api.delete(f"{base}/rules/{rule.json()['id']}", headers=admin.headers).status_code == 204
    assert api.delete(base, headers=admin.headers).status_code == 204
    assert api.get(base, headers=admin.headers).json()["error"]["code"] == "mail_account_not_found"
    assert len(documents(database)) == 1  # the documents stay


def test_mail_commands(
    database: Database, settings: Settings, imap_server: DovecotServer, mail_user: MailUser, tmp_path: Path
) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text(imap_server.ca_pem)
    fill(
        imap_server,
        mail_user,
        samples.message(attachments=[("cli.pdf", samples.text_pdf("CLI bill"), "application/pdf")]),
    )
    runner = CliRunner()
    added = runner.invoke(
        cli,
        [
            "mail",
            "add",
            "cli",
            "--host",
            "127.0.0.1",
            "--port",
            str(imap_server.tls_port),
            "--user",
            mail_user.username,
            "--ca-file",
            str(ca),
        ],
        env={"IMAP_PASSWORD": mail_user.password},
    )
    assert added.exit_code == 0, added.output
    assert "mail account 1 added" in added.output and "connection ok" in added.output
    rule = runner.invoke(
        cli, ["mail", "rule", "add", "cli", "bills", "--from", "billing@", "--after", "seen", "--tag", "bill"]
    )
    assert rule.exit_code == 0, rule.output
    bad = runner.invoke(cli, ["mail", "rule", "add", "cli", "move", "--after", "move"])
    assert bad.exit_code == 1 and "needs a folder" in bad.output
    assert runner.invoke(cli, ["mail", "test", "1"]).exit_code == 0
    fetched = runner.invoke(cli, ["mail", "fetch-now", "cli"])
    assert fetched.exit_code == 0, fetched.output
    assert "1 ingested (1 new documents" in fetched.output
    listing = runner.invoke(cli, ["mail", "list"], env={"COLUMNS": "300"})
    assert listing.exit_code == 0 and "bills" in listing.output and "ok" in listing.output, listing.output
    assert mail_user.password not in listing.output
    missing = runner.invoke(cli, ["mail", "test", "nope"])
    assert missing.exit_code == 1 and "no mail account nope" in missing.output
    wrong_port = runner.invoke(
        cli,
        ["mail", "add", "closed", "--host", "127.0.0.1", "--port", "1", "--user", "x", "--password", "y"],
    )
    assert wrong_port.exit_code == 0 and "mail_refused" in wrong_port.output
    assert runner.invoke(cli, ["mail", "test", "closed"]).exit_code == 1
    removed = runner.invoke(cli, ["mail", "remove", "closed"])
    assert removed.exit_code == 0 and "removed" in removed.output
    assert [d["original_name"] for d in documents(database)] == ["cli.pdf"]
