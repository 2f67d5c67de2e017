"""A throwaway embedded PostgreSQL for the benchmarks: started in a temp folder under /tmp, destroyed after.

Default (durable) server settings unless told otherwise, so commit costs are the real ones. Each system
under test gets its own database on the same server; `create_database(..., migrate=True)` applies
docmill's migrations.
"""

from __future__ import annotations

import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit, urlunsplit

import psycopg

from docmill.db.embedded import EmbeddedPostgres
from docmill.db.migrate import upgrade
from docmill.db.urls import to_libpq


def with_database(url: str, name: str) -> str:
    parts = urlsplit(to_libpq(url))
    return urlunsplit(parts._replace(path=f"/{name}"))


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class BenchServer:
    def __init__(self, settings: dict[str, str] | None = None) -> None:
        self.settings = settings or {}
        self.embedded: EmbeddedPostgres | None = None
        self.base: Path | None = None
        self.admin_url = ""

    def start(self) -> BenchServer:
        self.base = Path(tempfile.mkdtemp(prefix="docmill-bench-pg-", dir="/tmp"))
        self.embedded = EmbeddedPostgres(self.base / "pg", settings=self.settings)
        self.embedded.start()
        self.admin_url = self.embedded.url("postgres")
        return self

    def stop(self) -> None:
        if self.embedded is not None:
            self.embedded.destroy()
            self.embedded = None
        if self.base is not None:
            shutil.rmtree(self.base, ignore_errors=True)
            self.base = None

    def __enter__(self) -> BenchServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def version(self) -> str:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            row = conn.execute("SHOW server_version").fetchone()
        return str(row[0]) if row else "?"

    def create_database(self, name: str, *, migrate: bool = False) -> str:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        url = with_database(self.admin_url, name)
        if migrate:
            logging.getLogger("alembic").setLevel(logging.WARNING)
            upgrade(url)
        return url
