"""LLM mode against a local OpenAI-compatible server that behaves like real ones: streamed chunks, thinking,
a citation of a passage that does not exist, a refusal, tool calls, 5xx, a slow answer, malformed JSON, and
no server at all (then a clear warning and the offline answer)."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from docmill.api.app import create_app
from docmill.ask import Answer, AskMode, Delta, ask, ask_events
from docmill.ask.grounding import NOT_FOUND_MARK, SYSTEM_PROMPT, check_answer
from docmill.cli.main import app
from docmill.config import Settings, reset_settings_cache
from docmill.db.engine import set_database
from tests.ai.llm_server import FakeLLM, Reply, fake_llm_server
from tests.api.conftest import make_account
from tests.ask.conftest import AskCorpus

PLUMBER = "what did the plumber charge?"


def passage_of(body: dict[str, Any], words: str) -> int:
    """The number the prompt gave the passage holding `words`."""
    prompt = body["messages"][-1]["content"] if body["messages"][-1]["role"] == "user" else ""
    if not prompt:
        prompt = next(m["content"] for m in reversed(body["messages"]) if m["role"] == "user")
    for block in prompt.split("\n\n["):
        match = re.match(r"\[?(\d+)\] \(", block)
        if match and words in block:
            return int(match.group(1))
    raise AssertionError(f"no passage holds {words!r}")


def llm_settings(corpus: AskCorpus, fake: FakeLLM | None, *, url: str | None = None, timeout: float = 10) -> Settings:
    return corpus.settings.model_copy(
        update={"llm_url": url or (fake.url if fake else None), "llm_model": "test-model", "llm_timeout": timeout}
    )


def run(corpus: AskCorpus, settings: Settings, question: str = PLUMBER) -> tuple[list[str], Answer]:
    deltas: list[str] = []
    with corpus.database.session() as session:
        for event in ask_events(session, question, settings=settings):
            if isinstance(event, Delta):
                deltas.append(event.text)
            else:
                session.rollback()
                return deltas, event
    raise AssertionError("no answer")


@pytest.fixture
def fake() -> Iterator[FakeLLM]:
    with fake_llm_server() as server:
        yield server


def test_a_streamed_answer_cites_its_passage(ask_corpus: AskCorpus, fake: FakeLLM) -> None:
    fake.reply = lambda body: Reply(stream=["The plumber ", "charged $240 ", f"[{passage_of(body, '$240')}", "]."])
    deltas, answer = run(ask_corpus, llm_settings(ask_corpus, fake))
    assert answer.mode is AskMode.LLM and answer.found
    assert len(deltas) >= 2 and "".join(deltas) == answer.answer
    assert answer.answer.startswith("The plumber charged $240 [")
    (citation,) = answer.citations
    assert citation.document_id == ask_corpus.ids["en_plumber"] and "$240" in citation.quote
    request = fake.requests[0]
    assert request["stream"] is True and request["messages"][0]["content"] == SYSTEM_PROMPT
    assert {t["function"]["name"] for t in request["tools"]} == {
        "count_documents",
        "list_documents",
        "search_documents",
    }
    assert "Question: what did the plumber charge?" in request["messages"][-1]["content"]


def test_thinking_is_never_shown_closed_or_not(ask_corpus: AskCorpus, fake: FakeLLM) -> None:
    fake.reply = lambda body: Reply(
        stream=["<thi", "nk>the user wants the fee", "</think>", f"It was $240 [{passage_of(body, '$240')}]."]
    )
    deltas, answer = run(ask_corpus, llm_settings(ask_corpus, fake))
    assert "user wants" not in "".join(deltas) and "think" not in answer.answer
    assert answer.answer.startswith("It was $240 [")
    fake.reply = lambda body: Reply(stream=[f"It was $240 [{passage_of(body, '$240')}]. ", "<think>cut off mid tho"])
    deltas, answer = run(ask_corpus, llm_settings(ask_corpus, fake))
    assert "cut off" not in "".join(deltas) and "cut off" not in answer.answer and answer.citations


def test_a_citation_of_a_missing_passage_is_removed(ask_corpus: AskCorpus, fake: FakeLLM) -> None:
    fake.reply = lambda body: Reply(content=f"It was $240 [{passage_of(body, '$240')}][42].")
    _, answer = run(ask_corpus, llm_settings(ask_corpus, fake))
    assert "[42]" not in answer.answer and [c.document_id for c in answer.citations] == [ask_corpus.ids["en_plumber"]]
    assert any("[42]" in w and "does not exist" in w for w in answer.warnings)


def test_a_refusal_and_an_unsupported_answer_say_not_found(ask_corpus: AskCorpus, fake: FakeLLM) -> None:
    assert NOT_FOUND_MARK in SYSTEM_PROMPT and "[n]" in SYSTEM_PROMPT  # the prompt asks for both
    fake.script(Reply(content="NOT FOUND"))
    _, answer = run(ask_corpus, llm_settings(ask_corpus, fake), "what colour is the neighbour's cat?")
    assert answer.mode is AskMode.LLM and not answer.found and not answer.citations
    assert answer.answer == "I did not find an answer to this in your documents."
    fake.script(Reply(content="The cat is orange."))  # no citation: the post-check refuses it
    _, answer = run(ask_corpus, llm_settings(ask_corpus, fake), "what colour is the neighbour's cat?")
    assert not answer.found and "orange" not in answer.answer
    assert any("cited no passage" in w for w in answer.warnings)


def test_post_check_unit() -> None:
    assert not check_answer("", [], used_tools=False).found
    assert check_answer("There are 3 [x].", [], used_tools=True).found  # a tool result needs no passage


@pytest.mark.parametrize("streamed", [False, True])
def test_a_count_question_is_answered_by_the_count_tool(ask_corpus: AskCorpus, fake: FakeLLM, streamed: bool) -> None:
    call = {"name": "count_documents", "arguments": json.dumps({"kind": "text"})}
    first = Reply(stream=[], tool_calls=[call]) if streamed else Reply(content=None, tool_calls=[call])
    fake.script(first, Reply(stream=["You have 12 text documents."]))
    _, answer = run(ask_corpus, llm_settings(ask_corpus, fake), "how many text documents do I have?")
    assert answer.mode is AskMode.LLM and answer.found and answer.count == len(ask_corpus.ids)
    tool_message = fake.requests[1]["messages"][-1]
    assert tool_message["role"] == "tool" and json.loads(tool_message["content"])["count"] == len(ask_corpus.ids)
    assert fake.requests[1]["messages"][-2]["tool_calls"][0]["function"]["name"] == "count_documents"


def test_malformed_tool_arguments_come_back_as_an_error_the_model_can_read(
    ask_corpus: AskCorpus, fake: FakeLLM
) -> None:
    fake.script(Reply(tool_calls=[{"name": "count_documents", "arguments": "{kind: pdf"}]), Reply(content="NOT FOUND"))
    _, answer = run(ask_corpus, llm_settings(ask_corpus, fake), "how many pdfs?")
    assert "not a JSON object" in json.loads(fake.requests[1]["messages"][-1]["content"])["error"]
    assert answer.mode is AskMode.LLM and not answer.found


@pytest.mark.parametrize(
    ("reply", "timeout", "said"),
    [
        (Reply(status=503), 10, "HTTP 503"),
        (Reply(content="late", delay_s=3), 0.5, "did not answer in time"),
        (Reply(raw="{not json"), 10, "not a chat completion"),
    ],
    ids=["5xx", "slow", "malformed-json"],
)
def test_a_failing_server_gives_a_warning_and_the_offline_answer(
    ask_corpus: AskCorpus, fake: FakeLLM, reply: Reply, timeout: float, said: str
) -> None:
    fake.script(reply)
    _, answer = run(ask_corpus, llm_settings(ask_corpus, fake, timeout=timeout))
    assert answer.mode is AskMode.EXTRACTIVE and "$240" in answer.answer
    warning = next(w for w in answer.warnings if "LLM is unavailable" in w)
    assert said in warning and "offline answer" in warning


def test_no_server_at_all(ask_corpus: AskCorpus) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    _, answer = run(ask_corpus, llm_settings(ask_corpus, None, url=f"http://127.0.0.1:{port}/v1"))
    assert answer.mode is AskMode.EXTRACTIVE and "$240" in answer.answer
    assert any("cannot reach the LLM server" in w for w in answer.warnings)


def test_offline_flag_skips_the_llm(ask_corpus: AskCorpus, fake: FakeLLM) -> None:
    with ask_corpus.database.session() as session:
        answer = ask(session, PLUMBER, settings=llm_settings(ask_corpus, fake), offline=True)
    assert answer.mode is AskMode.EXTRACTIVE and not fake.requests


def test_api_streams_server_sent_events(ask_corpus: AskCorpus, fake: FakeLLM, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCMILL_DATABASE_URL", ask_corpus.database.url)
    monkeypatch.setenv("DOCMILL_DATA_DIR", str(ask_corpus.settings.data_dir))
    monkeypatch.setenv("DOCMILL_LLM_URL", fake.url)
    monkeypatch.setenv("DOCMILL_LLM_MODEL", "test-model")
    reset_settings_cache()
    set_database(ask_corpus.database)
    fake.reply = lambda body: Reply(stream=["The plumber ", "charged $240 ", f"[{passage_of(body, '$240')}]."])
    account = make_account(ask_corpus.database, "stream-asker")
    try:
        with TestClient(create_app()) as client:
            response = client.post("/api/ask?stream=true", json={"question": PLUMBER}, headers=account.headers)
            assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
            events = [
                (block.split("\n")[0].removeprefix("event: "), json.loads(block.split("\n")[1].removeprefix("data: ")))
                for block in response.text.strip().split("\n\n")
            ]
            kinds = [k for k, _ in events]
            assert kinds[-1] == "answer" and kinds.count("delta") >= 2
            final = events[-1][1]
            assert final["mode"] == "llm" and "$240" in final["answer"]
            assert final["citations"][0]["document_id"] == ask_corpus.ids["en_plumber"]
            assert "".join(d["text"] for k, d in events if k == "delta") == final["answer"]
            plain = client.post("/api/ask", json={"question": PLUMBER}, headers=account.headers).json()
            assert plain["mode"] == "llm" and plain["citations"]
    finally:
        set_database(None)
        reset_settings_cache()


def test_cli_streams_the_answer_live(ask_corpus: AskCorpus, fake: FakeLLM, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCMILL_DATABASE_URL", ask_corpus.database.url)
    monkeypatch.setenv("DOCMILL_DATA_DIR", str(ask_corpus.settings.data_dir))
    monkeypatch.setenv("DOCMILL_LLM_URL", fake.url)
    monkeypatch.setenv("DOCMILL_LLM_MODEL", "test-model")
    reset_settings_cache()
    set_database(ask_corpus.database)
    fake.reply = lambda body: Reply(stream=["The plumber ", "charged $240 ", f"[{passage_of(body, '$240')}][42]."])
    try:
        result = CliRunner().invoke(app, ["ask", PLUMBER])
        assert result.exit_code == 0, result.output
        assert "The plumber charged $240 [" in result.output and "][42]" not in result.output
        assert "llm answer · read" in result.output
        as_json = CliRunner().invoke(app, ["ask", PLUMBER, "--json"])
        payload = json.loads(as_json.output.strip())
        assert payload["mode"] == "llm" and payload["citations"][0]["document_id"] == ask_corpus.ids["en_plumber"]
    finally:
        set_database(None)
        reset_settings_cache()
