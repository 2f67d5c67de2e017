"""The "apply field suggestions" action's own small implementation over `field_suggestions`.

Kept apart so that it can be swapped for `docmill.fields.suggestions.apply_suggestions` (the extraction
work's) once that lands: same call, same result (the field changes written).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from docmill.fields.service import FieldChange, set_values
from docmill.models import CustomField, FieldSuggestion, SuggestionStatus


def apply_suggestions(
    session: Session, document_id: int, slugs: Sequence[str] | None = None, *, source: str = "workflow"
) -> list[FieldChange]:
    """Write the document's pending suggested values (all, or of these fields) and mark them accepted.

    A suggestion whose value the field no longer accepts raises the field's FieldValueError (the rule
    running it records the error; nothing is half-applied: the caller's savepoint rolls back).
    """
    query = (
        sa.select(FieldSuggestion, CustomField.slug)
        .join(CustomField, CustomField.id == FieldSuggestion.field_id)
        .where(FieldSuggestion.document_id == document_id, FieldSuggestion.status == SuggestionStatus.PENDING)
        .order_by(CustomField.position, CustomField.id)
        .with_for_update(of=FieldSuggestion)
    )
    if slugs is not None:
        query = query.where(CustomField.slug.in_(list(slugs)))
    rows = session.execute(query).all()
    if not rows:
        return []
    changes = set_values(session, document_id, {slug: s.value for s, slug in rows}, source=source)
    session.execute(
        sa.update(FieldSuggestion)
        .where(FieldSuggestion.id.in_([s.id for s, _ in rows]))
        .values(status=SuggestionStatus.ACCEPTED, decided_at=sa.func.now())
    )
    return changes
