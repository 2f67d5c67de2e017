"""Extracted field values waiting for the user: storing them (the classify stage), listing, accepting (as is or
edited), rejecting, and applying them without asking (a workflow's action).

- One pending suggestion per (document, field): the partial unique index `uq_field_suggestions_pending`; a
  rerun replaces it (upsert), and a field the rerun no longer supports loses its pending suggestion.
- A value the user rejected for a document is never suggested again for that field.
- A field that got a value meanwhile gets no suggestion, and its old pending one is not listed.
- Listing filters by what the viewer may see; deciding needs edit access (NotFound when they cannot see it,
  Forbidden when they may only view it).

Functions take a Session and flush; the caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from docmill.errors import Conflict, NotFound
from docmill.fields.extract import Extracted, hinted
from docmill.fields.service import FieldChange, set_values, spec_of, specs
from docmill.fields.types import FieldSpec, FieldType, FieldValueError, parse_value
from docmill.models import CustomField, Document, DocumentFieldValue, FieldSuggestion, SuggestionStatus
from docmill.permissions.access import Access, Viewer, require, view_clause

_UNSET: Any = object()


class FieldSuggestionNotFound(NotFound):
    code = "not_found"


class FieldSuggestionDecided(Conflict):
    code = "suggestion_decided"


@dataclass(frozen=True)
class FieldSuggestionView:
    id: int
    document_id: int
    document_title: str | None
    original_name: str | None
    field_id: int
    field_slug: str
    field_name: str
    field_type: FieldType
    options: list[str]
    value: Any
    confidence: float | None
    method: str
    evidence: str | None
    status: str
    created_at: datetime
    decided_at: datetime | None


@dataclass(frozen=True)
class Decision:
    suggestion: FieldSuggestionView
    changes: list[FieldChange]


def empty_hinted_specs(session: Session, document_id: int) -> list[FieldSpec]:
    """The fields extraction may fill for the document: hinted ones (hint or pattern) it has no value of."""
    filled = set(
        session.scalars(sa.select(DocumentFieldValue.field_id).where(DocumentFieldValue.document_id == document_id))
    )
    return [s for s in specs(session) if hinted(s) and s.id not in filled]


def rejected_values(session: Session, document_id: int) -> dict[int, list[Any]]:
    """Per field id, the values the user rejected for this document."""
    rows = session.execute(
        sa.select(FieldSuggestion.field_id, FieldSuggestion.value).where(
            FieldSuggestion.document_id == document_id, FieldSuggestion.status == SuggestionStatus.REJECTED
        )
    ).all()
    out: dict[int, list[Any]] = {}
    for field_id, value in rows:
        out.setdefault(field_id, []).append(value)
    return out


def save_suggestions(
    session: Session, document_id: int, fields: Sequence[FieldSpec], proposals: Iterable[Extracted], *, method: str
) -> list[str]:
    """Store the proposals for `fields` (those extraction looked at) as pending suggestions; the slugs stored.

    A proposal for a field that has a value now, or whose value the user rejected before, is dropped; the
    pending suggestion of a looked-at field without a (usable) proposal is removed.
    """
    by_slug = {s.slug: s for s in fields}
    filled = set(
        session.scalars(sa.select(DocumentFieldValue.field_id).where(DocumentFieldValue.document_id == document_id))
    )
    live = set(session.scalars(sa.select(CustomField.id).where(CustomField.id.in_([s.id for s in fields]))))
    rejected = rejected_values(session, document_id)
    stored: list[str] = []
    for proposal in proposals:
        spec = by_slug.get(proposal.slug)
        if spec is None or spec.id in filled or spec.id not in live:
            continue
        try:
            value = parse_value(spec, proposal.value).value
        except FieldValueError:
            continue
        if value in rejected.get(spec.id, []):
            continue
        columns = {
            "value": value,
            "confidence": proposal.confidence,
            "method": method,
            "evidence": (proposal.evidence or None) and proposal.evidence[:500],
        }
        statement = insert(FieldSuggestion).values(document_id=document_id, field_id=spec.id, **columns)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["document_id", "field_id"],
                index_where=sa.text("status = 'pending'"),
                set_=columns | {"created_at": sa.func.now()},
            )
        )
        stored.append(spec.slug)
    dropped = [s.id for s in fields if s.slug not in stored]
    if dropped:
        session.execute(
            sa.delete(FieldSuggestion).where(
                FieldSuggestion.document_id == document_id,
                FieldSuggestion.field_id.in_(dropped),
                FieldSuggestion.status == SuggestionStatus.PENDING,
            )
        )
    session.flush()
    return stored


def _still_open() -> Any:
    """A pending suggestion whose field has no value yet (one that got a value meanwhile is moot)."""
    return sa.and_(
        FieldSuggestion.status == SuggestionStatus.PENDING,
        ~sa.exists().where(
            DocumentFieldValue.document_id == FieldSuggestion.document_id,
            DocumentFieldValue.field_id == FieldSuggestion.field_id,
        ),
    )


def _view(s: FieldSuggestion, doc: Document, field: CustomField) -> FieldSuggestionView:
    return FieldSuggestionView(
        id=s.id,
        document_id=s.document_id,
        document_title=doc.title,
        original_name=doc.original_name,
        field_id=field.id,
        field_slug=field.slug,
        field_name=field.name,
        field_type=FieldType(field.type),
        options=list(field.options or []),
        value=s.value,
        confidence=s.confidence,
        method=s.method,
        evidence=s.evidence,
        status=str(s.status),
        created_at=s.created_at,
        decided_at=s.decided_at,
    )


def _pending_condition(viewer: Viewer | None, document_ids: Sequence[int] | None) -> Any:
    condition = sa.and_(
        _still_open(), Document.deleted_at.is_(None), view_clause(viewer or Viewer.system(), Document.id)
    )
    if document_ids is not None:
        condition = sa.and_(condition, FieldSuggestion.document_id.in_(list(document_ids)))
    return condition


def list_pending(
    session: Session,
    *,
    viewer: Viewer | None = None,
    document_ids: Sequence[int] | None = None,
    limit: int = 200,
    offset: int = 0,
) -> tuple[list[FieldSuggestionView], int]:
    """Pending field suggestions of live documents the viewer may see (newest document first, fields in their
    order), and how many there are."""
    rows = session.execute(
        sa.select(FieldSuggestion, Document, CustomField)
        .join(Document, Document.id == FieldSuggestion.document_id)
        .join(CustomField, CustomField.id == FieldSuggestion.field_id)
        .where(_pending_condition(viewer, document_ids))
        .order_by(FieldSuggestion.document_id.desc(), CustomField.position, CustomField.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return [_view(s, d, f) for s, d, f in rows], pending_count(session, viewer, document_ids)


def pending_count(session: Session, viewer: Viewer | None = None, document_ids: Sequence[int] | None = None) -> int:
    """How many pending field suggestions of live documents the viewer may see there are (the dashboard's)."""
    total = session.scalar(
        sa.select(sa.func.count())
        .select_from(FieldSuggestion)
        .join(Document, Document.id == FieldSuggestion.document_id)
        .where(_pending_condition(viewer, document_ids))
    )
    return int(total or 0)


def _pending_for_update(
    session: Session, suggestion_id: int, viewer: Viewer | None
) -> tuple[FieldSuggestion, Document, CustomField]:
    suggestion = session.scalars(
        sa.select(FieldSuggestion).where(FieldSuggestion.id == suggestion_id).with_for_update()
    ).first()
    missing = FieldSuggestionNotFound(
        f"There is no field suggestion {suggestion_id}.",
        "List pending ones with GET /api/library/field-suggestions or `docmill library fields`.",
    )
    if suggestion is None:
        raise missing
    if viewer is not None:
        try:
            require(session, viewer, suggestion.document_id, Access.EDIT)
        except NotFound:
            raise missing from None  # of a document the viewer may not see: not revealed
    if suggestion.status != SuggestionStatus.PENDING:
        raise FieldSuggestionDecided(
            f"Field suggestion {suggestion_id} was already {suggestion.status}.",
            "Only pending suggestions can be accepted or rejected; change the value on the document page.",
        )
    document = session.get(Document, suggestion.document_id)
    field = session.get(CustomField, suggestion.field_id)
    assert document is not None and field is not None  # the foreign keys cascade
    return suggestion, document, field


def accept(
    session: Session,
    suggestion_id: int,
    *,
    value: Any = _UNSET,
    viewer: Viewer | None = None,
    actor_id: int | None = None,
) -> Decision:
    """Set the field to the suggested value, or to `value` when the user edited it (validated: a
    FieldValueError names the field and what it accepts). The suggestion is then accepted."""
    suggestion, document, field = _pending_for_update(session, suggestion_id, viewer)
    edited = value is not _UNSET
    raw = value if edited else suggestion.value
    if raw is None:
        parse_value(spec_of(field), raw)  # raises: names the field and what it accepts
    changes = set_values(
        session,
        document.id,
        {field.slug: raw},
        source="user" if edited else "extraction",
        actor_id=actor_id,
        viewer=viewer,
    )
    suggestion.status = SuggestionStatus.ACCEPTED
    if edited:
        suggestion.value = parse_value(spec_of(field), raw).value
    suggestion.decided_at = sa.func.now()  # type: ignore[assignment]
    session.flush()
    session.refresh(suggestion)
    return Decision(_view(suggestion, document, field), changes)


def reject(session: Session, suggestion_id: int, *, viewer: Viewer | None = None) -> FieldSuggestionView:
    """Reject a suggestion; its value is not suggested for that field of that document again."""
    suggestion, document, field = _pending_for_update(session, suggestion_id, viewer)
    suggestion.status = SuggestionStatus.REJECTED
    suggestion.decided_at = sa.func.now()  # type: ignore[assignment]
    session.flush()
    session.refresh(suggestion)
    return _view(suggestion, document, field)


def apply_suggestions(
    session: Session,
    document_id: int,
    field_slugs: Sequence[str] | None = None,
    *,
    source: str = "workflow",
    actor_id: int | None = None,
) -> list[FieldChange]:
    """Accept the document's pending suggestions (of `field_slugs`, or all) into its values without asking;
    what changed. For workflows: runs with the system's rights inside the caller's transaction."""
    query = (
        sa.select(FieldSuggestion, CustomField)
        .join(CustomField, CustomField.id == FieldSuggestion.field_id)
        .where(FieldSuggestion.document_id == document_id, _still_open())
        .with_for_update(of=FieldSuggestion)
    )
    if field_slugs is not None:
        query = query.where(CustomField.slug.in_(list(field_slugs)))
    rows = session.execute(query).all()
    if not rows:
        return []
    changes = set_values(session, document_id, {f.slug: s.value for s, f in rows}, source=source, actor_id=actor_id)
    session.execute(
        sa.update(FieldSuggestion)
        .where(FieldSuggestion.id.in_([s.id for s, _ in rows]))
        .values(status=SuggestionStatus.ACCEPTED, decided_at=sa.func.now())
    )
    session.flush()
    return changes
