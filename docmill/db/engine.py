"""One place that decides which database docmill talks to, and hands out engines and connections.

With DOCMILL_DATABASE_URL unset, the embedded PostgreSQL in <data dir>/pg is started (or joined) and
this process becomes one of its owners until it exits.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from docmill.config import Settings, get_settings
from docmill.db.embedded import EmbeddedPostgres
from docmill.db.urls import is_postgres_url, redact, to_libpq, to_sqlalchemy
from docmill.errors import ConfigError, DatabaseError
from docmill.privacy import harden_umask, private_dir

log = logging.getLogger(__name__)


class Database:
    """A database URL plus lazily created SQLAlchemy engine and session factory."""

    def __init__(self, url: str, embedded: EmbeddedPostgres | None = None, *, application_name: str = "docmill"):
        self.url = to_libpq(url)
        self.embedded = embedded
        self.application_name = application_name
        self._engine: sa.Engine | None = None
        self._sessionmaker: sessionmaker[Session] | None = None
        self._lock = threading.Lock()

    @property
    def engine(self) -> sa.Engine:
        with self._lock:
            if self._engine is None:
                self._engine = sa.create_engine(
                    to_sqlalchemy(self.url),
                    pool_size=10,
                    max_overflow=20,
                    pool_pre_ping=True,
                    connect_args={"application_name": self.application_name},
                )
                self._sessionmaker = sessionmaker(self._engine, expire_on_commit=False)
            return self._engine

    def session(self) -> Session:
        _ = self.engine
        assert self._sessionmaker is not None
        return self._sessionmaker()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits on success and rolls back on error."""
        with self.session() as session, session.begin():
            yield session

    def connect(self, *, autocommit: bool = False, **kwargs: Any) -> psycopg.Connection[Any]:
        """A raw psycopg connection (the queue's hot path uses these)."""
        try:
            return psycopg.connect(self.url, autocommit=autocommit, application_name=self.application_name, **kwargs)
        except psycopg.OperationalError as exc:
            raise DatabaseError(
                f"cannot connect to PostgreSQL at {redact(self.url)}: {str(exc).strip()}",
                "check that the server is running and DOCMILL_DATABASE_URL is right "
                "(unset it to use the embedded server)",
            ) from exc

    def dispose(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None
                self._sessionmaker = None


def embedded_server(settings: Settings) -> EmbeddedPostgres:
    settings.validate_data_dir()
    private_dir(settings.data_dir)
    return EmbeddedPostgres(settings.pg_dir)


def open_database(settings: Settings | None = None, *, application_name: str = "docmill") -> Database:
    """The configured database; starts (or joins) the embedded server when no URL is set."""
    settings = settings or get_settings()
    harden_umask()  # whatever this process writes is docmill's alone
    if settings.database_url:
        if not is_postgres_url(settings.database_url):
            raise ConfigError(
                f"DOCMILL_DATABASE_URL={redact(settings.database_url)} is not a PostgreSQL URL",
                "use postgresql://user:password@host:5432/dbname",
            )
        return Database(settings.database_url, application_name=application_name)
    server = embedded_server(settings)
    url = server.start()
    log.info("embedded PostgreSQL ready at %s", redact(url))
    return Database(url, embedded=server, application_name=application_name)


_current: Database | None = None
_current_lock = threading.Lock()


def get_database() -> Database:
    """The process-wide database (opened on first use)."""
    global _current
    with _current_lock:
        if _current is None:
            _current = open_database()
        return _current


def set_database(db: Database | None) -> None:
    """Install a database as the process-wide one (tests, the supervisor)."""
    global _current
    with _current_lock:
        _current = db
