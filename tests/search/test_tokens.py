"""Full-text tokens, queries and snippets, checked against PostgreSQL's own tsvector/tsquery matching."""

from __future__ import annotations

import psycopg
import pytest

from docmill.search.snippets import make_snippet
from docmill.search.tokens import highlight_terms, index_tokens, query_terms, tsquery_literal, tsvector_literal


def test_korean_runs_are_stored_with_their_bigrams() -> None:
    assert list(index_tokens("예산안을 검토")) == ["예산안을", "예산", "산안", "안을", "검토"]
    assert list(index_tokens("Budget 2025년")) == ["budget", "2025", "년"]


def test_queries() -> None:
    assert query_terms("the budget of 예산") == ["budget", "예산"]
    assert query_terms("the of") == ["the", "of"]  # only stopwords: keep them
    assert tsquery_literal("예산") == "'예산'"
    assert tsquery_literal("책") == "'책':*"
    assert tsquery_literal("예산안 budget") == "('예산안' | ('예산' <-> '산안')) & 'budget'"
    assert tsquery_literal("cats dogs", match_all=False) == "'cats' | 'dogs'"
    assert tsquery_literal("!!!") is None
    assert "예산" in highlight_terms("예산안을")


@pytest.mark.parametrize(
    ("text", "query", "matches"),
    [
        ("2025년 예산안을 검토했다", "예산", True),
        ("2025년 예산안을 검토했다", "예산안", True),
        ("2025년 예산안을 검토했다", "산안을", True),
        ("2025년 예산안을 검토했다", "예산을", True),  # particle stripped from the query
        ("2025년 예산안을 검토했다", "안예", False),
        ("O'Brien's invoice", "o'brien", True),
        ("Invoices and receipts", "invoices receipts", True),
        ("Invoices and receipts", "invoices taxes", False),
    ],
)
def test_matching_in_postgresql(db_url: str, text: str, query: str, matches: bool) -> None:
    tsv = tsvector_literal([("Title", "A"), (text, "D")])
    tsq = tsquery_literal(query)
    with psycopg.connect(db_url) as conn:
        row = conn.execute("SELECT %s::tsvector @@ %s::tsquery", (tsv, tsq)).fetchone()
    assert row is not None and row[0] is matches


def test_tsvector_keeps_weights_and_escapes_quotes(db_url: str) -> None:
    tsv = tsvector_literal([("It's a title", "A"), ("body text", "D")])
    with psycopg.connect(db_url) as conn:
        row = conn.execute("SELECT %s::tsvector::text", (tsv,)).fetchone()
    assert row is not None and "'title':4A" in row[0] and "'body':5" in row[0]


def test_snippet_window_and_escaping() -> None:
    text = "Intro. " + "filler words here. " * 30 + "The invoice total is < 5 & due. " + "more filler. " * 30
    snippet, marked = make_snippet(text, ["invoice"])
    assert marked == 1
    assert "<mark>invoice</mark>" in snippet and "&lt; 5 &amp; due" in snippet
    assert snippet.startswith("…") and snippet.endswith("…") and len(snippet) < 320
    plain, marked = make_snippet("no match here", ["zzz"])
    assert plain == "no match here" and marked == 0
