"""POST /api/ask: a question answered from the caller's documents, with citations."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from docmill.api.deps import CurrentUser, DbSession
from docmill.api.schemas.ask import AskCitation, AskRequest, AskResponse
from docmill.ask import Answer, Delta, Turn, ask, ask_events
from docmill.ask.types import AskFilters
from docmill.db.engine import get_database
from docmill.errors import DocmillError, Invalid
from docmill.permissions.access import Viewer

router = APIRouter(tags=["ask"])


def filters_of(body: AskRequest) -> AskFilters:
    if body.date_from and body.date_to and body.date_from > body.date_to:
        raise Invalid(
            f"date_from {body.date_from} is after date_to {body.date_to}", "swap them", code="invalid_request"
        )
    return AskFilters(body.category, body.kind, body.media_type, body.source, body.date_from, body.date_to, body.tag)


def response_of(answer: Answer, thread_id: int | None = None) -> AskResponse:
    return AskResponse(
        question=answer.question,
        mode=answer.mode.value,
        answer=answer.answer,
        citations=[AskCitation(**vars(c)) for c in answer.citations],
        warnings=answer.warnings,
        found=answer.found,
        passages_read=answer.passages_read,
        documents_read=answer.documents_read,
        count=answer.count,
        thread_id=thread_id,
        timings_ms={k: round(v, 2) for k, v in answer.timings_ms.items()},
    )


def _sse(event: str, data: object) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"


def _stream(question: str, filters: AskFilters, viewer: Viewer, turns: list[Turn]) -> Iterator[str]:
    """Server-sent events: `delta` {"text"} while the answer streams, then `answer` (the AskResponse), or
    `error` {"code", "message", "hint"}. Its own session: the request's is closed once the response starts."""
    try:
        with get_database().session() as session:
            for event in ask_events(session, question, filters=filters, viewer=viewer, turns=turns):
                if isinstance(event, Delta):
                    yield _sse("delta", {"text": event.text})
                else:
                    session.rollback()
                    yield _sse("answer", response_of(event).model_dump(mode="json"))
    except DocmillError as exc:
        yield _sse("error", {"code": exc.code or "ask_failed", "message": exc.message, "hint": exc.hint})


@router.post(
    "/ask",
    response_model=AskResponse,
    summary="Ask a question of your documents (answers with citations)",
    responses={
        200: {
            "content": {
                "text/event-stream": {
                    "schema": {
                        "type": "string",
                        "description": "With stream=true: `event: delta` {text}… then `event: answer` (an "
                        "AskResponse) or `event: error` {code, message, hint}.",
                    }
                }
            },
            "description": "The answer (JSON), or with stream=true server-sent events.",
        }
    },
)
def ask_route(
    body: AskRequest,
    session: DbSession,
    user: CurrentUser,
    stream: Annotated[bool, Query(description="Stream the answer as server-sent events (delta…, answer).")] = False,
) -> AskResponse | StreamingResponse:
    filters = filters_of(body)
    turns = [Turn(t.question, t.answer) for t in body.turns]
    if stream:
        if not body.question.strip():
            raise Invalid(
                "the question is blank", "type a question, e.g. 보일러 점검은 언제 받았지?", code="invalid_request"
            )
        return StreamingResponse(
            _stream(body.question, filters, user.viewer, turns),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )
    answer = ask(session, body.question, filters=filters, viewer=user.viewer, turns=turns)
    session.rollback()  # asking only reads; end the transaction (and its local settings)
    return response_of(answer)
