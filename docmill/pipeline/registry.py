"""The stage registry: every processing stage is declared here, once.

Everything else derives from it: the ORM's and the API's `ProcessStage` enum, the dashboard's rows,
the worker's dispatch table, chaining, and the drift check against the database enum
`process_stage` (which migrations own). To add a stage: declare it below, write its module under
`docmill/stages/`, and add a migration that runs `ALTER TYPE process_stage ADD VALUE '<name>'`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from docmill.errors import DocmillError
from docmill.kinds import ALL_KINDS, FILE_KINDS, MEDIA, OFFICE, TEXTUAL, DocumentKind

__all__ = [
    "ALL_KINDS",
    "FILE_KINDS",
    "MEDIA",
    "OFFICE",
    "STAGES",
    "TEXTUAL",
    "DocumentKind",
    "Edge",
    "ProcessStage",
    "StageSpec",
]


@dataclass(frozen=True)
class Edge:
    """A successor link; `kinds` narrows it to some document kinds (None: all the successor applies to)."""

    stage: str
    kinds: frozenset[DocumentKind] | None = None


@dataclass(frozen=True)
class StageSpec:
    name: str
    description: str
    applies_to: frozenset[DocumentKind]
    successors: tuple[Edge, ...] = ()
    batch_size: int = 1
    concurrency: int = 1
    timeout_s: float = 300.0
    lease_s: float = 60.0
    max_attempts: int = 3
    backoff_base_s: float = 10.0  # first retry delay; doubles per attempt (with jitter)
    # Stage code that parses untrusted files runs in a child process with these limits.
    sandboxed: bool = False
    memory_limit_mb: int = 2048
    cpu_limit_s: float | None = None
    handler: str = ""  # "module:attribute" of the StageHandler, imported lazily by the worker

    def applies(self, kind: str) -> bool:
        return kind in self.applies_to


STAGES: tuple[StageSpec, ...] = (
    StageSpec(
        name="extract",
        description="Metadata (title, author, dates, pages, language) and routing by kind.",
        applies_to=FILE_KINDS,
        successors=(
            Edge("markdown"),
            Edge("stt"),
            Edge("thumbnail", FILE_KINDS - OFFICE),
            Edge("preview"),
        ),
        batch_size=4,
        concurrency=1,
        timeout_s=120,
        lease_s=60,
        sandboxed=True,
        handler="docmill.stages.extract:handler",
    ),
    StageSpec(
        name="markdown",
        description="Clean Markdown from the original file (text layer, converter, or OCR page by page).",
        applies_to=FILE_KINDS - MEDIA,
        successors=(Edge("index"),),
        batch_size=4,
        concurrency=1,
        timeout_s=1800,  # OCR of a 500-page scan; OCR itself stops at 85 % of this and keeps what it read
        lease_s=60,
        sandboxed=True,
        handler="docmill.stages.markdown:handler",
    ),
    StageSpec(
        name="stt",
        description="Transcript of audio and video through the STT service.",
        applies_to=MEDIA,
        successors=(Edge("index"),),
        batch_size=1,
        concurrency=1,
        timeout_s=3600,
        lease_s=120,
        max_attempts=3,
        handler="docmill.stages.stt:handler",
    ),
    StageSpec(
        name="index",
        description="Chunks and their full-text tokens: a document is found by its words from here on.",
        applies_to=TEXTUAL,
        successors=(Edge("classify"), Edge("summarize"), Edge("embed")),
        batch_size=16,
        concurrency=1,
        timeout_s=300,
        lease_s=60,
        handler="docmill.stages.index:handler",
    ),
    StageSpec(
        name="classify",
        description="Category, tags, library suggestion and AI summary.",
        applies_to=TEXTUAL - {DocumentKind.NEWS} - {DocumentKind.ARCHIVE},
        batch_size=4,
        concurrency=1,
        timeout_s=600,
        lease_s=120,
        handler="docmill.stages.classify:handler",
    ),
    StageSpec(
        name="summarize",
        description="A summary of the text (LLM when configured, extractive offline).",
        applies_to=TEXTUAL,
        batch_size=4,
        concurrency=1,
        timeout_s=600,
        lease_s=120,
        handler="docmill.stages.summarize:handler",
    ),
    StageSpec(
        name="embed",
        description="Embedding vectors for the chunks the index stage wrote (search by meaning).",
        applies_to=TEXTUAL,
        batch_size=8,
        concurrency=1,
        timeout_s=900,
        lease_s=120,
        handler="docmill.stages.embed:handler",
    ),
    StageSpec(
        name="preview",
        description="What a browser can show: PDF, sanitized HTML, resized image.",
        applies_to=frozenset({DocumentKind.PDF, DocumentKind.HTML, DocumentKind.IMAGE, DocumentKind.EMAIL}) | OFFICE,
        successors=(Edge("thumbnail", OFFICE),),
        batch_size=2,
        concurrency=1,
        timeout_s=300,
        lease_s=120,
        sandboxed=True,
        handler="docmill.stages.preview:handler",
    ),
    StageSpec(
        name="thumbnail",
        description="A fixed-size image of the first page or frame.",
        applies_to=frozenset({DocumentKind.PDF, DocumentKind.IMAGE, DocumentKind.VIDEO}) | OFFICE,
        batch_size=8,
        concurrency=1,
        timeout_s=120,
        lease_s=60,
        sandboxed=True,
        handler="docmill.stages.thumbnail:handler",
    ),
)

STAGE_NAMES: tuple[str, ...] = tuple(s.name for s in STAGES)
_BY_NAME: dict[str, StageSpec] = {s.name: s for s in STAGES}

# The stages a new document of a kind enters the pipeline at.
ENTRY_STAGES: dict[DocumentKind, tuple[str, ...]] = {
    **{kind: ("extract",) for kind in FILE_KINDS},
    DocumentKind.NEWS: ("index",),
}

ProcessStage = enum.StrEnum("ProcessStage", {name.upper(): name for name in STAGE_NAMES})  # type: ignore[misc]
ProcessStage.__doc__ = "Every registry stage; mirrors the database enum process_stage."


def get_stage(name: str) -> StageSpec | None:
    """The stage of that name, or None for a value this code does not know (never raises)."""
    return _BY_NAME.get(name)


def require_stage(name: str) -> StageSpec:
    stage = _BY_NAME.get(name)
    if stage is None:
        raise DocmillError(f"unknown stage {name!r}", f"choose one of: {', '.join(STAGE_NAMES)}")
    return stage


def successors_for(stage: str, kind: str) -> list[str]:
    """The stages to enqueue after `stage` completes for a document of `kind`."""
    spec = _BY_NAME.get(stage)
    if spec is None:
        return []
    out = []
    for edge in spec.successors:
        nxt = _BY_NAME.get(edge.stage)
        if nxt is None or not nxt.applies(kind):
            continue
        if edge.kinds is not None and kind not in edge.kinds:
            continue
        out.append(edge.stage)
    return out


def entry_stages(kind: str) -> tuple[str, ...]:
    try:
        return ENTRY_STAGES[DocumentKind(kind)]
    except ValueError:
        return ENTRY_STAGES[DocumentKind.UNKNOWN]


def predecessors(stage: str, kind: str) -> list[str]:
    """Stages whose completion leads to `stage` for a document of `kind`."""
    return [s.name for s in STAGES if stage in successors_for(s.name, kind)]


def parse_stage_list(value: str | Iterable[str] | None) -> list[StageSpec]:
    """`--stages a,b` → specs, in registry order; None or empty → every stage."""
    if value is None:
        return list(STAGES)
    names = [n.strip() for n in (value.split(",") if isinstance(value, str) else value) if n.strip()]
    if not names:
        return list(STAGES)
    specs = [require_stage(n) for n in names]
    return [s for s in STAGES if s in specs]
