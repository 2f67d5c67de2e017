"""Fixtures of the notes, saved views and bulk edit tests: the permission tests' people and app."""

from __future__ import annotations

import sqlalchemy as sa

from docmill.db.engine import Database
from tests.permissions.conftest import app, client, people  # noqa: F401  (fixtures)
from tests.search.conftest import indexed_corpus  # noqa: F401  (fixture)


def insert_documents(database: Database, owner_id: int, count: int, *, prefix: str = "bulk") -> list[int]:
    """`count` small text documents owned by `owner_id`, in one statement."""
    with database.transaction() as session:
        rows = session.execute(
            sa.text(
                "INSERT INTO documents (sha256, original_name, title, media_type, kind, size_bytes, source, owner_id) "
                "SELECT md5(:prefix || g::text || clock_timestamp()::text) || md5(g::text), "
                ":prefix || '-' || g || '.txt', :prefix || ' ' || g, 'text/plain', 'text', 10, 'upload', :owner "
                "FROM generate_series(1, :n) g RETURNING id"
            ),
            {"prefix": prefix, "owner": owner_id, "n": count},
        ).all()
    return sorted(r[0] for r in rows)
