"""Database URL forms: libpq (psycopg) and SQLAlchemy (postgresql+psycopg)."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit, urlunsplit

_SCHEME = re.compile(r"^(postgres|postgresql)(\+[a-z0-9_]+)?://", re.IGNORECASE)


def to_libpq(url: str) -> str:
    """postgresql://… for psycopg and psql, whatever driver suffix the user wrote."""
    return _SCHEME.sub("postgresql://", url, count=1)


def to_sqlalchemy(url: str) -> str:
    """postgresql+psycopg://… for SQLAlchemy."""
    return _SCHEME.sub("postgresql+psycopg://", url, count=1)


def is_postgres_url(url: str) -> bool:
    return bool(_SCHEME.match(url))


def redact(url: str) -> str:
    """The URL with any password replaced, for logs and messages."""
    return re.sub(r"(://[^:/@?]+):[^@/?]*@", r"\1:***@", url)


def without_password(url: str) -> tuple[str, str | None]:
    """(the libpq URL without its password, the password) — give the password to a child process in
    PGPASSWORD, never on its command line, which every local user can read."""

    parts = urlsplit(to_libpq(url))
    if parts.password is None:
        return urlunsplit(parts), None
    user, _, host = parts.netloc.rpartition("@")
    return urlunsplit(parts._replace(netloc=f"{user.split(':', 1)[0]}@{host}")), unquote(parts.password)
