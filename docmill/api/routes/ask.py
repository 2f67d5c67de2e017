"""POST /api/ask: a question answered from the caller's documents, with citations (JSON, or server-sent events
with stream=true); /api/ask/threads: the caller's stored conversations."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from docmill.api.deps import AuthUser, CurrentUser, DbSession
from docmill.api.errors import NOT_FOUND
from docmill.api.schemas.ask import (
    AskCitation,
    AskRequest,
    AskResponse,
    AskStoredTurn,
    AskThreadDetail,
    AskThreadList,
    AskThreadSummary,
)
from docmill.ask import Answer, Delta, Turn, ask_events
from docmill.ask.threads import (
    add_turn,
    delete_thread,
    earlier_turns,
    get_thread,
    list_threads,
    start_thread,
    thread_turns,
)
from docmill.ask.types import AskFilters
from docmill.db.engine import get_database
from docmill.errors import DocmillError, Invalid
from docmill.fields.filters import parse_filters

router = APIRouter(tags=["ask"])
ThreadId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def filters_of(session: Session, body: AskRequest) -> AskFilters:
    if body.date_from and body.date_to and body.date_from > body.date_to:
        raise Invalid(
            f"date_from {body.date_from} is after date_to {body.date_to}", "swap them", code="invalid_request"
        )
    fields = tuple(parse_filters(session, body.fields))
    return AskFilters(
        body.category, body.kind, body.media_type, body.source, body.date_from, body.date_to, body.tag, fields
    )


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


def _events(session: Session, body: AskRequest, user: AuthUser) -> Iterator[Delta | AskResponse]:
    """The answer's deltas, then its response, with the turn stored in its thread (one transaction)."""
    filters = filters_of(session, body)
    thread = get_thread(session, user.id, body.thread_id) if body.thread_id is not None else None
    turns = [Turn(t.question, t.answer) for t in body.turns]
    if not turns and thread is not None:
        turns = earlier_turns(session, thread)
    for event in ask_events(session, body.question, filters=filters, viewer=user.viewer, turns=turns):
        if isinstance(event, Delta):
            yield event
            continue
        session.rollback()  # end the read transaction (and its local settings) before writing
        thread_id = None
        if body.store:
            thread = get_thread(session, user.id, body.thread_id) if body.thread_id is not None else None
            thread = thread or start_thread(session, user.id, event.question)
            add_turn(session, thread, event)
            thread_id = thread.id
            session.commit()
        yield response_of(event, thread_id)


def _sse(event: str, data: object) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"


def _stream(body: AskRequest, user: AuthUser) -> Iterator[str]:
    """Server-sent events: `delta` {"text"} while the answer streams, then `answer` (an AskResponse), or `error`
    {"code", "message", "hint"}. Its own session: the request's is closed once the response starts."""
    try:
        with get_database().session() as session:
            for event in _events(session, body, user):
                if isinstance(event, Delta):
                    yield _sse("delta", {"text": event.text})
                else:
                    yield _sse("answer", event.model_dump(mode="json"))
    except DocmillError as exc:
        yield _sse("error", {"code": exc.code or "ask_failed", "message": exc.message, "hint": exc.hint})


@router.post(
    "/ask",
    response_model=AskResponse,
    summary="Ask a question of your documents (answers with citations)",
    responses={
        **NOT_FOUND,
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
        },
    },
)
def ask_route(
    body: AskRequest,
    session: DbSession,
    user: CurrentUser,
    stream: Annotated[bool, Query(description="Stream the answer as server-sent events (delta…, answer).")] = False,
) -> AskResponse | StreamingResponse:
    if not body.question.strip():
        raise Invalid(
            "the question is blank", "type a question, e.g. 보일러 점검은 언제 받았지?", code="invalid_request"
        )
    filters_of(session, body)  # a bad date range or field filter is a 422 before any event is sent
    if stream:
        if body.thread_id is not None:
            get_thread(session, user.id, body.thread_id)  # 404 before streaming starts
        return StreamingResponse(
            _stream(body, user),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )
    *_, response = _events(session, body, user)
    assert isinstance(response, AskResponse)
    return response


@router.get("/ask/threads", response_model=AskThreadList, summary="Your stored conversations, newest first")
def threads(session: DbSession, user: CurrentUser) -> AskThreadList:
    return AskThreadList(threads=[AskThreadSummary(**vars(t)) for t in list_threads(session, user.id)])


@router.get("/ask/threads/{thread_id}", response_model=AskThreadDetail, responses=NOT_FOUND, summary="One conversation")
def thread(thread_id: ThreadId, session: DbSession, user: CurrentUser) -> AskThreadDetail:
    found, turns = thread_turns(session, user.id, thread_id)
    return AskThreadDetail(
        id=found.id,
        title=found.title,
        turns=[
            AskStoredTurn(
                ordinal=t.ordinal,
                question=t.question,
                answer=t.answer,
                mode=t.mode,  # type: ignore[arg-type]
                citations=[AskCitation(**c) for c in t.citations],
                warnings=t.warnings,
                created_at=t.created_at,
            )
            for t in turns
        ],
    )


@router.delete(
    "/ask/threads/{thread_id}", status_code=204, responses=NOT_FOUND, summary="Delete a conversation and its turns"
)
def remove_thread(thread_id: ThreadId, session: DbSession, user: CurrentUser) -> Response:
    delete_thread(session, user.id, thread_id)
    session.commit()
    return Response(status_code=204)
