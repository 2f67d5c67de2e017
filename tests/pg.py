"""Test databases: one PostgreSQL per test session, a migrated template, a fresh copy per test.

By default the embedded server (unix socket) runs in a temporary folder outside /root. With
DOCMILL_TEST_DATABASE_URL set (a superuser URL to any PostgreSQL with pgvector), the same tests run
against that server instead — tests/db/test_external_url.py does this with the embedded binaries on
a TCP port.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

from docmill.db.embedded import EmbeddedPostgres
from docmill.db.migrate import upgrade
from docmill.db.urls import to_libpq

TEMPLATE = "docmill_test_template"
FAST_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


def with_database(url: str, name: str) -> str:
    parts = urlsplit(to_libpq(url))
    return urlunsplit(parts._replace(path=f"/{name}"))


class TestServer:
    def __init__(self) -> None:
        self.external_url = os.environ.get("DOCMILL_TEST_DATABASE_URL")
        self.embedded: EmbeddedPostgres | None = None
        self.admin_url = ""

    def start(self) -> None:
        if self.external_url:
            self.admin_url = with_database(self.external_url, "postgres")
        else:
            base = Path(tempfile.mkdtemp(prefix="docmill-test-pg-", dir="/tmp"))
            self.embedded = EmbeddedPostgres(base / "pg", settings=FAST_SETTINGS)
            self.embedded.start()
            self.admin_url = self.embedded.url("postgres")

    def stop(self) -> None:
        if self.embedded is not None:
            self.embedded.destroy()

    def admin(self) -> psycopg.Connection:
        return psycopg.connect(self.admin_url, autocommit=True)

    def create_template(self) -> None:
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{TEMPLATE}"')
        upgrade(with_database(self.admin_url, TEMPLATE))

    def create_database(self, *, from_template: bool = True) -> str:
        name = f"docmill_test_{uuid.uuid4().hex[:12]}"
        with self.admin() as conn:
            if from_template:
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
            else:
                conn.execute(f'CREATE DATABASE "{name}"')
        return with_database(self.admin_url, name)

    def drop_database(self, url: str) -> None:
        name = urlsplit(url).path.lstrip("/")
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
