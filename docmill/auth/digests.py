"""Random secrets (session ids, API tokens, CSRF tokens) and the digests stored instead of them.

These are 256-bit random values, so a plain SHA-256 digest is enough to store them safely (a slow
password hash would only slow every request down).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets as _secrets

API_TOKEN_PREFIX = "dm_"


def new_secret() -> str:
    return _secrets.token_urlsafe(32)


def new_api_token() -> str:
    return API_TOKEN_PREFIX + _secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass"))
