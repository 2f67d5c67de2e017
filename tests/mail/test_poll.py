"""The poller against a real Dovecot: what each kind of message becomes, each filter and after-action,
deduplication across folders and polls, failures retried, oversized messages and attachments refused."""

from __future__ import annotations

from typing import Any

import pytest

from docmill.collector.mail import poll, service
from docmill.collector.mail.types import InvalidMailSettings, PollStatus
from docmill.config import Settings, get_settings, reset_settings_cache
from docmill.db.engine import Database
from tests.helpers import run_worker_until_idle
from tests.mail import samples
from tests.mail.conftest import AddAccount, loopback_only
from tests.mail.imap_server import DovecotServer, MailUser

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def run_poll(database: Database, settings: Settings, account_id: int) -> poll.PollOutcome:
    return poll.poll_account(database, settings, account_id, resolver=loopback_only)


def documents(database: Database) -> list[dict[str, Any]]:
    with database.connect() as conn:
        cur = conn.execute(
            "SELECT id, original_name, kind, media_type, source, tags, category_id, metadata FROM documents ORDER BY id"
        )
        names = [c.name for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def messages(database: Database) -> list[dict[str, Any]]:
    with database.connect() as conn:
        cur = conn.execute("SELECT * FROM mail_messages ORDER BY id")
        names = [c.name for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def fill(server: DovecotServer, user: MailUser, *raw: bytes, folder: str = "INBOX", flags: tuple = ()) -> None:
    client = server.client(user)
    try:
        if folder != "INBOX" and not client.folder_exists(folder):
            client.create_folder(folder)
        for item in raw:
            client.append(folder, item, flags=flags)
    finally:
        client.logout()


def folder_uids(server: DovecotServer, user: MailUser, folder: str) -> dict[int, tuple[bytes, ...]]:
    client = server.client(user)
    try:
        if not client.folder_exists(folder):
            return {}
        client.select_folder(folder, readonly=True)
        uids = client.search("ALL")
        return {uid: data[b"FLAGS"] for uid, data in client.fetch(uids, ["FLAGS"]).items()} if uids else {}
    finally:
        client.logout()


def test_bill_attachments_only_moved_to_archive_once(
    database: Database, settings: Settings, imap_server: DovecotServer, mail_user: MailUser, add_account: AddAccount
) -> None:
    """The issue's done-when: "from billing@ → attachments only, move to Archive"; the bills come in once."""
    client = imap_server.client(mail_user)
    client.create_folder("Archive")
    client.logout()
    bill = samples.message(attachments=[("invoice-42.pdf", samples.text_pdf("Invoice 42 total 100 EUR"), PDF)])
    other = samples.message(sender="Friend <friend@example.net>", subject="Lunch?", attachments=[])
    fill(imap_server, mail_user, bill, other)
    account = add_account(
        rules=[
            {
                "name": "bills",
                "from_contains": "billing@",
                "ingest": "attachments",
                "after_action": "move",
                "move_to": "Archive",
                "tags": ["bill"],
                "category": "Finance/Bills",
            }
        ]
    )
    outcome = run_poll(database, settings, account)
    assert outcome.status == PollStatus.OK, outcome
    assert (outcome.matched, outcome.ingested, outcome.documents_added) == (1, 1, 1)
    docs = documents(database)
    assert [d["original_name"] for d in docs] == ["invoice-42.pdf"]
    assert docs[0]["kind"] == "pdf" and docs[0]["source"] == "mail" and docs[0]["tags"] == ["bill"]
    assert docs[0]["category_id"] is not None
    assert docs[0]["metadata"]["mail"]["subject"] == "Your invoice"
    assert len(folder_uids(imap_server, mail_user, "Archive")) == 1
    assert len(folder_uids(imap_server, mail_user, "INBOX")) == 1  # the lunch mail stays
    again = run_poll(database, settings, account)
    assert (again.examined, again.ingested, again.documents_added) == (0, 0, 0)
    assert len(documents(database)) == 1


def links(database: Database) -> list[tuple[int, int, str, str]]:
    with database.connect() as conn:
        return conn.execute(
            "SELECT message_id, document_id, role, name FROM mail_message_documents ORDER BY message_id, document_id"
        ).fetchall()


def test_every_kind_of_message_becomes_documents(
    database: Database, settings: Settings, imap_server: DovecotServer, mail_user: MailUser, add_account: AddAccount
) -> None:
    """ "both": each message as an .eml document and its attachments as documents linked to it."""
    zipped = samples.zip_of({"receipt.txt": b"Receipt for order 7", "notes/readme.md": b"# Notes\n\nhello"})
    fill(
        imap_server,
        mail_user,
        samples.message(subject="Plain hello", body="Just text, no files."),
        samples.message(
            subject="Newsletter",
            html='<p>Hello <b>reader</b><img src="cid:logo1"></p><script>alert(1)</script>',
            inline_images=[("logo1", samples.tiny_png())],
        ),
        samples.korean_subject_message("서울 청구서 EUC", "euc-kr"),
        samples.korean_subject_message("부산 청구서 UTF", "utf-8"),
        samples.message(
            subject="Four files",
            attachments=[
                ("report.pdf", samples.text_pdf("Quarterly report"), PDF),
                ("letter.docx", samples.docx("Dear customer"), DOCX),
                ("bundle.zip", zipped, "application/zip"),
                ("scan.png", samples.scan_png("SCANNED RECEIPT 2026"), "image/png"),
            ],
        ),
        samples.malformed_message(),
    )
    account = add_account(rules=[{"name": "all", "ingest": "both"}])
    outcome = run_poll(database, settings, account)
    assert outcome.matched == 6 and outcome.ingested == 6 and outcome.failed == 0, outcome
    rows = messages(database)
    subjects = {r["subject"] for r in rows}
    assert {"Plain hello", "Newsletter", "서울 청구서 EUC", "부산 청구서 UTF", "Four files"} <= subjects
    assert all(r["status"] == "ingested" for r in rows)
    by_name = {d["original_name"]: d for d in documents(database)}
    assert by_name["report.pdf"]["kind"] == "pdf"
    assert by_name["letter.docx"]["kind"] == "document"
    assert by_name["bundle.zip"]["kind"] == "archive"
    assert by_name["scan.png"]["kind"] == "image"
    assert by_name["서울 청구서 EUC.eml"]["kind"] == "email"
    assert by_name["Newsletter.eml"]["kind"] == "email"
    assert not any(name.endswith(".png") and name != "scan.png" for name in by_name)  # inline image stays inside
    four = next(r for r in rows if r["subject"] == "Four files")
    roles = sorted(role for message_id, _, role, _ in links(database) if message_id == four["id"])
    assert roles == ["attachment"] * 4 + ["message"]
    eml_id = by_name["Four files.eml"]["id"]
    assert by_name["report.pdf"]["metadata"]["mail"]["message_document_id"] == eml_id
    broken = next(r for r in rows if r["sender"] and "broken@" in r["sender"])
    assert any("broken.pdf" in w or "malformed" in w for w in broken["warnings"]), broken["warnings"]
    assert outcome.documents_added == len(by_name)


def test_html_mail_is_sanitized_and_korean_subjects_are_searchable(
    database: Database, settings: Settings, imap_server: DovecotServer, mail_user: MailUser, add_account: AddAccount
) -> None:
    """The .eml documents go through the same stages as uploads: Markdown without the script, Korean intact."""
    fill(
        imap_server,
        mail_user,
        samples.message(
            subject="Promo", body=None, html="<p>Big <b>sale</b></p><script>steal()</script><img src=x onerror=y>"
        ),
        samples.korean_subject_message("서울 청구서", "euc-kr"),
    )
    account = add_account(rules=[{"name": "all", "ingest": "message"}])
    assert run_poll(database, settings, account).ingested == 2
    run_worker_until_idle(database, settings, ["extract", "markdown"], timeout=180)
    with database.connect() as conn:
        rows = dict(conn.execute("SELECT original_name, markdown FROM documents").fetchall())
    assert "sale" in rows["Promo.eml"] and "steal()" not in rows["Promo.eml"] and "onerror" not in rows["Promo.eml"]
    assert "서울 청구서" in rows["서울 청구서.eml"] and "청구서를 첨부합니다" in rows["서울 청구서.eml"]


FILTER_CASES = {
    "from": ({"from_contains": "BILLING@"}, {"sender": "Billing <billing@example.com>"}, {"sender": "x@y.z"}),
    "to": ({"to_contains": "invoices@"}, {"to": "invoices@example.org"}, {"to": "me@example.org"}),
    "subject": ({"subject_contains": "Rechnung"}, {"subject": "Ihre RECHNUNG 7"}, {"subject": "Hello"}),
    "body": ({"body_contains": "amount due"}, {"body": "The Amount Due is 5"}, {"body": "nothing"}),
    "has attachment": (
        {"has_attachment": True},
        {"attachments": [("a.txt", b"file a", "text/plain")]},
        {"attachments": []},
    ),
    "no attachment": (
        {"has_attachment": False},
        {"attachments": []},
        {"attachments": [("b.txt", b"file b", "text/plain")]},
    ),
    "attachment glob": (
        {"attachment_glob": "invoice*.pdf, *.xml"},
        {"attachments": [("Invoice-7.PDF", samples.text_pdf("seven"), PDF)]},
        {"attachments": [("photo.pdf", samples.text_pdf("photo"), PDF)]},
    ),
    "maximum age": ({"max_age_days": 30}, {}, {"date": "Mon, 01 Jan 2001 10:00:00 +0000"}),
}


@pytest.mark.parametrize("case", list(FILTER_CASES))
def test_each_filter_takes_only_what_matches(
    case: str,
    database: Database,
    settings: Settings,
    imap_server: DovecotServer,
    mail_user: MailUser,
    add_account: AddAccount,
) -> None:
    rule, matching, other = FILTER_CASES[case]
    fill(
        imap_server,
        mail_user,
        samples.message(**{"subject": "wanted", **matching}),
        samples.message(**{"subject": "unwanted", **other}),
    )
    account = add_account(rules=[{"name": case, "ingest": "message", **rule}])
    outcome = run_poll(database, settings, account)
    assert outcome.status == PollStatus.OK, outcome
    assert [r["subject"] for r in messages(database)] == [matching.get("subject", "wanted")]


@pytest.mark.parametrize("action", ["none", "seen", "flag", "move", "delete"])
def test_each_after_action(
    action: str,
    database: Database,
    settings: Settings,
    imap_server: DovecotServer,
    mail_user: MailUser,
    add_account: AddAccount,
) -> None:
    fill(
        imap_server, mail_user, samples.message(subject="act on me"), samples.message(subject="leave me", sender="a@b")
    )
    rule = {"name": action, "ingest": "message", "from_contains": "billing@", "after_action": action}
    if action == "move":
        fill(imap_server, mail_user, samples.message(subject="already archived", sender="z@z"), folder="Done")
        rule["move_to"] = "Done"
    account = add_account(rules=[rule], allow_delete=action == "delete")
    outcome = run_poll(database, settings, account)
    assert outcome.status == PollStatus.OK and outcome.ingested == 1, outcome
    inbox = folder_uids(imap_server, mail_user, "INBOX")
    flags = sorted(inbox.values(), key=len)
    assert messages(database)[0]["action_done"] is True
    if action in ("none", "seen", "flag"):
        assert len(inbox) == 2
        acted = [f for f in inbox.values() if f]
        expected = {"none": [], "seen": [(b"\\Seen",)], "flag": [(b"\\Flagged",)]}[action]
        assert acted == expected, flags
    else:
        assert len(inbox) == 1  # the other message stays
    if action == "move":
        assert len(folder_uids(imap_server, mail_user, "Done")) == 2
    # a second poll neither ingests nor acts again
    again = run_poll(database, settings, account)
    assert again.ingested == 0 and len(messages(database)) == 1


def test_delete_needs_the_account_to_allow_it(database: Database, settings: Settings, add_account: AddAccount) -> None:
    with pytest.raises(InvalidMailSettings, match=r"deleting messages .* turned off"):
        add_account(rules=[{"name": "rm", "after_action": "delete"}])


def test_a_message_moved_between_folders_is_ingested_once(
    database: Database, settings: Settings, imap_server: DovecotServer, mail_user: MailUser, add_account: AddAccount
) -> None:
    bill = samples.message(attachments=[("bill.pdf", samples.text_pdf("Bill 9"), PDF)])
    fill(imap_server, mail_user, bill, bill)  # delivered twice, too
    fill(imap_server, mail_user, samples.message(subject="filed", sender="x@x"), folder="Bills")
    account = add_account(rules=[{"name": "two folders", "folders": ["INBOX", "Bills"], "from_contains": "billing"}])
    first = run_poll(database, settings, account)
    assert (first.ingested, first.already, first.documents_added) == (1, 1, 1), first
    client = imap_server.client(mail_user)
    client.select_folder("INBOX")
    client.move(client.search("ALL"), "Bills")
    client.logout()
    second = run_poll(database, settings, account)
    assert (second.ingested, second.documents_added) == (0, 0) and second.already == 2, second
    assert len(messages(database)) == 1 and len(documents(database)) == 1


def test_messages_without_message_id_are_recognised_by_content(
    database: Database, settings: Settings, imap_server: DovecotServer, mail_user: MailUser, add_account: AddAccount
) -> None:
    anonymous = samples.message(subject="no id", message_id=None, attachments=[("n.txt", b"no id file", "text/plain")])
    fill(imap_server, mail_user, anonymous)
    account = add_account(rules=[{"name": "all"}])
    assert run_poll(database, settings, account).ingested == 1
    with database.transaction() as session:  # a rule change reads every message again
        service.add_rule(session, account, service.RuleInput(name="second", subject_contains="zzz"))
    again = run_poll(database, settings, account)
    assert again.examined == 1 and again.already == 1 and again.ingested == 0, again
    row = messages(database)[0]
    assert row["message_key"].startswith("sha256:") and len(messages(database)) == 1


def test_a_new_rule_reads_older_messages_again(
    database: Database, settings: Settings, imap_server: DovecotServer, mail_user: MailUser, add_account: AddAccount
) -> None:
    fill(imap_server, mail_user, samples.message(subject="tax letter", sender="tax@gov.example"))
    account = add_account(rules=[{"name": "bills", "from_contains": "billing@", "ingest": "message"}])
    assert run_poll(database, settings, account).matched == 0
    with database.transaction() as session:
        service.add_rule(session, account, service.RuleInput(name="tax", from_contains="tax@", ingest="message"))
    assert run_poll(database, settings, account).ingested == 1


def test_a_failed_message_is_retried_not_skipped(
    database: Database, settings: Settings, imap_server: DovecotServer, mail_user: MailUser, add_account: AddAccount
) -> None:
    fill(imap_server, mail_user, samples.message(attachments=[("keep.pdf", samples.text_pdf("keep me"), PDF)]))
    account = add_account(rules=[{"name": "all", "after_action": "seen"}])
    files = settings.files_dir
    files.parent.mkdir(parents=True, exist_ok=True)
    files.write_text("not a folder")  # storing any file fails: a real ingest error
    first = run_poll(database, settings, account)
    assert first.failed == 1 and first.status == PollStatus.WARNING, first
    row = messages(database)[0]
    assert row["status"] == "failed" and "tried again" in row["error"]
    assert folder_uids(imap_server, mail_user, "INBOX") == {1: ()}  # not marked seen: not done yet
    files.unlink()
    second = run_poll(database, settings, account)
    assert second.ingested == 1 and second.documents_added == 1, second
    assert messages(database)[0]["status"] == "ingested" and messages(database)[0]["attempts"] == 2
    assert list(folder_uids(imap_server, mail_user, "INBOX").values()) == [(b"\\Seen",)]


def test_too_large_messages_and_attachments_are_refused_with_the_reason(
    database: Database,
    settings: Settings,
    imap_server: DovecotServer,
    mail_user: MailUser,
    add_account: AddAccount,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DOCMILL_MAX_UPLOAD_BYTES", str(200_000))
    monkeypatch.setenv("DOCMILL_MAIL_MAX_MESSAGE_BYTES", str(1_000_000))
    reset_settings_cache()
    settings = get_settings()
    big = bytes(range(256)) * 1200  # 300 kB: over the upload limit, inside the message limit
    huge = bytes(range(256)) * 5000  # 1.2 MB: the whole message is over the limit
    fill(
        imap_server,
        mail_user,
        samples.message(
            subject="one big",
            attachments=[("big.bin", big, "application/octet-stream"), ("small.pdf", samples.text_pdf("small"), PDF)],
        ),
        samples.message(subject="huge", attachments=[("huge.bin", huge, "application/octet-stream")]),
        samples.message(subject="fine", attachments=[("fine.pdf", samples.text_pdf("fine"), PDF)]),
    )
    account = add_account(rules=[{"name": "all"}])
    outcome = run_poll(database, settings, account)
    assert outcome.ingested == 2 and outcome.rejected == 1, outcome
    names = sorted(d["original_name"] for d in documents(database))
    assert names == ["fine.pdf", "small.pdf"]
    by_subject = {r["subject"]: r for r in messages(database)}
    assert (
        by_subject["huge"]["status"] == "rejected" and "DOCMILL_MAIL_MAX_MESSAGE_BYTES" in by_subject["huge"]["error"]
    )
    assert any("big.bin" in w and "DOCMILL_MAX_UPLOAD_BYTES" in w for w in by_subject["one big"]["warnings"])
    again = run_poll(database, settings, account)
    assert again.rejected == 0 and again.ingested == 0  # rejected once, not every poll
