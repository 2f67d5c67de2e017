"""FastAPI dependencies shared by every router: settings, database sessions, authentication."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request
from sqlalchemy.orm import Session

from docmill.config import Settings, get_settings
from docmill.db.engine import Database, get_database


def settings_dep() -> Settings:
    return get_settings()


def database_dep() -> Database:
    return get_database()


def session_dep() -> Iterator[Session]:
    """A session per request; routes commit what they change."""
    with get_database().session() as session:
        yield session


def require_auth(request: Request) -> None:
    """Every /api route depends on this (the app adds it to each /api router).

    Placeholder until authentication lands (issue 8): it lets every request through.
    """
    return None
