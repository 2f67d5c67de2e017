"""POST /api/ask: a question answered from the caller's documents, with citations."""

from __future__ import annotations

from fastapi import APIRouter

from docmill.api.deps import CurrentUser, DbSession
from docmill.api.schemas.ask import AskCitation, AskRequest, AskResponse
from docmill.ask import Answer, Turn, ask
from docmill.ask.types import AskFilters
from docmill.errors import Invalid

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


@router.post("/ask", response_model=AskResponse, summary="Ask a question of your documents (answers with citations)")
def ask_route(body: AskRequest, session: DbSession, user: CurrentUser) -> AskResponse:
    answer = ask(
        session,
        body.question,
        filters=filters_of(body),
        viewer=user.viewer,
        turns=[Turn(t.question, t.answer) for t in body.turns],
    )
    session.rollback()  # asking only reads; end the transaction (and its local settings)
    return response_of(answer)
