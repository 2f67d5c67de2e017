"""Custom fields: GET /api/fields (everyone signed in), POST/PATCH/DELETE (admins); a document's values:
GET (who may see it) and PUT (who may change it) /api/documents/{id}/fields."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from docmill.api.deps import AdminUser, CurrentUser, DbSession
from docmill.api.errors import CONFLICT, NOT_FOUND, error_doc
from docmill.api.routes.documents import load_document
from docmill.api.schemas.common import MAX_BIGINT, DocumentIdPath
from docmill.api.schemas.fields import (
    CustomFieldCreate,
    CustomFieldOut,
    CustomFieldUpdate,
    DocumentFields,
    DocumentFieldsUpdate,
    DocumentFieldsUpdated,
    FieldChangeOut,
    FieldValue,
)
from docmill.audit import log as audit
from docmill.fields import service
from docmill.fields.filters import UnknownFieldError
from docmill.fields.types import accepted_forms
from docmill.models import CustomField
from docmill.permissions.access import Access
from docmill.workflows.engine import run_rules_by_id
from docmill.workflows.types import Trigger

router = APIRouter(tags=["fields"])

FieldIdPath = Annotated[int, Path(ge=1, le=MAX_BIGINT, description="Custom field id.")]
INVALID_VALUE = {422: error_doc("A value the field does not accept: error.field names it, error.accepted says what")}


def field_out(row: CustomField) -> CustomFieldOut:
    return CustomFieldOut(
        id=row.id,
        slug=row.slug,
        name=row.name,
        type=row.type,
        options=list(row.options or []),
        default_currency=row.default_currency,
        extraction_hint=row.extraction_hint,
        pattern=row.pattern,
        position=row.position,
        accepted=accepted_forms(service.spec_of(row)),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def values_out(session: DbSession, document_id: int) -> list[FieldValue]:
    return [FieldValue.model_validate(v, from_attributes=True) for v in service.document_values(session, document_id)]


@router.get("/fields", response_model=list[CustomFieldOut], summary="The custom fields, in their order")
def list_fields(session: DbSession, user: CurrentUser) -> list[CustomFieldOut]:
    return [field_out(f) for f in service.list_fields(session)]


@router.post(
    "/fields",
    response_model=CustomFieldOut,
    status_code=201,
    responses={**CONFLICT, 422: error_doc("An unusable definition")},
    summary="Define a custom field (admins)",
)
def create_field(session: DbSession, admin: AdminUser, body: CustomFieldCreate) -> CustomFieldOut:
    row = service.create_field(session, service.FieldDefinition(**body.model_dump()))
    audit.record(session, admin, audit.AuditAction.EDIT, "field", row.id, {"created": row.slug, "type": row.type})
    session.commit()
    return field_out(row)


@router.patch(
    "/fields/{field_id}",
    response_model=CustomFieldOut,
    responses={**NOT_FOUND, 422: error_doc("An unusable definition")},
    summary="Change a custom field's name, options, currency, hint, pattern or position (admins)",
)
def update_field(
    session: DbSession, admin: AdminUser, field_id: FieldIdPath, body: CustomFieldUpdate
) -> CustomFieldOut:
    row = service.update_field(session, field_id, service.FieldDefinition(**body.model_dump(exclude_unset=True)))
    audit.record(session, admin, audit.AuditAction.EDIT, "field", row.id, {"changed": sorted(body.model_fields_set)})
    session.commit()
    return field_out(row)


@router.delete(
    "/fields/{field_id}",
    status_code=204,
    responses=NOT_FOUND,
    summary="Delete a custom field with every document's value of it (admins)",
)
def delete_field(session: DbSession, admin: AdminUser, field_id: FieldIdPath) -> Response:
    slug = service.get_field(session, field_id).slug
    service.delete_field(session, field_id)
    audit.record(session, admin, audit.AuditAction.DELETE, "field", field_id, {"slug": slug})
    session.commit()
    return Response(status_code=204)


@router.get(
    "/documents/{document_id}/fields",
    response_model=DocumentFields,
    responses=NOT_FOUND,
    summary="A document's custom field values",
)
def document_fields(session: DbSession, user: CurrentUser, document_id: DocumentIdPath) -> DocumentFields:
    load_document(session, user, document_id)
    return DocumentFields(document_id=document_id, values=values_out(session, document_id))


@router.put(
    "/documents/{document_id}/fields",
    response_model=DocumentFieldsUpdated,
    responses={**NOT_FOUND, **INVALID_VALUE},
    summary="Set or clear (null) a document's custom field values, all or none",
)
def set_document_fields(
    session: DbSession, user: CurrentUser, document_id: DocumentIdPath, body: DocumentFieldsUpdate
) -> DocumentFieldsUpdated:
    load_document(session, user, document_id, Access.EDIT)
    known = {s.slug for s in service.specs(session)}
    unknown = sorted(set(body.values) - known)
    if unknown:
        raise UnknownFieldError(unknown[0], known)
    changes = service.set_values(session, document_id, body.values, source="user", actor_id=user.id, viewer=user.viewer)
    if changes:
        detail = {"fields": {c.slug: {"old": c.old, "new": c.new} for c in changes}}
        audit.record(session, user, audit.AuditAction.EDIT, "document", document_id, detail)
        run_rules_by_id(session, document_id, Trigger.UPDATED)  # workflows: the same transaction
    session.commit()
    return DocumentFieldsUpdated(
        document_id=document_id,
        values=values_out(session, document_id),
        changed=[FieldChangeOut(slug=c.slug, name=c.name, old=c.old, new=c.new) for c in changes],
    )
