"""Webhook signing secrets: generated per rule, shown once, kept encrypted with Fernet (`cryptography`) and the
key file `<data dir>/secrets/workflows.key` (created on first use, 0600 in a 0700 folder). HMAC needs the
plain secret, so it is encrypted, not hashed. Losing the key file loses the secrets: rotate each rule's."""

from __future__ import annotations

import secrets
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from docmill.config import Settings
from docmill.errors import Permanent
from docmill.privacy import fernet_key

KEY_NAME = "workflows.key"


def key_path(settings: Settings) -> Path:
    return settings.data_dir / "secrets" / KEY_NAME


def _fernet(settings: Settings) -> Fernet:
    path = key_path(settings)
    try:
        return fernet_key(path)
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
