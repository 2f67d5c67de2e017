"""Fixtures of the mail tests: one Dovecot for the session, a fresh mailbox per test, settings that let the
collector reach loopback, and helpers to add accounts and fill mailboxes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from docmill.collector.mail import service
from docmill.collector.mail.types import Security
from docmill.config import Settings, get_settings, reset_settings_cache
from docmill.db.engine import Database
from tests.mail.imap_server import DovecotServer, MailUser


@pytest.fixture(scope="session")
def imap_server() -> Iterator[DovecotServer]:
    server = DovecotServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mail_user(imap_server: DovecotServer) -> MailUser:
    return imap_server.add_user()


@pytest.fixture
def settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """The shared settings, plus DOCMILL_COLLECTOR_ALLOW_PRIVATE=true (the IMAP server is on loopback)."""
    monkeypatch.setenv("DOCMILL_COLLECTOR_ALLOW_PRIVATE", "true")
    monkeypatch.setenv("DOCMILL_MAIL_TIMEOUT", "10")
    reset_settings_cache()
    yield get_settings()
    reset_settings_cache()


def loopback_only(host: str, port: int) -> list[str]:
    """A resolver that knows only loopback names, so no test ever asks a real DNS server."""
    if host in ("127.0.0.1", "localhost"):
        return ["127.0.0.1"]
    raise OSError(f"[Errno -2] Name or service not known: {host}")


AddAccount = Callable[..., int]


@pytest.fixture
def add_account(database: Database, settings: Settings, imap_server: DovecotServer, mail_user: MailUser) -> AddAccount:
    """Add an account for this test's mailbox (TLS, the test CA) with the given rules; returns its id."""

    def _add(*, rules: list[dict[str, Any]] | None = None, **fields: Any) -> int:
        data = {
            "name": f"test {mail_user.username}",
            "host": "127.0.0.1",
            "port": imap_server.tls_port,
            "security": Security.TLS,
            "username": mail_user.username,
            "password": mail_user.password,
            "ca_cert": imap_server.ca_pem,
            **fields,
        }
        with database.transaction() as session:
            account = service.add_account(session, settings, service.AccountInput(**data))
            for rule in rules if rules is not None else [{"name": "everything"}]:
                service.add_rule(session, account.id, service.RuleInput(**rule))
            return account.id

    return _add
