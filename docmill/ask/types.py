"""The shapes an answer is made of: its mode, its citations, the passages it was read from."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date

from docmill.fields.filters import FieldFilter


class AskMode(enum.StrEnum):
    """Which path produced the answer."""

    EXTRACTIVE = "extractive"  # offline: the sentences of the archive that best answer the question
    LLM = "llm"  # a grounded answer of the configured chat model, citing its numbered passages


@dataclass(frozen=True)
class AskFilters:
    """The same filters the search takes (docmill.search.service.Filters): a tag and custom field values too."""

    category: str | None = None
    kind: str | None = None
    media_type: str | None = None
    source: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    tag: str | None = None
    fields: tuple[FieldFilter, ...] = ()

    @property
    def any(self) -> bool:
        return any(v not in (None, ()) for v in vars(self).values())

    def describe(self) -> str:
        parts = [
            f"{name.replace('_', ' ')} {value}"
            for name, value in vars(self).items()
            if value is not None and name != "fields"
        ]
        parts.extend(f"field {f.describe()}" for f in self.fields)
        return ", ".join(parts)


@dataclass(frozen=True)
class Passage:
    """A chunk read for the answer: the whole chunk (never cut), its document and its score."""

    n: int  # 1-based number the LLM prompt cites as [n]
    document_id: int
    title: str
    original_name: str | None
    chunk_id: int
    heading: str | None
    text: str
    score: float


@dataclass(frozen=True)
class Citation:
    n: int
    document_id: int
    title: str
    original_name: str | None
    chunk_id: int
    quote: str


@dataclass(frozen=True)
class Turn:
    """One earlier exchange of a conversation."""

    question: str
    answer: str


@dataclass
class Answer:
    question: str
    mode: AskMode
    answer: str
    citations: list[Citation] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    passages_read: int = 0
    documents_read: int = 0
    found: bool = True  # False: the archive holds nothing that answers the question
    count: int | None = None  # archive questions ("how many …"): documents matching the filters
    timings_ms: dict[str, float] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        """Exactly the object `docmill ask --json` prints."""
        return {
            "question": self.question,
            "mode": self.mode.value,
            "answer": self.answer,
            "citations": [
                {
                    "n": c.n,
                    "document_id": c.document_id,
                    "title": c.title,
                    "original_name": c.original_name,
                    "chunk_id": c.chunk_id,
                    "quote": c.quote,
                }
                for c in self.citations
            ],
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class Delta:
    """A piece of the answer's text as it streams (LLM mode); the final Answer follows."""

    text: str
