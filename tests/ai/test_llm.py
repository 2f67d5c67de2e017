"""The LLM client against a real local OpenAI-compatible HTTP server: thinking, slowness, 5xx, bad JSON."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest

from docmill.ai.http import BackendRequestError
from docmill.ai.llm import LLMClient, LLMResponseError, extract_json
from docmill.ai.llm_tasks import CategoryOption, classify_with_llm, summarize_with_llm
from docmill.errors import BackendUnavailableError, DocmillError
from tests.ai.llm_server import Reply, fake_llm_server

VALID = {
    "category": "Finance/Invoices",
    "is_new_category": False,
    "confidence": 0.9,
    "tags": ["Invoice", "#Vendor Payments"],
    "summary": "An invoice for office furniture, due in 30 days.",
    "reason": "it asks for payment",
}
CATEGORIES = [CategoryOption("Finance/Invoices", "bills to pay"), CategoryOption("Travel", None)]


def client(url: str, timeout_s: float = 5.0) -> LLMClient:
    return LLMClient(url, "test-model", api_key="secret", timeout_s=timeout_s)


def classify(llm: LLMClient, **overrides: Any):  # type: ignore[no-untyped-def]
    args: dict[str, Any] = {
        "title": "Invoice 117",
        "text": "Please pay 18,450 dollars for 40 chairs within 30 days.",
        "categories": CATEGORIES,
        "existing_tags": ["invoice"],
        "rejected_paths": [],
        "allow_new_categories": False,
        "max_chars": 4000,
    }
    return classify_with_llm(llm, **(args | overrides))


def test_think_tags_are_removed_and_json_schema_is_requested() -> None:
    answer = '<think>The user wants JSON. {"category": "Travel"} no wait</think>\n' + json.dumps(VALID)
    with fake_llm_server(lambda _: Reply(content=answer)) as fake:
        result = classify(client(fake.url))
    assert result.category == "Finance/Invoices" and result.tags == ["Invoice", "#Vendor Payments"]
    request = fake.requests[0]
    assert request["_path"] == "/v1/chat/completions" and request["_auth"] == "Bearer secret"
    assert request["model"] == "test-model"
    assert request["response_format"]["type"] == "json_schema"
    assert request["response_format"]["json_schema"]["schema"]["required"]
    assert "Finance/Invoices" in request["messages"][1]["content"]


def test_unclosed_think_tag_then_repair() -> None:
    with fake_llm_server() as fake:
        fake.script(Reply(content="<think>I will first consider every category and then"), Reply(json.dumps(VALID)))
        result = classify(client(fake.url))
    assert result.confidence == 0.9
    assert len(fake.requests) == 2
    repair = fake.requests[1]["messages"][-1]["content"]
    assert "the answer was empty" in repair and "JSON schema" in repair


def test_malformed_json_gets_one_repair() -> None:
    broken = '```json\n{"category": "Finance/Invoices", "confidence": 0.9, "tags": [}\n```'
    with fake_llm_server() as fake:
        fake.script(Reply(content=broken), Reply(content="Sure! Here it is:\n```json\n" + json.dumps(VALID) + "\n```"))
        result = classify(client(fake.url))
    assert result.summary.startswith("An invoice")
    assert len(fake.requests) == 2


def test_still_invalid_after_repair_is_an_ordinary_error() -> None:
    with (
        fake_llm_server(lambda _: Reply(content="{not json at all")) as fake,
        pytest.raises(LLMResponseError) as caught,
    ):
        classify(client(fake.url))
    assert len(fake.requests) == 2  # the answer and exactly one repair
    assert not isinstance(caught.value, BackendUnavailableError)
    assert "test-model" in caught.value.message and caught.value.hint


def test_unknown_category_is_repaired_and_never_invented() -> None:
    invented = VALID | {"category": "Office/Furniture"}
    with fake_llm_server() as fake:
        fake.script(Reply(content=json.dumps(invented)), Reply(content=json.dumps(VALID)))
        result = classify(client(fake.url))
    assert result.category == "Finance/Invoices"
    assert "'Office/Furniture' does not exist" in fake.requests[1]["messages"][-1]["content"]
    # with new categories allowed the same answer stands at once
    with fake_llm_server(lambda _: Reply(content=json.dumps(invented | {"is_new_category": True}))) as fake:
        result = classify(client(fake.url), allow_new_categories=True)
    assert result.category == "Office/Furniture" and len(fake.requests) == 1


def test_rejected_path_is_refused() -> None:
    with fake_llm_server() as fake:
        fake.script(Reply(content=json.dumps(VALID)), Reply(content=json.dumps(VALID | {"category": "Travel"})))
        result = classify(client(fake.url), rejected_paths=["finance/invoices"])
    assert result.category == "Travel"
    assert "never answer them: finance/invoices" in fake.requests[0]["messages"][0]["content"]


def test_server_without_json_schema_support_gets_plain_requests() -> None:
    def reply(body: dict[str, Any]) -> Reply:
        if "response_format" in body:
            return Reply(status=400)
        return Reply(content="Here you go: " + json.dumps(VALID) + " Hope it helps.")

    with fake_llm_server(reply) as fake:
        llm = client(fake.url)
        assert classify(llm).category == "Finance/Invoices"
        assert classify(llm).category == "Finance/Invoices"
    assert ["response_format" in r for r in fake.requests] == [True, False, False]
    assert llm.json_schema_supported is False


def test_slow_answers_within_the_timeout_succeed() -> None:
    with fake_llm_server(lambda _: Reply(content="<think>slow</think>A slow summary.", delay_s=0.6)) as fake:
        assert summarize_with_llm(client(fake.url, timeout_s=10), title="t", text="text", max_chars=100) == (
            "A slow summary."
        )


def test_too_slow_is_backend_unavailable() -> None:
    with (
        fake_llm_server(lambda _: Reply(content="late", delay_s=2.0)) as fake,
        pytest.raises(BackendUnavailableError) as caught,
    ):
        client(fake.url, timeout_s=0.3).chat([{"role": "user", "content": "hi"}])
    assert "did not answer in time" in caught.value.message


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_5xx_and_429_are_backend_unavailable(status: int) -> None:
    with fake_llm_server(lambda _: Reply(status=status)) as fake, pytest.raises(BackendUnavailableError) as caught:
        client(fake.url).chat([{"role": "user", "content": "hi"}])
    assert f"HTTP {status}" in caught.value.message


def test_not_json_body_and_missing_choices_are_backend_unavailable() -> None:
    with (
        fake_llm_server(lambda _: Reply(raw="<html>proxy error</html>")) as fake,
        pytest.raises(BackendUnavailableError),
    ):
        client(fake.url).chat([{"role": "user", "content": "hi"}])
    with fake_llm_server(lambda _: Reply(raw='{"object": "error"}')) as fake, pytest.raises(BackendUnavailableError):
        client(fake.url).chat([{"role": "user", "content": "hi"}])


def test_unreachable_server_is_backend_unavailable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again before the request: nothing listens there
    with pytest.raises(BackendUnavailableError) as caught:
        client(f"http://127.0.0.1:{port}").chat([{"role": "user", "content": "hi"}])
    assert "cannot reach" in caught.value.message and "DOCMILL_LLM_URL" in caught.value.hint


def test_wrong_key_is_a_request_error_not_a_wait() -> None:
    with fake_llm_server(lambda _: Reply(status=401)) as fake, pytest.raises(BackendRequestError) as caught:
        client(fake.url).chat([{"role": "user", "content": "hi"}])
    assert isinstance(caught.value, DocmillError) and not isinstance(caught.value, BackendUnavailableError)
    assert "API key" in (caught.value.hint or "")


def test_summary_of_only_thinking_is_asked_again_then_fails() -> None:
    with (
        fake_llm_server(lambda _: Reply(content="<think>hmm, the document is about")) as fake,
        pytest.raises(LLMResponseError),
    ):
        summarize_with_llm(client(fake.url), title="t", text="some text", max_chars=100)
    assert len(fake.requests) == 2


def test_extract_json() -> None:
    assert extract_json('{"a": 1}') == {"a": 1}
    assert extract_json('text before {"a": {"b": [1, 2]}} after') == {"a": {"b": [1, 2]}}
    assert extract_json('```json\n{"a": 2}\n```') == {"a": 2}
    assert extract_json("[1, 2]") is None
    assert extract_json("no json") is None
