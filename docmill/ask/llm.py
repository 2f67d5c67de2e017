"""LLM mode (DOCMILL_LLM_URL set): a grounded answer citing numbered passages. Placeholder until it lands."""

from __future__ import annotations

from sqlalchemy.orm import Session

from docmill.ask.passages import Retrieval
from docmill.ask.types import Answer, AskFilters, Turn
from docmill.config import Settings
from docmill.permissions.access import Viewer


def llm_answer(
    session: Session,
    answer: Answer,
    retrieval: Retrieval,
    filters: AskFilters,
    viewer: Viewer | None,
    settings: Settings,
    turns: list[Turn],
) -> bool:
    """True when the LLM answered into `answer`; False to fall back to the extractive answer."""
    return False
