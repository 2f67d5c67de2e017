"""Test connection, against the real Dovecot: TLS and STARTTLS with the custom CA, and one clear error each
for DNS, refused, TLS, wrong password, a missing folder and a private address the policy refuses.
Passwords are stored encrypted with the data dir's key and never in clear."""

from __future__ import annotations

import stat

import pytest

from docmill.collector.mail import crypto, poll, service
from docmill.collector.mail.types import MailConnectionError, PollStatus, Security
from docmill.config import Settings, get_settings, reset_settings_cache
from docmill.db.engine import Database
from tests.mail.conftest import AddAccount, loopback_only
from tests.mail.imap_server import DovecotServer, MailUser, free_port


def check(database: Database, settings: Settings, account_id: int) -> service.TestResult:
    return service.test_account(database, settings, account_id, resolver=loopback_only)


def test_tls_and_starttls_with_a_custom_ca(
    database: Database, settings: Settings, imap_server: DovecotServer, add_account: AddAccount
) -> None:
    tls = check(database, settings, add_account())
    assert tls.ok, tls
    assert "INBOX" in tls.folders and "IDLE" in tls.capabilities
    starttls = check(
        database,
        settings,
        add_account(name="starttls", security=Security.STARTTLS, port=imap_server.starttls_port),
    )
    assert starttls.ok, starttls


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        ({"password": "wrong password"}, "mail_auth", "refused the login"),
        ({"ca_cert": ""}, "mail_tls", "not trusted"),
        ("other_ca", "mail_tls", "not trusted"),
        ("tls_on_starttls_port", "mail_tls", "TLS handshake"),
        ("closed_port", "mail_refused", "refused the connection"),
        ({"host": "imap.no-such-host.invalid"}, "mail_dns", "cannot resolve"),
    ],
)
def test_each_failure_has_its_own_clear_error(
    change: object,
    code: str,
    words: str,
    database: Database,
    settings: Settings,
    imap_server: DovecotServer,
    add_account: AddAccount,
) -> None:
    fields: dict[str, object] = {}
    if change == "other_ca":
        fields = {"ca_cert": imap_server.other_ca_pem}
    elif change == "tls_on_starttls_port":
        fields = {"port": imap_server.starttls_port}
    elif change == "closed_port":
        fields = {"port": free_port()}
    elif isinstance(change, dict):
        fields = change
    account = add_account(**fields)
    result = check(database, settings, account)
    assert not result.ok and result.code == code, result
    assert words in (result.message or "") and result.hint
    outcome = poll.poll_account(database, settings, account, resolver=loopback_only)
    assert outcome.status == PollStatus.ERROR and outcome.error_code == code
    with database.session() as session:
        stored = service.find_account(session, account)
        assert stored.last_error_code == code and stored.error_count == 1 and words in (stored.last_error or "")


def test_a_missing_folder_is_named(
    database: Database, settings: Settings, imap_server: DovecotServer, add_account: AddAccount
) -> None:
    account = add_account(rules=[{"name": "bills", "folders": ["INBOX", "Bills/2026"]}])
    result = check(database, settings, account)
    assert not result.ok and result.code == "mail_folder_missing" and result.missing_folders == ["Bills/2026"]
    assert "'Bills/2026' does not exist" in (result.message or "") and "INBOX" in (result.hint or "")
    outcome = poll.poll_account(database, settings, account, resolver=loopback_only)
    assert outcome.error_code == "mail_folder_missing"


def test_private_addresses_are_refused_unless_allowed(
    database: Database,
    settings: Settings,
    imap_server: DovecotServer,
    add_account: AddAccount,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    account = add_account(host="localhost")
    monkeypatch.setenv("DOCMILL_COLLECTOR_ALLOW_PRIVATE", "false")
    reset_settings_cache()
    strict = get_settings()
    refused = check(database, strict, account)
    assert refused.code == "mail_blocked" and "127.0.0.1" in (refused.message or "")
    assert "DOCMILL_COLLECTOR_ALLOW_PRIVATE" in (refused.hint or "")
    monkeypatch.setenv("DOCMILL_COLLECTOR_ALLOW_NETWORKS", '["127.0.0.0/8"]')
    reset_settings_cache()
    assert check(database, get_settings(), account).ok  # localhost is in the server's certificate


def test_the_password_is_encrypted_at_rest_with_a_private_key_file(
    database: Database, settings: Settings, mail_user: MailUser, add_account: AddAccount
) -> None:
    account = add_account()
    with database.connect() as conn:
        (stored,) = conn.execute("SELECT password_encrypted FROM mail_accounts WHERE id = %s", (account,)).fetchone()
        dump = " ".join(str(r) for r in conn.execute("SELECT * FROM mail_accounts").fetchall())
    assert mail_user.password not in dump and stored.startswith("gAAAA")  # a Fernet token
    key = crypto.key_path(settings)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert crypto.decrypt_password(settings, stored, account="t") == mail_user.password
    key.write_bytes(crypto.Fernet.generate_key())  # the key replaced: a clear error, not a crash
    result = check(database, settings, account)
    assert not result.ok and result.code == "mail_secret" and "set the password again" in (result.hint or "")
    with pytest.raises(MailConnectionError, match="cannot be decrypted"):
        crypto.decrypt_password(settings, stored, account="t")
