"""The api's named SQL queries (queries.sql beside this module)."""

from __future__ import annotations

from pathlib import Path

from docmill.pipeline.sql import load_queries

QUERIES = Path(__file__).with_name("queries.sql")


def query(name: str) -> str:
    return load_queries(QUERIES)[name]
