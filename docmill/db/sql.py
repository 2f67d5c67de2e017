"""The one way docmill writes raw SQL: named queries in `.sql` files, parameters bound, rows as records.

A `.sql` file holds blocks that start with `-- name: <name>`; comments inside a block are dropped. A package
that owns SQL keeps one file beside its modules and reads it through `Queries`:

    QUERIES = Queries(Path(__file__).with_name("queries.sql"))
    rows = QUERIES.all(conn, "queue_lag", {"stages": [...]}, row=LagRow)   # LagRow: a dataclass/NamedTuple
    one = QUERIES.one(conn, "pending_suggestions", row=Count)
    cur = QUERIES.run(conn, "heartbeat", {...})                             # rowcount, or no result

Parameters are psycopg's `%(name)s` placeholders, always bound. Identifiers or literals that cannot be bound
(a LISTEN channel, say) go through `psycopg.sql` (`sql.Identifier`, `sql.Literal`), never an f-string.
Rows are read into typed records by column name (psycopg's `class_row`), never by position.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from psycopg.rows import class_row

_NAME = re.compile(r"^--\s*name:\s*(\w+)\s*$", re.MULTILINE)

R = TypeVar("R")


@cache
def load_queries(path: Path) -> dict[str, str]:
    """The named queries of one `.sql` file (read once per process)."""
    parts = _NAME.split(path.read_text("utf-8"))
    queries: dict[str, str] = {}
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        lines = [line for line in body.strip().splitlines() if not line.lstrip().startswith("--")]
        queries[name] = "\n".join(lines).strip().rstrip(";")
    return queries


def as_psycopg(conn: Any) -> psycopg.Connection[Any]:
    """The psycopg connection behind a psycopg connection, SQLAlchemy Session or Connection."""
    if isinstance(conn, psycopg.Connection):
        return conn
    if hasattr(conn, "connection") and callable(getattr(conn, "connection", None)):  # Session
        conn = conn.connection()
    dbapi = getattr(getattr(conn, "connection", None), "driver_connection", None)
    if isinstance(dbapi, psycopg.Connection):
        return dbapi
    raise TypeError(f"expected a psycopg connection or a SQLAlchemy Session/Connection, got {type(conn)!r}")


class Queries:
    """The named queries of one `.sql` file, run on a psycopg connection or a SQLAlchemy Session/Connection
    (joining its transaction; nothing here commits)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __getitem__(self, name: str) -> str:
        queries = load_queries(self.path)
        if name not in queries:
            raise KeyError(f"no query named {name!r} in {self.path}")
        return queries[name]

    def run(self, conn: Any, name: str, params: Mapping[str, Any] | None = None) -> psycopg.Cursor[Any]:
        return as_psycopg(conn).execute(self[name], params)

    def all(self, conn: Any, name: str, params: Mapping[str, Any] | None = None, *, row: type[R]) -> list[R]:
        with as_psycopg(conn).cursor(row_factory=class_row(row)) as cur:
            return cur.execute(self[name], params).fetchall()

    def one(self, conn: Any, name: str, params: Mapping[str, Any] | None = None, *, row: type[R]) -> R | None:
        with as_psycopg(conn).cursor(row_factory=class_row(row)) as cur:
            return cur.execute(self[name], params).fetchone()

    def scalar(self, conn: Any, name: str, params: Mapping[str, Any] | None = None) -> Any:
        """The first column of the first row (None when there is no row)."""
        found = as_psycopg(conn).execute(self[name], params).fetchone()
        return None if found is None else found[0]
