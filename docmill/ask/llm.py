"""LLM mode (DOCMILL_LLM_URL set): a grounded answer from the numbered passages, streamed, with tools for
questions about the archive itself. Any failure of the model server leaves a warning and returns False, and
the caller answers offline instead."""

from __future__ import annotations

import json
import logging
from collections.abc import Generator
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from docmill.ai.llm import LLMClient, ToolCall, get_llm
from docmill.ai.thinking import strip_thinking
from docmill.ask.archive import count_documents, list_documents
from docmill.ask.grounding import check_answer, citations_of, prompt_messages
from docmill.ask.passages import Retrieval
from docmill.ask.streaming import LiveText
from docmill.ask.terms import is_korean
from docmill.ask.types import Answer, AskFilters, AskMode, Delta, Turn
from docmill.config import Settings
from docmill.errors import DocmillError
from docmill.permissions.access import Viewer
from docmill.search.service import search

log = logging.getLogger(__name__)

MAX_TOOL_ROUNDS = 3
_FILTER_PROPERTIES: dict[str, Any] = {
    "kind": {"type": "string", "description": "document kind, e.g. pdf, text, image, email, news"},
    "category": {"type": "string", "description": "library path, e.g. Finance/Invoices (includes subcategories)"},
    "tag": {"type": "string"},
    "source": {"type": "string", "description": "upload, inbox, feed, mail, cli"},
    "date_from": {"type": "string", "description": "YYYY-MM-DD, published (else received) on or after"},
    "date_to": {"type": "string", "description": "YYYY-MM-DD, published (else received) on or before"},
}
TOOLS: list[dict[str, Any]] = [
    {
        "type": "function",
        "function": {
            "name": "count_documents",
            "description": "Count the user's documents that match filters (all filters optional).",
            "parameters": {"type": "object", "properties": _FILTER_PROPERTIES},
        },
    },
    {
        "type": "function",
        "function": {
            "name": "list_documents",
            "description": "List the user's newest documents that match filters: id, title, kind, date.",
            "parameters": {
                "type": "object",
                "properties": {**_FILTER_PROPERTIES, "limit": {"type": "integer", "minimum": 1, "maximum": 50}},
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "search_documents",
            "description": "Find the user's documents that mention words or are about a topic (Korean or English).",
            "parameters": {
                "type": "object",
                "properties": {"query": {"type": "string"}, "limit": {"type": "integer", "minimum": 1, "maximum": 50}},
                "required": ["query"],
            },
        },
    },
]


def _day(value: object) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DocmillError(f"{value!r} is not a date", "write dates as YYYY-MM-DD") from None


def _tool_filters(args: dict[str, Any], base: AskFilters) -> AskFilters:
    """The request's filters, narrowed by what the model asked for (it cannot widen them)."""

    def pick(name: str) -> Any:
        own = getattr(base, name)
        return own if own is not None else (args.get(name) or None)

    return AskFilters(
        category=pick("category"),
        kind=pick("kind"),
        media_type=base.media_type,
        source=pick("source"),
        date_from=base.date_from or _day(args.get("date_from")),
        date_to=base.date_to or _day(args.get("date_to")),
        tag=pick("tag"),
        fields=base.fields,
    )


def run_tool(
    session: Session, call: ToolCall, filters: AskFilters, viewer: Viewer | None, settings: Settings, answer: Answer
) -> dict[str, Any]:
    """One tool call's result (an error object the model can read when the call is unusable)."""
    try:
        args = json.loads(call.arguments or "{}")
        if not isinstance(args, dict):
            raise ValueError("not an object")
    except ValueError:
        return {"error": f"the arguments are not a JSON object: {call.arguments[:200]!r}; call again with JSON"}
    try:
        if call.name == "count_documents":
            chosen = _tool_filters(args, filters)
            count = count_documents(session, chosen, viewer)
            answer.count = count
            answer.warnings.append(f"counted from the database: {count} documents ({chosen.describe() or 'all'})")
            return {"count": count, "filters": chosen.describe() or "none"}
        if call.name == "list_documents":
            chosen = _tool_filters(args, filters)
            listed = list_documents(session, chosen, viewer, int(args.get("limit") or 20))
            return {
                "documents": [
                    {
                        "id": d.document_id,
                        "title": d.title,
                        "kind": d.kind,
                        "category": d.category,
                        "date": (d.published_at or d.created_at).date().isoformat(),
                    }
                    for d in listed
                ]
            }
        if call.name == "search_documents":
            query = str(args.get("query") or "").strip()
            if not query:
                return {"error": "query is empty; call again with the words to look for"}
            results = search(
                session,
                query,
                limit=max(1, min(int(args.get("limit") or 10), 50)),
                category=filters.category,
                kind=filters.kind,
                tag=filters.tag,
                date_from=filters.date_from,
                date_to=filters.date_to,
                settings=settings,
                viewer=viewer,
            )
            return {
                "total": results.total,
                "documents": [{"id": h.document_id, "title": h.title} for h in results.hits],
            }
    except DocmillError as exc:
        return {"error": str(exc)}
    return {"error": f"no tool named {call.name!r}; use count_documents, list_documents or search_documents"}


def llm_answer(
    session: Session,
    answer: Answer,
    retrieval: Retrieval,
    filters: AskFilters,
    viewer: Viewer | None,
    settings: Settings,
    turns: list[Turn],
) -> Generator[Delta, None, bool]:
    """Streams the grounded answer into `answer`; returns True when the LLM answered, False to answer offline."""
    try:
        client = get_llm(settings)
    except DocmillError as exc:
        answer.warnings.append(f"the LLM is not usable ({exc}); answered offline instead")
        return False
    if client is None:
        return False
    try:
        text, used_tools = yield from _converse(session, client, answer, retrieval, filters, viewer, settings, turns)
    except DocmillError as exc:
        log.warning("ask: LLM unavailable: %s", exc)
        answer.warnings.append(f"the LLM is unavailable, so this is the offline answer: {exc}")
        return False
    passages = retrieval.passages
    checked = check_answer(strip_thinking(text), passages, used_tools=used_tools)
    answer.mode = AskMode.LLM
    for n in checked.removed:
        answer.warnings.append(f"removed the citation [{n}]: the model cited a passage that does not exist")
    if checked.unsupported:
        answer.warnings.append("the model's answer cited no passage, so it was not used")
    if not checked.found:
        answer.found = False
        answer.answer = (
            "문서에서 이 질문에 대한 답을 찾지 못했습니다."
            if is_korean(answer.question)
            else "I did not find an answer to this in your documents."
        )
        answer.citations = []
        return True
    answer.answer = checked.text
    answer.citations = citations_of(checked.text, checked.cited, passages)
    return True


def _converse(
    session: Session,
    client: LLMClient,
    answer: Answer,
    retrieval: Retrieval,
    filters: AskFilters,
    viewer: Viewer | None,
    settings: Settings,
    turns: list[Turn],
) -> Generator[Delta, None, tuple[str, bool]]:
    messages: list[dict[str, Any]] = list(prompt_messages(answer.question, retrieval.passages, turns))
    used_tools = False
    for round_ in range(MAX_TOOL_ROUNDS + 1):
        live = LiveText({p.n for p in retrieval.passages})
        parts: list[str] = []
        calls: list[ToolCall] = []
        for part in client.stream_chat(messages, tools=TOOLS if round_ < MAX_TOOL_ROUNDS else None):
            if part.content:
                parts.append(part.content)
                shown = live.feed(part.content)
                if shown:
                    yield Delta(shown)
            if part.tool_calls:
                calls.extend(part.tool_calls)
        rest = live.flush()
        if rest:
            yield Delta(rest)
        if not calls:
            return "".join(parts), used_tools
        used_tools = True
        messages.append(
            {
                "role": "assistant",
                "content": "".join(parts) or None,
                "tool_calls": [
                    {
                        "id": c.id or f"call_{i}",
                        "type": "function",
                        "function": {"name": c.name, "arguments": c.arguments},
                    }
                    for i, c in enumerate(calls)
                ],
            }
        )
        for i, call in enumerate(calls):
            result = run_tool(session, call, filters, viewer, settings, answer)
            messages.append(
                {
                    "role": "tool",
                    "tool_call_id": call.id or f"call_{i}",
                    "content": json.dumps(result, ensure_ascii=False),
                }
            )
    return "", used_tools
