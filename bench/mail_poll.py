"""Mail ingestion throughput: docmill's poller against a plain imapclient loop, on the same real Dovecot.

Both read the same N messages (each with one small PDF attachment) from a fresh mailbox over TLS on loopback:

- library: imapclient fetches each message (BODY.PEEK[]) in batches, parses it with the standard library,
  and writes each attachment to a file — the least any mail-to-files tool does;
- docmill: `poll_account` with an "attachments only" rule — headers first, Message-ID lookup, the download,
  the message record, the ingest service (hash, detect, store, document row, queue rows), the links.

Each pass uses its own mailbox and database, so nothing is deduplicated across passes. The median of the
per-pass ratios is reported (robust to other load on the machine).

    .venv/bin/python bench/mail_poll.py [--messages 200] [--passes 3]
"""

from __future__ import annotations

import argparse
import email
import email.policy
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _pg import BenchServer, progress

from docmill.collector.mail import poll, service
from docmill.collector.mail.types import Security
from docmill.config import Settings
from docmill.db.engine import Database
from tests.mail.conftest import loopback_only
from tests.mail.imap_server import DovecotServer, MailUser
from tests.mail.samples import message, text_pdf

GOAL = 0.5  # docmill does far more per message (a database row per message and document, queue rows)


def fill(server: DovecotServer, user: MailUser, count: int) -> None:
    client = server.client(user)
    try:
        for i in range(count):
            pdf = text_pdf(f"Bill {i} for {user.username}")
            client.append(
                "INBOX", message(subject=f"Bill {i}", attachments=[(f"bill-{i}.pdf", pdf, "application/pdf")])
            )
    finally:
        client.logout()


def library_pass(server: DovecotServer, user: MailUser, out: Path) -> tuple[float, int]:
    start = time.perf_counter()
    saved = 0
    client = server.client(user)
    try:
        client.select_folder("INBOX", readonly=True)
        uids = client.search("ALL")
        for begin in range(0, len(uids), 50):
            for uid, data in client.fetch(uids[begin : begin + 50], [b"BODY.PEEK[]"]).items():
                parsed = email.message_from_bytes(data[b"BODY[]"], policy=email.policy.default)
                for part in parsed.iter_attachments():  # type: ignore[attr-defined]
                    (out / f"{uid}-{part.get_filename()}").write_bytes(part.get_payload(decode=True))
                    saved += 1
    finally:
        client.logout()
    return time.perf_counter() - start, saved


def docmill_pass(server: DovecotServer, user: MailUser, database: Database, settings: Settings) -> tuple[float, int]:
    with database.transaction() as session:
        account = service.add_account(
            session,
            settings,
            service.AccountInput(
                name=user.username,
                host="127.0.0.1",
                port=server.tls_port,
                security=Security.TLS,
                username=user.username,
                password=user.password,
                ca_cert=server.ca_pem,
            ),
        )
        service.add_rule(session, account.id, service.RuleInput(name="bills", from_contains="billing@"))
        account_id = account.id
    start = time.perf_counter()
    outcome = poll.poll_account(database, settings, account_id, resolver=loopback_only)
    elapsed = time.perf_counter() - start
    assert outcome.error is None and outcome.failed == 0, outcome
    return elapsed, outcome.documents_added


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--passes", type=int, default=3)
    args = parser.parse_args()
    imap = DovecotServer()
    imap.start()
    library_times: list[float] = []
    docmill_times: list[float] = []
    try:
        with BenchServer() as pg, tempfile.TemporaryDirectory(prefix="docmill-bench-mail-") as tmp:
            for i in range(args.passes):
                lib_user, dm_user = imap.add_user(), imap.add_user()
                fill(imap, lib_user, args.messages)
                fill(imap, dm_user, args.messages)
                out = Path(tmp) / f"lib{i}"
                out.mkdir()
                lib_s, saved = library_pass(imap, lib_user, out)
                data_dir = Path(tmp) / f"data{i}"
                data_dir.mkdir()
                url = pg.create_database(f"bench_mail_{i}", migrate=True)
                settings = Settings(database_url=url, data_dir=data_dir, collector_allow_private=True)
                database = Database(url, application_name="bench-mail")
                try:
                    dm_s, added = docmill_pass(imap, dm_user, database, settings)
                finally:
                    database.dispose()
                assert saved == added == args.messages, (saved, added)
                library_times.append(lib_s)
                docmill_times.append(dm_s)
                progress(f"pass {i + 1}: imapclient {lib_s:.2f} s, docmill {dm_s:.2f} s for {args.messages} messages")
    finally:
        imap.stop()
    ratios = [lib / dm for lib, dm in zip(library_times, docmill_times, strict=True)]
    docmill_s, library_s = statistics.median(docmill_times), statistics.median(library_times)
    print(
        json.dumps(
            {
                "messages": args.messages,
                "passes": args.passes,
                "docmill_messages_per_s": round(args.messages / docmill_s, 1),
                "imapclient_messages_per_s": round(args.messages / library_s, 1),
                "docmill_ms_per_message": round(1000 * docmill_s / args.messages, 2),
                "pass_ratios": [round(r, 3) for r in ratios],
                "ratio_vs_imapclient": round(statistics.median(ratios), 3),
                "goal_ratio": GOAL,
            }
        )
    )


if __name__ == "__main__":
    main()
