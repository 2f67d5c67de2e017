"""Mail passwords at rest: Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) with a key file in the
data dir, `<data dir>/secrets/mail.key`, created on first use with mode 0600 (its folder 0700).

Every process that reads mail (api, collector) must see the same data dir. Losing the key file loses
the stored passwords, nothing else: set each account's password again.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from docmill.collector.mail.types import MailConnectionError, MailErrorKind
from docmill.config import Settings

KEY_NAME = "mail.key"


def key_path(settings: Settings) -> Path:
    return settings.data_dir / "secrets" / KEY_NAME


def _create_key(path: Path) -> None:
    """Write a new key at `path` unless one appears there first (another process won the race)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    fd, tmp = tempfile.mkstemp(prefix=".mail-key-", dir=path.parent)  # mkstemp creates it 0600
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(Fernet.generate_key())
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)  # atomic, and never replaces a key that exists
    finally:
        os.unlink(tmp)


def load_key(settings: Settings) -> Fernet:
    path = key_path(settings)
    if not path.exists():
        _create_key(path)
    try:
        return Fernet(path.read_bytes().strip())
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
