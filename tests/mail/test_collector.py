"""The collector process reading mail: kill -9 in the middle of a fetch loses and duplicates nothing;
IMAP IDLE brings new mail in without waiting for the poll interval."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

from docmill.collector.runner import run_collector
from docmill.config import Settings
from docmill.db.engine import Database
from tests.helpers import wait_for
from tests.mail import samples
from tests.mail.conftest import AddAccount, loopback_only
from tests.mail.imap_server import DovecotServer, MailUser
from tests.mail.test_poll import fill, folder_uids

REPO = Path(__file__).resolve().parents[2]
BILLS = 60


def scalar(database: Database, sql: str) -> int:
    with database.connect() as conn:
        return int(conn.execute(sql).fetchone()[0])


def start_collector(database: Database, settings: Settings, log: IO[bytes]) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DOCMILL_DATABASE_URL": database.url,
        "DOCMILL_DATA_DIR": str(settings.data_dir),
        "DOCMILL_COLLECTOR_ALLOW_PRIVATE": "true",
        "DOCMILL_LOG_LEVEL": "INFO",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "docmill.cli.main", "collector"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )


def kill_hard(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def test_kill_9_mid_fetch_loses_and_duplicates_nothing(
    database: Database,
    settings: Settings,
    imap_server: DovecotServer,
    mail_user: MailUser,
    add_account: AddAccount,
    tmp_path: Path,
) -> None:
    bills = [
        samples.message(
            subject=f"Bill {i}", attachments=[(f"bill-{i:02}.pdf", samples.text_pdf(f"Bill {i}"), "application/pdf")]
        )
        for i in range(BILLS)
    ]
    fill(imap_server, mail_user, b"From: x@y\r\nSubject: seed\r\n\r\nseed", folder="Archive")
    fill(imap_server, mail_user, *bills)
    add_account(rules=[{"name": "bills", "from_contains": "billing@", "after_action": "move", "move_to": "Archive"}])
    ingested = "SELECT count(*) FROM mail_messages WHERE status = 'ingested'"
    with (tmp_path / "collector.log").open("wb") as log:
        for stop_at in (5, 25):  # two hard kills, each in the middle of the fetch
            proc = start_collector(database, settings, log)
            try:
                wait_for(lambda n=stop_at: scalar(database, ingested) >= n, 90, 0.02, "the collector read nothing")
            finally:
                kill_hard(proc)
            assert scalar(database, ingested) < BILLS, "the fetch ended before the kill; the test proves nothing"
        proc = start_collector(database, settings, log)
        try:
            wait_for(lambda: scalar(database, ingested) == BILLS, 120, 0.1, "not every bill was ingested")
            wait_for(
                lambda: scalar(database, "SELECT count(*) FROM mail_messages WHERE NOT action_done") == 0,
                30,
                message="after-actions left undone",
            )
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=60) == 0
    assert scalar(database, "SELECT count(*) FROM mail_messages") == BILLS
    assert scalar(database, "SELECT count(*) FROM documents") == BILLS
    assert scalar(database, "SELECT count(DISTINCT original_name) FROM documents") == BILLS
    assert scalar(database, "SELECT count(*) FROM mail_message_documents") == BILLS
    assert (
        scalar(
            database, "SELECT max(n) FROM (SELECT count(*) AS n FROM processing_queue GROUP BY document_id, stage) q"
        )
        == 1
    )
    assert folder_uids(imap_server, mail_user, "INBOX") == {}
    assert len(folder_uids(imap_server, mail_user, "Archive")) == BILLS + 1  # moved once each, never copied twice


def test_idle_brings_new_mail_without_waiting_for_the_interval(
    database: Database, settings: Settings, imap_server: DovecotServer, mail_user: MailUser, add_account: AddAccount
) -> None:
    account = add_account(interval_s=3600, rules=[{"name": "all", "ingest": "message"}])
    stop = threading.Event()
    thread = threading.Thread(
        target=run_collector,
        args=(settings, stop),
        kwargs={"database": database, "check_schema": False, "resolver": loopback_only, "idle_s": 0.5},
        daemon=True,
    )
    thread.start()
    try:
        wait_for(  # the first poll (due at once) learns that the server has IDLE
            lambda: (
                scalar(
                    database,
                    f"SELECT count(*) FROM mail_accounts WHERE id = {account} AND "
                    "'IDLE' = ANY(capabilities) AND last_fetch_at IS NOT NULL",
                )
                == 1
            ),
            30,
            message="the first poll did not happen",
        )
        micros = f"(extract(epoch FROM last_fetch_at) * 1000000)::bigint AS us FROM mail_accounts WHERE id = {account}"
        first = scalar(database, f"SELECT {micros}")
        polls = f"SELECT count(*) FROM (SELECT {micros}) t WHERE us > {first}"
        wait_for(  # the watcher connected, caught up once, and is idling now
            lambda: scalar(database, polls) == 1, 30, message="the IDLE watcher did not start"
        )
        time.sleep(1)
        fill(imap_server, mail_user, samples.message(subject="pushed"))
        wait_for(
            lambda: scalar(database, "SELECT count(*) FROM mail_messages WHERE status = 'ingested'") == 1,
            30,
            message="IDLE did not bring the new message in",
        )
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
