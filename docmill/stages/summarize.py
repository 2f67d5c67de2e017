"""The summarize stage: `Document.summary` only (classification lives in the classify stage).

With an LLM configured (DOCMILL_LLM_URL) the model writes it; offline it is an extractive summary of the
document's most central sentences, which works for Korean and English.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from docmill.ai.llm import get_llm
from docmill.ai.llm_tasks import summarize_with_llm
from docmill.ai.summarizer import extractive_summary
from docmill.config import Settings
from docmill.models import Document
from docmill.stages.base import NO_TEXT, StageContext, StageHandler, ai_text


@dataclass(frozen=True)
class SummarizePayload:
    title: str | None
    text: str
    settings: Settings


@dataclass(frozen=True)
class SummaryResult:
    summary: str | None
    method: str


def summarize_text(title: str | None, text: str, settings: Settings) -> SummaryResult:
    client = get_llm(settings)
    if client is None:
        return SummaryResult(extractive_summary(text) or None, "extractive")
    summary = summarize_with_llm(client, title=title, text=text, max_chars=settings.llm_max_chars)
    return SummaryResult(summary, f"llm {client.model}")


class SummarizeHandler(StageHandler):
    def prepare(self, ctx: StageContext, session: Session, document: Document) -> SummarizePayload:
        return SummarizePayload(
            title=document.title or document.original_name,
            text=ai_text(document),
            settings=ctx.settings,
        )

    def run(self, payload: SummarizePayload) -> SummaryResult:
        if not payload.text.strip():
            return SummaryResult(None, NO_TEXT)
        return summarize_text(payload.title, payload.text, payload.settings)

    def store(self, ctx: StageContext, session: Session, document: Document, result: SummaryResult) -> str | None:
        if result.method == NO_TEXT:
            return NO_TEXT
        document.summary = result.summary
        return f"summary by {result.method}" if result.summary else f"{result.method}: nothing to summarize"


handler = SummarizeHandler()
