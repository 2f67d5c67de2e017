"""The pipeline's named SQL (queries.sql beside this module), read through the one loader in docmill.db.sql."""

from __future__ import annotations

from pathlib import Path

from docmill.db.sql import Queries

QUERIES = Queries(Path(__file__).with_name("queries.sql"))


def query(name: str) -> str:
    """The text of one named query (for benches and EXPLAIN)."""
    return QUERIES[name]
