"""Mail passwords at rest: Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) with a key file in the
data dir, `<data dir>/secrets/mail.key`, created on first use with mode 0600 (its folder 0700).

Every process that reads mail (api, collector) must see the same data dir. Losing the key file loses
the stored passwords, nothing else: set each account's password again.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from docmill.collector.mail.types import MailConnectionError, MailErrorKind
from docmill.config import Settings
from docmill.privacy import fernet_key

KEY_NAME = "mail.key"


def key_path(settings: Settings) -> Path:
    return settings.data_dir / "secrets" / KEY_NAME


def load_key(settings: Settings) -> Fernet:
    path = key_path(settings)
    try:
        return fernet_key(path)
    except (ValueError, OSError) as exc:
        raise MailConnectionError(
            MailErrorKind.SECRET,
            f"the mail key file {path} cannot be used ({exc})",
            "restore it from a backup, or delete it and set every mail account's password again",
        ) from None


def encrypt_password(settings: Settings, password: str) -> str:
    return load_key(settings).encrypt(password.encode("utf-8")).decode("ascii")


def decrypt_password(settings: Settings, token: str, *, account: str) -> str:
    try:
        return load_key(settings).decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError, UnicodeError):
        raise MailConnectionError(
            MailErrorKind.SECRET,
            f"the stored password of mail account {account!r} cannot be decrypted with {key_path(settings)}",
            "the key file was replaced or the data dir is not the one the password was saved with; "
            "set the password again (docmill mail add … --replace, or PATCH /api/mail/accounts/{id})",
        ) from None
