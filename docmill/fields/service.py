"""Custom field definitions (an admin's) and each document's values.

Routes check who may call: admins define fields; who may change a document sets its values. A value is
written with its typed column in one upsert; `set_values` returns what changed, so callers (the API,
workflows, bulk edit) can record it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from docmill.errors import Conflict, Invalid, NotFound
from docmill.fields.types import CURRENCY_CODE, FieldSpec, FieldType, FieldValueError, TypedValue, parse_value
from docmill.models import CustomField, Document, DocumentFieldValue, User
from docmill.permissions.access import Access, Viewer, access_of

SLUG = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_OPTIONS = 200


class FieldNotFound(NotFound):
    code = "field_not_found"


class FieldExists(Conflict):
    code = "field_exists"


class FieldDefinitionError(Invalid):
    code = "invalid_field_definition"


@dataclass(frozen=True)
class FieldDefinition:
    """What an admin gives to define or change a field (None: keep, on update)."""

    name: str | None = None
    slug: str | None = None
    type: FieldType | None = None
    options: Sequence[str] | None = None
    default_currency: str | None = None
    extraction_hint: str | None = None
    pattern: str | None = None
    position: int | None = None


@dataclass(frozen=True)
class FieldValueView:
    field_id: int
    slug: str
    name: str
    type: FieldType
    value: Any
    source: str
    updated_at: datetime


@dataclass(frozen=True)
class FieldChange:
    slug: str
    name: str
    old: Any
    new: Any  # None: cleared


def spec_of(field: CustomField) -> FieldSpec:
    return FieldSpec(
        id=field.id,
        slug=field.slug,
        name=field.name,
        type=FieldType(field.type),
        options=tuple(field.options or ()),
        default_currency=field.default_currency,
        extraction_hint=field.extraction_hint,
        pattern=field.pattern,
    )


def list_fields(session: Session) -> list[CustomField]:
    return list(session.scalars(sa.select(CustomField).order_by(CustomField.position, CustomField.id)).all())


def specs(session: Session) -> list[FieldSpec]:
    return [spec_of(f) for f in list_fields(session)]


def get_field(session: Session, ref: int | str) -> CustomField:
    """A field by id or slug."""
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        field = session.get(CustomField, int(ref))
    else:
        field = session.scalar(sa.select(CustomField).where(CustomField.slug == ref))
    if field is None:
        raise FieldNotFound(
            f"No custom field {ref!r}.", "List the fields with GET /api/fields or `docmill fields list`."
        )
    return field


def slug_of(name: str) -> str:
    """A slug from a name: lower-case ASCII words joined by underscores ('Due date' → 'due_date')."""
    words = re.findall(r"[a-z0-9]+", name.casefold())
    slug = "_".join(words)[:40].strip("_")
    if not slug or not slug[0].isalpha():
        slug = ("field_" + slug)[:40].strip("_")
    return slug


def _check_definition(name: str, slug: str, type_: FieldType, d: FieldDefinition, options: list[str]) -> None:
    if not 1 <= len(name) <= 100:
        raise FieldDefinitionError(
            "A field's name must have 1 to 100 characters.", "Give a short name such as 'Due date'."
        )
    if not SLUG.match(slug):
        raise FieldDefinitionError(
            f"The slug {slug!r} is not usable.",
            "Use lower-case letters, digits and _ (up to 40, starting with a letter), such as 'due_date'.",
        )
    if type_ is FieldType.SELECT and not options:
        raise FieldDefinitionError(
            "A select field needs options.", 'Give its choices, e.g. "options": ["paid", "open"].'
        )
    if len(options) > MAX_OPTIONS or any(not o.strip() or len(o) > 200 for o in options):
        raise FieldDefinitionError(
            f"A select field takes 1 to {MAX_OPTIONS} options of 1 to 200 characters.", "Shorten the list of options."
        )
    if len(set(options)) != len(options):
        raise FieldDefinitionError("A select field's options must differ.", "Remove the repeated option.")


def _clean_pattern(pattern: str | None) -> str | None:
    if pattern is None or not pattern.strip():
        return None
    try:
        re.compile(pattern)
    except re.error as exc:
        raise FieldDefinitionError(
            f"The pattern {pattern!r} is not a regular expression: {exc}.", r"Give one such as '[A-Z]{2}-\d{6}'."
        ) from None
    return pattern


def _clean_currency(currency: str | None) -> str | None:
    if currency is None or not currency.strip():
        return None
    code = currency.strip().upper()
    if not CURRENCY_CODE.match(code):
        raise FieldDefinitionError(
            f"{currency!r} is not a currency code.", "Give three letters such as KRW, USD or EUR."
        )
    return code


def create_field(session: Session, d: FieldDefinition) -> CustomField:
    if d.name is None or d.type is None:
        raise FieldDefinitionError("A field needs a name and a type.", "Give e.g. name 'Amount' and type 'money'.")
    name = d.name.strip()
    slug = (d.slug or slug_of(name)).strip()
    options = [o.strip() for o in (d.options or [])]
    _check_definition(name, slug, d.type, d, options)
    if session.scalar(sa.select(CustomField.id).where(CustomField.slug == slug)) is not None:
        raise FieldExists(f"A field with the slug {slug!r} exists.", "Choose another name or slug, or edit that field.")
    field = CustomField(
        name=name,
        slug=slug,
        type=d.type.value,
        options=options if d.type is FieldType.SELECT else [],
        default_currency=_clean_currency(d.default_currency),
        extraction_hint=(d.extraction_hint or "").strip() or None,
        pattern=_clean_pattern(d.pattern),
        position=d.position if d.position is not None else len(list_fields(session)),
    )
    session.add(field)
    session.flush()
    return field


def update_field(session: Session, ref: int | str, d: FieldDefinition) -> CustomField:
    """Change a field's name, options, hint, pattern, currency or position. Its slug and type stay."""
    field = get_field(session, ref)
    if d.type is not None and d.type.value != field.type:
        raise FieldDefinitionError(
            f"The type of '{field.name}' cannot change (its values are {field.type}).",
            "Define a new field of the other type instead.",
        )
    if d.slug is not None and d.slug != field.slug:
        raise FieldDefinitionError(f"The slug of '{field.name}' cannot change.", "Define a new field instead.")
    name = d.name.strip() if d.name is not None else field.name
    options = [o.strip() for o in d.options] if d.options is not None else list(field.options or [])
    _check_definition(name, field.slug, FieldType(field.type), d, options)
    field.name = name
    if d.options is not None and field.type == FieldType.SELECT:
        field.options = options
    if d.default_currency is not None:
        field.default_currency = _clean_currency(d.default_currency)
    if d.extraction_hint is not None:
        field.extraction_hint = d.extraction_hint.strip() or None
    if d.pattern is not None:
        field.pattern = _clean_pattern(d.pattern)
    if d.position is not None:
        field.position = d.position
    session.flush()
    return field


def delete_field(session: Session, ref: int | str) -> None:
    """Delete a field with every document's value of it and its suggestions."""
    session.delete(get_field(session, ref))
    session.flush()


def document_values(session: Session, document_id: int) -> list[FieldValueView]:
    rows = session.execute(
        sa.select(DocumentFieldValue, CustomField)
        .join(CustomField, CustomField.id == DocumentFieldValue.field_id)
        .where(DocumentFieldValue.document_id == document_id)
        .order_by(CustomField.position, CustomField.id)
    ).all()
    return [FieldValueView(f.id, f.slug, f.name, FieldType(f.type), v.value, v.source, v.updated_at) for v, f in rows]


def check_references(session: Session, spec: FieldSpec, typed: TypedValue, viewer: Viewer | None) -> None:
    """A document link must point at a live document the setter can see; a user field at a user."""
    if spec.type is FieldType.DOCUMENT_LINK:
        exists = session.scalar(sa.select(Document.id).where(Document.id == typed.value, Document.deleted_at.is_(None)))
        if exists is None or (viewer is not None and access_of(session, viewer, typed.value) is None):
            raise FieldValueError(spec, f"there is no document {typed.value} you can see")
    elif spec.type is FieldType.USER and session.get(User, typed.value) is None:
        raise FieldValueError(spec, f"there is no user {typed.value}")


def parse_values(
    session: Session, changes: Mapping[str, Any], viewer: Viewer | None = None
) -> dict[str, tuple[FieldSpec, TypedValue | None]]:
    """Validate {slug: raw value or None (clear)} against the fields; every error names its field."""
    by_slug = {s.slug: s for s in specs(session)}
    parsed: dict[str, tuple[FieldSpec, TypedValue | None]] = {}
    for slug, raw in changes.items():
        spec = by_slug.get(slug)
        if spec is None:
            raise FieldNotFound(
                f"No custom field {slug!r}.", "Known fields: " + (", ".join(sorted(by_slug)) or "none yet") + "."
            )
        if raw is None:
            parsed[slug] = (spec, None)
            continue
        typed = parse_value(spec, raw)
        check_references(session, spec, typed, viewer)
        parsed[slug] = (spec, typed)
    return parsed


def set_values(
    session: Session,
    document_id: int,
    changes: Mapping[str, Any],
    *,
    source: str = "user",
    actor_id: int | None = None,
    viewer: Viewer | None = None,
) -> list[FieldChange]:
    """Set (or clear, with None) a document's field values; returns only what actually changed.

    `viewer` (None: the system) must be able to change the document and, for document links, see the target.
    """
    access = access_of(session, viewer, document_id) if viewer is not None else Access.OWNER
    if access is None or access < Access.EDIT:
        raise NotFound(
            f"No document {document_id} you can change.", "Check the id, or ask its owner to share it to edit."
        )
    parsed = parse_values(session, changes, viewer)
    current = {v.slug: v.value for v in document_values(session, document_id)}
    out: list[FieldChange] = []
    for slug, (spec, typed) in parsed.items():
        old = current.get(slug)
        if typed is None:
            if old is not None:
                session.execute(
                    sa.delete(DocumentFieldValue).where(
                        DocumentFieldValue.document_id == document_id, DocumentFieldValue.field_id == spec.id
                    )
                )
                out.append(FieldChange(slug, spec.name, old, None))
            continue
        if old == typed.value:
            continue
        columns = {
            "value": typed.value,
            "num": typed.num,
            "day": typed.day,
            "txt": typed.txt,
            "flag": typed.flag,
            "source": source,
            "set_by": actor_id,
            "updated_at": sa.func.now(),
        }
        session.execute(
            insert(DocumentFieldValue)
            .values(document_id=document_id, field_id=spec.id, **columns)
            .on_conflict_do_update(index_elements=["document_id", "field_id"], set_=columns)
        )
        out.append(FieldChange(slug, spec.name, old, typed.value))
    if out:
        session.execute(sa.update(Document).where(Document.id == document_id).values(updated_at=sa.func.now()))
    return out
