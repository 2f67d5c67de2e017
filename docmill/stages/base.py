"""The contract every stage module implements, and what the worker hands it.

A stage has three steps, so that untrusted parsing can run in a sandboxed child process while all
database writes happen in the worker's completion transaction:

1. `prepare(ctx, session, document)` — in the worker, reads what the stage needs (a picklable payload).
2. `run(payload)` — the work; `run_batch(payloads)` may do a whole claimed batch at once. For stages
   declared `sandboxed` in the registry it runs in a child process with limits (so it must not touch
   the database, and payload and result must pickle).
3. `store(ctx, session, document, result)` — in the worker, inside the transaction that completes the
   queue row and enqueues successors. Returns an optional note for the queue row ("skipped: no text").
   Must be idempotent: running a stage twice leaves one set of outputs.

Errors: raise PermanentStageError for what a retry cannot fix (fails the row now), BackendUnavailableError
when a model service is down (the row waits without spending an attempt); anything else is retried with
backoff until the stage's attempts are spent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from docmill.ai.text import document_text
from docmill.config import Settings
from docmill.models import Document
from docmill.transcripts import transcript_is_reliable

# The note of a stage that had nothing to work on because the document has no text (classify, summarize,
# embed): defined once here, for every stage to import.
NO_TEXT = "skipped: no text"


def ai_text(document: Document) -> str:
    """The text the AI stages (classify, summarize, embed; index too) may use; "" means skip the document.

    Its Markdown, else its transcript's text; "" when it has neither, and for a transcript the STT service
    flagged (docmill.transcripts.transcript_is_reliable): an English-only model's confident nonsense about
    Korean speech must not become a summary, tags or search hits.
    """
    if document.transcript is not None and not transcript_is_reliable(document.transcript):
        return ""
    return document_text(document.markdown, document.transcript)


@dataclass
class StageContext:
    settings: Settings
    worker_id: str = "inline"

    @property
    def files_dir(self) -> Path:
        return self.settings.files_dir

    @property
    def derived_dir(self) -> Path:
        return self.settings.data_dir / "derived"

    def original_path(self, document: Document) -> Path | None:
        return self.files_dir / document.storage_path if document.storage_path else None

    def derived_path(self, document: Document, name: str) -> Path:
        """Where a stage writes a derived file (thumbnail, preview) for a document; stable, so reruns overwrite."""
        sha = document.sha256
        return self.derived_dir / sha[:2] / sha / name


@dataclass(frozen=True)
class DocumentInfo:
    """A picklable snapshot of a document for `run` (which may live in another process)."""

    id: int
    sha256: str
    kind: str
    media_type: str
    original_name: str | None
    size_bytes: int
    file_path: str | None
    derived_dir: str
    source: str
    source_url: str | None
    title: str | None
    language: str | None
    markdown: str | None
    metadata: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, ctx: StageContext, document: Document) -> DocumentInfo:
        path = ctx.original_path(document)
        return cls(
            id=document.id,
            sha256=document.sha256,
            kind=document.kind,
            media_type=document.media_type,
            original_name=document.original_name,
            size_bytes=document.size_bytes,
            file_path=str(path) if path else None,
            derived_dir=str(ctx.derived_path(document, "")),
            source=document.source,
            source_url=document.source_url,
            title=document.title,
            language=document.language,
            markdown=document.markdown,
            metadata=dict(document.doc_metadata or {}),
        )


class StageHandler:
    """Base class; override `run` and usually `store`."""

    def prepare(self, ctx: StageContext, session: Session, document: Document) -> Any:
        return DocumentInfo.of(ctx, document)

    def run(self, payload: Any) -> Any:
        raise NotImplementedError

    def run_batch(self, payloads: list[Any]) -> list[Any]:
        """Run a claimed batch at once; one result or exception per payload, in order.

        Override it where doing the batch together is cheaper (one embedding call for many documents).
        The worker calls it instead of `run` for stages that override it and are not sandboxed.
        """
        results: list[Any] = []
        for payload in payloads:
            try:
                results.append(self.run(payload))
            except Exception as exc:
                results.append(exc)
        return results

    def store(self, ctx: StageContext, session: Session, document: Document, result: Any) -> str | None:
        return None
