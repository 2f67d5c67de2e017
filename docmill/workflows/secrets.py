"""Webhook signing secrets: generated per rule, shown once, kept encrypted with Fernet (`cryptography`) and the
key file `<data dir>/secrets/workflows.key` (created on first use, 0600 in a 0700 folder). HMAC needs the
plain secret, so it is encrypted, not hashed. Losing the key file loses the secrets: rotate each rule's."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from docmill.config import Settings
from docmill.errors import Permanent

KEY_NAME = "workflows.key"


def key_path(settings: Settings) -> Path:
    return settings.data_dir / "secrets" / KEY_NAME


def _create_key(path: Path) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    fd, tmp = tempfile.mkstemp(prefix=".workflows-key-", dir=path.parent)  # 0600
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(Fernet.generate_key())
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)  # atomic; never replaces a key another process wrote first
    finally:
        os.unlink(tmp)


def _fernet(settings: Settings) -> Fernet:
    path = key_path(settings)
    if not path.exists():
        _create_key(path)
    try:
        return Fernet(path.read_bytes().strip())
    except (ValueError, OSError) as exc:
        raise Permanent(
            f"the workflows key file {path} cannot be used ({exc})",
            "restore it from a backup, or delete it and rotate every webhook rule's secret",
        ) from None


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def encrypt(settings: Settings, secret: str) -> str:
    return _fernet(settings).encrypt(secret.encode("utf-8")).decode("ascii")


def decrypt(settings: Settings, token: str, *, rule: str) -> str:
    try:
        return _fernet(settings).decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError, UnicodeError):
        raise Permanent(
            f"the webhook secret of rule {rule!r} cannot be decrypted with {key_path(settings)}",
            "the key file was replaced or the data dir differs; rotate the rule's secret "
            "(POST /api/workflows/{id}/secret)",
        ) from None
