"""A client for any OpenAI-compatible chat endpoint (Ollama, vLLM, llama.cpp server, LM Studio, OpenAI).

- Every answer goes through `strip_thinking` before anything reads it.
- Structured answers ask for JSON-schema output (`response_format: json_schema`); a server that refuses that
  field is asked again without it, and JSON is then read from the text (code fences and prose around it are
  tolerated). The object is validated with pydantic plus the caller's checks; an invalid answer gets ONE
  repair request that quotes the problems.
- An answer still invalid after the repair raises `LLMResponseError`, an ordinary (retried) error: sampling
  differs per request, so a later attempt often succeeds, and once the stage's attempts are spent the row
  fails with a message that names the model and what to do.
- Unreachable server, timeouts, 429 and 5xx raise BackendUnavailableError (the row waits, attempts kept).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from docmill.ai.http import BackendRequestError, _excerpt, endpoint_url, post_json, timeout_for
from docmill.ai.thinking import strip_thinking
from docmill.config import Settings
from docmill.errors import BackendUnavailableError, DocmillError

SETTING = "DOCMILL_LLM_URL"
T = TypeVar("T", bound=BaseModel)
Message = dict[str, str]


class LLMResponseError(DocmillError):
    """The model's answer could not be used, even after one repair request."""


class LLMClient:
    def __init__(
        self,
        url: str,
        model: str,
        *,
        api_key: str | None = None,
        timeout_s: float = 300.0,
        max_tokens: int = 2048,
    ) -> None:
        self.url = endpoint_url(url, "chat/completions")
        self.model = model
        self.max_tokens = max_tokens
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(timeout=timeout_for(timeout_s))
        self.json_schema_supported = True

    @classmethod
    def from_settings(cls, settings: Settings) -> LLMClient | None:
        """The configured client, or None when no LLM is configured (docmill then works offline)."""
        if not settings.llm_url:
            return None
        if not settings.llm_model:
            from docmill.errors import ConfigError

            raise ConfigError(
                "DOCMILL_LLM_URL is set but DOCMILL_LLM_MODEL is not",
                "set DOCMILL_LLM_MODEL to the chat model's name (or unset DOCMILL_LLM_URL to work offline)",
            )
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        return cls(settings.llm_url, settings.llm_model, api_key=key, timeout_s=settings.llm_timeout)

    def close(self) -> None:
        self._client.close()

    # ---- plain chat ---------------------------------------------------------------------------
    def chat(
        self,
        messages: list[Message],
        *,
        temperature: float = 0.2,
        max_tokens: int | None = None,
        response_format: dict[str, Any] | None = None,
    ) -> str:
        """The answer's text with any thinking removed ("" if it was only thinking)."""
        payload: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "temperature": temperature,
            "max_tokens": max_tokens or self.max_tokens,
            "stream": False,
        }
        if response_format is not None:
            payload["response_format"] = response_format
        data = post_json(self._client, self.url, payload, what="LLM server", setting=SETTING, headers=self._headers)
        try:
            content = data["choices"][0]["message"].get("content")
        except (KeyError, IndexError, TypeError, AttributeError) as exc:
            raise BackendUnavailableError(
                f"the LLM server at {self.url} answered without choices[0].message: {str(data)[:200]}",
                f"check that {SETTING} points at an OpenAI-compatible chat completions API",
            ) from exc
        if isinstance(content, list):  # some servers return content parts
            content = "".join(part.get("text", "") for part in content if isinstance(part, dict))
        return strip_thinking(content if isinstance(content, str) else "")

    # ---- streaming, with tools ---------------------------------------------------------------------
    def stream_chat(
        self,
        messages: list[dict[str, Any]],
        *,
        tools: list[dict[str, Any]] | None = None,
        temperature: float = 0.2,
        max_tokens: int | None = None,
    ) -> Iterator[StreamPart]:
        """The answer as it arrives: content deltas (thinking NOT removed: see ThinkingFilter), then any tool calls.

        A server that ignores `stream` and answers with one JSON completion is read the same way."""
        payload: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "temperature": temperature,
            "max_tokens": max_tokens or self.max_tokens,
            "stream": True,
        }
        if tools:
            payload["tools"] = tools
        calls: dict[int, dict[str, Any]] = {}
        try:
            with self._client.stream("POST", self.url, json=payload, headers=self._headers) as response:
                if response.status_code >= 400:
                    response.read()
                    _raise_for_status(self.url, response)
                kind = response.headers.get("content-type", "")
                if "text/event-stream" not in kind:
                    response.read()
                    yield from _whole_completion(self.url, response)
                    return
                for line in response.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        break
                    try:
                        chunk = json.loads(data)
                        delta = chunk["choices"][0].get("delta") or {}
                    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
                        raise BackendUnavailableError(
                            f"the LLM server at {self.url} streamed a chunk that is not a chat completion delta: "
                            f"{data[:200]}",
                            f"check that {SETTING} points at an OpenAI-compatible chat completions API",
                        ) from exc
                    if delta.get("content"):
                        yield StreamPart(content=str(delta["content"]))
                    for call in delta.get("tool_calls") or []:
                        slot = calls.setdefault(int(call.get("index", 0)), {"id": "", "name": "", "arguments": ""})
                        slot["id"] = call.get("id") or slot["id"]
                        function = call.get("function") or {}
                        slot["name"] += function.get("name") or ""
                        slot["arguments"] += function.get("arguments") or ""
        except httpx.TimeoutException as exc:
            raise BackendUnavailableError(
                f"the LLM server at {self.url} did not answer in time ({type(exc).__name__})",
                f"check that it is running and not overloaded, or raise DOCMILL_LLM_TIMEOUT ({SETTING} names it)",
            ) from exc
        except httpx.TransportError as exc:
            raise BackendUnavailableError(
                f"cannot reach the LLM server at {self.url}: {exc or type(exc).__name__}",
                f"start the server or fix {SETTING}",
            ) from exc
        if calls:
            yield StreamPart(tool_calls=[ToolCall(**calls[i]) for i in sorted(calls)])

    # ---- structured answers -------------------------------------------------------------------
    def structured(
        self,
        messages: list[Message],
        model_cls: type[T],
        *,
        schema: dict[str, Any],
        schema_name: str,
        check: Callable[[T], list[str]] | None = None,
        temperature: float = 0.1,
    ) -> T:
        """A validated object of `model_cls`; one repair request when the first answer is unusable."""
        answer = self._chat_json(messages, schema, schema_name, temperature)
        result, problems = _parse(answer, model_cls, check)
        if result is not None:
            return result
        repair = [
            *messages,
            {"role": "assistant", "content": answer or "(empty answer)"},
            {
                "role": "user",
                "content": "That answer could not be used: "
                + "; ".join(problems)
                + "\nReply again with only one JSON object that matches this JSON schema, and nothing else:\n"
                + json.dumps(schema, ensure_ascii=False),
            },
        ]
        answer = self._chat_json(repair, schema, schema_name, temperature)
        result, problems = _parse(answer, model_cls, check)
        if result is not None:
            return result
        raise LLMResponseError(
            f"the LLM {self.model!r} gave no usable {schema_name} answer after one repair request: "
            + "; ".join(problems)[:500],
            "it is retried later; if this persists use a model that follows JSON schemas (or an instruction-tuned "
            "one), or unset DOCMILL_LLM_URL to classify offline",
        )

    def _chat_json(self, messages: list[Message], schema: dict[str, Any], name: str, temperature: float) -> str:
        if self.json_schema_supported:
            response_format = {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}}
            try:
                return self.chat(messages, temperature=temperature, response_format=response_format)
            except BackendRequestError as exc:
                if exc.status_code not in (400, 422):
                    raise
                # likely a server without JSON-schema output: ask in words and read JSON from the text (if the
                # 400 had another cause, the plain request fails the same way and that error is raised)
                self.json_schema_supported = False
        return self.chat(messages, temperature=temperature)


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: str  # JSON text, as the model wrote it (may be malformed)


@dataclass(frozen=True)
class StreamPart:
    content: str = ""
    tool_calls: list[ToolCall] | None = None


def _raise_for_status(url: str, response: httpx.Response) -> None:
    status = response.status_code
    if status == 429 or status >= 500:
        raise BackendUnavailableError(
            f"the LLM server at {url} answered HTTP {status}: {_excerpt(response.text)}",
            "the server is overloaded or failing; try again later",
        )
    raise BackendRequestError(
        f"the LLM server at {url} refused the request with HTTP {status}: {_excerpt(response.text)}",
        f"check {SETTING}, DOCMILL_LLM_MODEL and the API key",
        status,
        response.text,
    )


def _whole_completion(url: str, response: httpx.Response) -> Iterator[StreamPart]:
    try:
        message = response.json()["choices"][0]["message"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise BackendUnavailableError(
            f"the LLM server at {url} answered with something that is not a chat completion: {response.text[:200]}",
            f"check that {SETTING} points at an OpenAI-compatible chat completions API",
        ) from exc
    content = message.get("content")
    if isinstance(content, list):
        content = "".join(part.get("text", "") for part in content if isinstance(part, dict))
    if isinstance(content, str) and content:
        yield StreamPart(content=content)
    calls = [
        ToolCall(
            str(c.get("id") or ""),
            str((c.get("function") or {}).get("name") or ""),
            str((c.get("function") or {}).get("arguments") or ""),
        )
        for c in message.get("tool_calls") or []
        if isinstance(c, dict)
    ]
    if calls:
        yield StreamPart(tool_calls=calls)


_clients: dict[tuple[object, ...], LLMClient] = {}
_clients_lock = threading.Lock()


def get_llm(settings: Settings) -> LLMClient | None:
    """The process-wide client for the configured LLM (connections are reused), or None when offline."""
    if not settings.llm_url:
        return None
    key = (
        settings.llm_url,
        settings.llm_model,
        settings.llm_api_key.get_secret_value() if settings.llm_api_key else None,
        settings.llm_timeout,
    )
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = LLMClient.from_settings(settings)
            assert client is not None
            _clients[key] = client
        return client


def _parse(answer: str, model_cls: type[T], check: Callable[[T], list[str]] | None) -> tuple[T | None, list[str]]:
    obj = extract_json(answer)
    if obj is None:
        return None, ["the answer contains no JSON object" if answer.strip() else "the answer was empty"]
    try:
        result = model_cls.model_validate(obj)
    except ValidationError as exc:
        return None, [f"{'.'.join(str(p) for p in e['loc']) or 'object'}: {e['msg']}" for e in exc.errors()[:8]]
    problems = check(result) if check else []
    return (None, problems) if problems else (result, [])


_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)


def extract_json(text: str) -> dict[str, Any] | None:
    """The first JSON object in text: the whole text, a fenced block, or an object embedded in prose."""
    text = text.strip()
    if not text:
        return None
    candidates = [text, *(m.group(1).strip() for m in _FENCE.finditer(text))]
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    decoder = json.JSONDecoder()
    for match in re.finditer(r"\{", text):
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None
