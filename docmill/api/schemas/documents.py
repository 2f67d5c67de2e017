"""Documents: list items, details, edits, transcript, processing history and reprocessing."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, model_validator

from docmill.api.schemas.common import NO_NUL
from docmill.api.schemas.fields import FieldValue
from docmill.convert.types import PageSource
from docmill.models import QueueStatus
from docmill.pipeline.registry import DocumentKind, ProcessStage
from docmill.transcripts import LanguageSource, TranscriptFlag


class PipelineStatus(enum.StrEnum):
    """Where a document's processing stands, from its queue rows."""

    QUEUED = "queued"  # rows waiting, none running
    PROCESSING = "processing"  # a stage is running
    FAILED = "failed"  # nothing waiting and a stage failed (not retried yet)
    DONE = "done"  # nothing waiting, nothing failed


class DocumentSort(enum.StrEnum):
    CREATED_DESC = "-created_at"
    CREATED_ASC = "created_at"
    UPDATED_DESC = "-updated_at"
    UPDATED_ASC = "updated_at"
    PUBLISHED_DESC = "-published_at"
    PUBLISHED_ASC = "published_at"
    TITLE_ASC = "title"
    TITLE_DESC = "-title"
    SIZE_DESC = "-size_bytes"
    SIZE_ASC = "size_bytes"


Tag = Annotated[str, Field(min_length=1, max_length=100, pattern=NO_NUL)]
FieldSortParam = Annotated[
    str, Field(pattern=r"^-?field:[a-z][a-z0-9_]{0,39}$", description="By a custom field: field:due, -field:due.")
]
FieldFilterParam = Annotated[
    str,
    Field(
        min_length=2,
        max_length=300,
        pattern=NO_NUL,
        description="slug<op>value, op one of = : != > >= < <= (amount>100000, due<2026-12-31, state:paid, "
        "paid:true, due:empty).",
    ),
]


class DocumentQuery(BaseModel):
    """Filters and order of GET /api/documents (all optional; they combine with AND)."""

    model_config = {"extra": "forbid"}

    limit: int = Field(default=50, ge=1, le=200, description="Items per page.")
    offset: int = Field(default=0, ge=0, le=1_000_000_000, description="Items to skip.")
    sort: DocumentSort | FieldSortParam = Field(
        default=DocumentSort.CREATED_DESC,
        description="Order; '-' means descending; field:<slug>: by a custom field (documents without one last).",
    )
    kind: list[DocumentKind] = Field(default_factory=list, description="Any of these kinds.")
    category_id: int | None = Field(default=None, ge=1, le=2**63 - 1, description="In this category exactly.")
    category: str | None = Field(
        default=None, max_length=500, pattern=NO_NUL, description='In this category or below it, e.g. "Finance".'
    )
    uncategorized: bool | None = Field(default=None, description="true: only documents without a category.")
    tag: list[Tag] = Field(default_factory=list, description="Has every one of these tags.")
    source: str | None = Field(default=None, max_length=100, pattern=NO_NUL, description="upload, inbox, feed…")
    status: PipelineStatus | None = Field(default=None, description="Processing state.")
    q: str | None = Field(
        default=None, max_length=200, pattern=NO_NUL, description="Substring of the title or file name."
    )
    created_after: datetime | None = None
    created_before: datetime | None = None
    deleted: bool = Field(default=False, description="true: list deleted documents (the trash) instead.")
    field: list[FieldFilterParam] = Field(
        default_factory=list, max_length=20, description="Custom field filters (all must hold)."
    )
    fields: str | None = Field(
        default=None,
        max_length=1000,
        pattern=r"^[a-z0-9_,]*$",
        description="Custom field slugs, comma-separated, whose values each item carries (columns).",
    )


class CategoryRef(BaseModel):
    id: int
    path: str


class DocumentSummary(BaseModel):
    id: int
    title: str | None
    original_name: str | None
    kind: DocumentKind
    media_type: str
    size_bytes: int
    source: str
    source_url: str | None
    language: str | None
    page_count: int | None
    category: CategoryRef | None
    tags: list[str]
    status: PipelineStatus
    has_markdown: bool
    has_transcript: bool
    has_thumbnail: bool
    has_preview: bool
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    owner_id: int | None = Field(default=None, description="The user who owns it; null: nobody (admins only).")
    owner: str | None = Field(default=None, description="The owner's user name.")
    visible_to_all: bool = Field(default=False, description="Every user may see it.")
    fields: dict[str, JsonValue] | None = Field(
        default=None,
        description="slug → value of the custom fields asked for (the list's `fields`; a document's every value "
        "in its details); a field without a value is left out.",
    )


class StageState(BaseModel):
    """The latest queue row of one stage for a document."""

    stage: str = Field(description="A stage name (ProcessStage), or one this version does not know.")
    status: QueueStatus
    attempts: int
    error: str | None
    note: str | None
    updated_at: datetime


class PageInfo(BaseModel):
    """One page of a PDF or multi-page image: where its text came from and how sure OCR was."""

    number: int = Field(description="1-based.")
    source: PageSource = Field(
        description="layer: the PDF's text layer; ocr: read from the page image; layer+ocr: the layer plus text "
        "read in its pictures; blank; skipped: past DOCMILL_OCR_MAX_PAGES or the time budget; failed."
    )
    confidence: float | None = Field(description="OCR mean word confidence, 0–100; null where OCR did not run.")
    chars: int = Field(description="Characters of text the page gave.")
    rotation: int = Field(description="Degrees the page was turned (counter-clockwise) to be read upright.")
    low_confidence: bool = Field(description="OCR read this page with a confidence under `OcrSummary.threshold`.")


class OcrSummary(BaseModel):
    """What OCR did for the document (present when it read at least one page)."""

    languages: str | None = Field(description='Tesseract languages it read with, e.g. "kor+eng".')
    pages_read: int = Field(description="Pages (or pictures' pages) whose text came from OCR.")
    mean_confidence: float | None = Field(description="Mean over those pages, 0–100.")
    low_confidence_pages: list[int] = Field(description="Page numbers read with a confidence under the threshold.")
    threshold: float = Field(description="The confidence under which a page is flagged.")


class DocumentAccess(enum.StrEnum):
    VIEW = "view"
    EDIT = "edit"
    OWNER = "owner"


class DocumentDetail(DocumentSummary):
    access: DocumentAccess = Field(
        default=DocumentAccess.OWNER,
        description="What you may do: view; edit (title, category, tags, reprocess); owner (also delete, share).",
    )
    sha256: str
    author: str | None
    metadata: dict[str, Any]
    summary: str | None
    ai_summary: str | None
    markdown_note: str | None = Field(description='Why there is no Markdown, e.g. "no text layer".')
    preview_media_type: str | None
    preview_note: str | None
    warnings: list[str]
    pages: list[PageInfo] = Field(description="Per-page text results (PDFs and multi-page images); [] otherwise.")
    ocr: OcrSummary | None = Field(description="Present when OCR read at least one page.")
    has_searchable_pdf: bool = Field(
        description="A copy with an invisible text layer exists: GET /api/documents/{id}/searchable-pdf "
        "(also served as the preview)."
    )
    stages: list[StageState] = Field(description="The latest queue row of each stage the document went through.")
    stt_language: str | None = Field(
        default=None, description="The recording's language as set by the user; null: the STT service's default."
    )
    transcript_flags: list[TranscriptFlag] = Field(
        default_factory=list, description="Why the transcript cannot be trusted (then it is not summarized or indexed)."
    )
    transcript_note: str | None = Field(
        default=None, description="What the transcript's flags mean and what to do; null when it is not flagged."
    )
    field_values: list[FieldValue] = Field(
        default_factory=list, description="The custom field values with who set them (GET …/fields has the same)."
    )


class DocumentUpdate(BaseModel):
    """Fields to change; a field left out keeps its value, null clears it."""

    model_config = {"extra": "forbid"}

    title: str | None = Field(default=None, min_length=1, max_length=500, pattern=NO_NUL)
    category: str | None = Field(
        default=None,
        min_length=1,
        max_length=500,
        pattern=NO_NUL,
        description='Category path such as "Finance/Invoices"; created if it does not exist; null: none.',
    )
    tags: list[Tag] | None = Field(default=None, max_length=50, description="Replaces the tags; null: no tags.")


class TranscriptSegment(BaseModel):
    start: float = Field(description="Seconds from the start.")
    end: float
    text: str
    avg_logprob: float | None = Field(default=None, description="The model's average token log-probability.")
    no_speech_prob: float | None = Field(default=None, description="The model's probability that it is no speech.")
    compression_ratio: float | None = Field(default=None, description="gzip ratio of the text (loops: above 2.4).")
    temperature: float | None = Field(default=None, description="Temperature it was decoded at (0: first try).")


class Transcript(BaseModel):
    text: str
    segments: list[TranscriptSegment]
    language: str | None
    language_probability: float | None = None
    language_source: LanguageSource | None = Field(default=None, description="Where the language came from.")
    requested_language: str | None = Field(default=None, description="The language the stt stage asked for.")
    duration: float | None = Field(description="Seconds of audio.")
    speech_seconds: float | None = Field(
        default=None, description="Seconds of speech (voice activity; measured when the text covers under half)."
    )
    avg_logprob: float | None = Field(default=None, description="Duration-weighted average log-probability.")
    flags: list[TranscriptFlag] = Field(default_factory=list, description="Why the text cannot be trusted.")
    note: str | None = Field(default=None, description="What the flags mean and what to do.")
    model: str | None


class HistoryEntry(BaseModel):
    # a queue row of the document, read from docmill.pipeline.operations.HistoryEntry (no docstring: it would
    # become part of the OpenAPI schema and the generated UI types)
    model_config = ConfigDict(from_attributes=True)

    id: int
    stage: str = Field(description="A stage name (ProcessStage), or one this version does not know.")
    status: QueueStatus
    attempts: int
    rescues: int = Field(description="Times a worker died holding the row and it was recovered.")
    waits: int = Field(description="Times the row waited for a model backend that was down.")
    error: str | None
    note: str | None
    superseded: bool = Field(description="A failed row that a later retry replaced.")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duration_sec: float | None

    @model_validator(mode="before")
    @classmethod
    def _with_duration(cls, data: Any) -> Any:
        """From a domain object: its fields, plus the run's duration (finished − started)."""
        if isinstance(data, dict):
            return data
        fields = {name: getattr(data, name) for name in cls.model_fields if hasattr(data, name)}
        started, finished = fields.get("started_at"), fields.get("finished_at")
        seconds = (finished - started).total_seconds() if started and finished else None
        fields.setdefault("duration_sec", round(seconds, 3) if seconds is not None else None)
        return fields


class ReprocessRequest(BaseModel):
    model_config = {"extra": "forbid"}

    from_stage: ProcessStage | None = Field(
        default=None, description="Stage to start from; successors follow. Null: from the entry stages."
    )


class TranscribeRequest(BaseModel):
    model_config = {"extra": "forbid"}

    language: str | None = Field(
        default=None,
        max_length=10,
        description='The recording\'s language ("ko", "en", …); "auto" or null: the STT service\'s default; '
        "left out: the language set before.",
        examples=["ko"],
    )


class TranscribeQueued(BaseModel):
    document_id: int
    language: str | None = Field(description="The language the recording will be read in; null: the default.")
    queued: list[ProcessStage] = Field(description="Stages queued now (empty: stt was already waiting).")


class QueuedStages(BaseModel):
    document_id: int
    queued: list[ProcessStage] = Field(description="Stages queued now (a stage already waiting is not repeated).")


class RetryResult(BaseModel):
    document_id: int
    queued: int = Field(description="Failed stages queued again.")


class TrashEmptied(BaseModel):
    purged: int = Field(description="Documents deleted forever.")
    document_ids: list[int]
