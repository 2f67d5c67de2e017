"""Conversations: a follow-up is read with the earlier turns; threads are stored per user, listed and deleted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from docmill.api.app import create_app
from docmill.ask.service import retrieval_query
from docmill.ask.types import Turn
from docmill.config import reset_settings_cache
from docmill.db.engine import set_database
from docmill.models import AskThread
from tests.api.conftest import make_account
from tests.ask.conftest import AskCorpus


@pytest.fixture
def client(ask_corpus: AskCorpus, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("DOCMILL_DATABASE_URL", ask_corpus.database.url)
    monkeypatch.setenv("DOCMILL_DATA_DIR", str(ask_corpus.settings.data_dir))
    monkeypatch.delenv("DOCMILL_LLM_URL", raising=False)
    reset_settings_cache()
    set_database(ask_corpus.database)
    try:
        with TestClient(create_app()) as c:
            yield c
    finally:
        set_database(None)
        reset_settings_cache()


def test_a_follow_up_is_searched_with_the_previous_question() -> None:
    assert retrieval_query("how much was it?", []) == "how much was it?"
    turns = [Turn("when did the plumber come?", "On 14 March [1].")]
    assert retrieval_query("how much was it?", turns) == "when did the plumber come? how much was it?"


def test_threads_are_stored_listed_continued_and_deleted(client: TestClient, ask_corpus: AskCorpus) -> None:
    alice = make_account(ask_corpus.database, "thread-alice").headers
    bob = make_account(ask_corpus.database, "thread-bob").headers
    first = client.post("/api/ask", json={"question": "When did the plumber come?"}, headers=alice).json()
    thread_id = first["thread_id"]
    assert thread_id and "14 March" in first["answer"]
    # the follow-up names nothing; the stored turn supplies the plumber
    follow = client.post("/api/ask", json={"question": "how much did it cost?", "thread_id": thread_id}, headers=alice)
    assert follow.status_code == 200, follow.text
    assert follow.json()["thread_id"] == thread_id and "$240" in follow.json()["answer"]
    listed = client.get("/api/ask/threads", headers=alice).json()["threads"]
    assert [(t["id"], t["title"], t["turns"]) for t in listed] == [(thread_id, "When did the plumber come?", 2)]
    detail = client.get(f"/api/ask/threads/{thread_id}", headers=alice).json()
    assert [t["question"] for t in detail["turns"]] == ["When did the plumber come?", "how much did it cost?"]
    assert detail["turns"][1]["citations"][0]["document_id"] == ask_corpus.ids["en_plumber"]
    # another user neither sees nor continues nor deletes it
    assert client.get("/api/ask/threads", headers=bob).json()["threads"] == []
    assert client.get(f"/api/ask/threads/{thread_id}", headers=bob).status_code == 404
    other = client.post("/api/ask", json={"question": "x y", "thread_id": thread_id}, headers=bob)
    assert other.status_code == 404 and other.json()["error"]["hint"]
    assert client.delete(f"/api/ask/threads/{thread_id}", headers=bob).status_code == 404
    unsaved = client.post(
        "/api/ask", json={"question": "What is the monthly internet fee?", "store": False}, headers=bob
    )
    assert unsaved.json()["thread_id"] is None and client.get("/api/ask/threads", headers=bob).json()["threads"] == []
    assert client.delete(f"/api/ask/threads/{thread_id}", headers=alice).status_code == 204
    assert client.get(f"/api/ask/threads/{thread_id}", headers=alice).status_code == 404
    with ask_corpus.database.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(AskThread).where(AskThread.id == thread_id)) == 0
