"""`docmill ask` and `POST /api/ask` over the ask archive, and the permission filter on answers."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from docmill.api.app import create_app
from docmill.ask import ask
from docmill.ask.types import AskFilters
from docmill.cli.main import app
from docmill.config import reset_settings_cache
from docmill.db.engine import set_database
from docmill.permissions.access import Viewer
from tests.api.conftest import make_account
from tests.ask.conftest import AskCorpus

JSON_KEYS = {"question", "mode", "answer", "citations", "warnings"}
CITATION_KEYS = {"n", "document_id", "title", "original_name", "chunk_id", "quote"}


@pytest.fixture
def corpus_env(ask_corpus: AskCorpus, monkeypatch: pytest.MonkeyPatch) -> Iterator[AskCorpus]:
    monkeypatch.setenv("DOCMILL_DATABASE_URL", ask_corpus.database.url)
    monkeypatch.setenv("DOCMILL_DATA_DIR", str(ask_corpus.settings.data_dir))
    monkeypatch.delenv("DOCMILL_LLM_URL", raising=False)
    reset_settings_cache()
    set_database(ask_corpus.database)
    try:
        yield ask_corpus
    finally:
        set_database(None)
        reset_settings_cache()


def test_cli_json_prints_exactly_the_answer_object(corpus_env: AskCorpus) -> None:
    result = CliRunner().invoke(app, ["ask", "보일러 점검은 언제 받았지?", "--json"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    payload = json.loads(lines[-1])
    assert len(lines) == 1 and set(payload) == JSON_KEYS
    assert payload["mode"] == "extractive" and payload["question"] == "보일러 점검은 언제 받았지?"
    assert "10월 15일" in payload["answer"]
    first = payload["citations"][0]
    assert set(first) == CITATION_KEYS and first["n"] == 1
    assert first["document_id"] == corpus_env.ids["ko_boiler"] and first["title"] == "보일러 점검 기록"
    assert first["original_name"] == "ask-ko_boiler.md" and first["quote"] in payload["answer"]


def test_cli_table_says_mode_and_passages(corpus_env: AskCorpus) -> None:
    result = CliRunner().invoke(app, ["ask", "what did the plumber charge?"])
    assert result.exit_code == 0, result.output
    assert "$240" in result.output and "[1]" in result.output
    assert "extractive answer · read" in result.output and "passages from" in result.output
    bad = CliRunner().invoke(app, ["ask", "x", "--from", "yesterday"])
    assert bad.exit_code == 1 and "YYYY-MM-DD" in bad.output
    blank = CliRunner().invoke(app, ["ask", "   "])
    assert blank.exit_code == 1 and "question" in blank.output


def test_cli_count_question_reports_the_count_with_filters(corpus_env: AskCorpus) -> None:
    result = CliRunner().invoke(app, ["ask", "how many documents mention the boiler?", "--json", "--kind", "text"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output.strip().splitlines()[-1])
    assert payload["answer"].startswith(f"{len(corpus_env.ids)} documents match")
    none = CliRunner().invoke(app, ["ask", "how many invoices?", "--json", "--kind", "pdf"])
    assert json.loads(none.output.strip().splitlines()[-1])["answer"].startswith("0 documents match")


def test_api(corpus_env: AskCorpus) -> None:
    account = make_account(corpus_env.database, "asker")
    with TestClient(create_app()) as client:
        client.headers.update(account.headers)
        response = client.post("/api/ask", json={"question": "What is the monthly internet fee?"})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["mode"] == "extractive" and "$45" in body["answer"] and body["found"] is True
        assert body["citations"][0]["document_id"] == corpus_env.ids["en_internet"]
        assert body["passages_read"] >= 1 and body["documents_read"] >= 1
        wrong = client.post("/api/ask", json={"question": "x", "date_from": "2024-02-01", "date_to": "2024-01-01"})
        assert wrong.status_code == 422 and wrong.json()["error"]["hint"]
        assert client.post("/api/ask", json={"question": ""}).status_code == 422
        blank = client.post("/api/ask", json={"question": "   "})
        assert blank.status_code == 422 and "blank" in blank.json()["error"]["message"]
        client.headers.pop("Authorization")
        assert client.post("/api/ask", json={"question": "x"}).status_code == 401


def test_a_member_is_answered_only_from_documents_they_may_read(ask_corpus: AskCorpus) -> None:
    reader = make_account(ask_corpus.database, "ask-reader", admin=False)
    other = make_account(ask_corpus.database, "ask-other", admin=False)
    mine = [ask_corpus.ids["ko_boiler"], ask_corpus.ids["en_bread"]]
    with ask_corpus.database.transaction() as session:
        session.execute(
            sa.text("UPDATE documents SET owner_id = CASE WHEN id = ANY(:mine) THEN :reader ELSE :other END"),
            {"mine": mine, "reader": reader.id, "other": other.id},
        )
    try:
        viewer = Viewer(reader.id, False)
        with ask_corpus.database.session() as session:
            own = ask(session, "보일러 점검은 언제 받았지?", viewer=viewer, settings=ask_corpus.settings, offline=True)
            session.rollback()
            theirs = ask(
                session, "what did the plumber charge?", viewer=viewer, settings=ask_corpus.settings, offline=True
            )
            session.rollback()
            admin = ask(session, "what did the plumber charge?", viewer=Viewer(0, True), settings=ask_corpus.settings)
            session.rollback()
        assert own.citations and {c.document_id for c in own.citations} <= set(mine)
        assert "10월 15일" in own.answer
        assert {c.document_id for c in theirs.citations} <= set(mine)
        assert "$240" not in theirs.answer
        assert admin.citations[0].document_id == ask_corpus.ids["en_plumber"]  # the filter, not the data, hid it
    finally:
        with ask_corpus.database.transaction() as session:
            session.execute(sa.text("UPDATE documents SET owner_id = NULL"))


def test_filters_narrow_the_answer_to_matching_documents(ask_corpus: AskCorpus) -> None:
    with ask_corpus.database.transaction() as session:
        session.execute(
            sa.text("UPDATE documents SET tags = ARRAY['Bills'] WHERE id = :id"), {"id": ask_corpus.ids["en_internet"]}
        )
    try:
        with ask_corpus.database.session() as session:
            tagged = ask(
                session,
                "How much does it cost?",
                filters=AskFilters(tag="bills"),
                settings=ask_corpus.settings,
                offline=True,
            )
            session.rollback()
            nothing = ask(
                session,
                "How much does it cost?",
                filters=AskFilters(kind="pdf"),
                settings=ask_corpus.settings,
                offline=True,
            )
        assert tagged.citations and {c.document_id for c in tagged.citations} == {ask_corpus.ids["en_internet"]}
        assert not nothing.citations and not nothing.found
    finally:
        with ask_corpus.database.transaction() as session:
            session.execute(sa.text("UPDATE documents SET tags = '{}'"))
