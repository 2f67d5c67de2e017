"""Workflow rules (admins): list, create, get, change, delete, reorder, rotate the webhook secret, dry-run,
runs and webhook deliveries; and every signed-in user's view of a document's workflow history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from docmill.api.deps import AdminUser, CurrentUser, DbSession, require_admin, settings_dep
from docmill.api.errors import ErrorBody, error_doc
from docmill.api.schemas.common import DocumentIdPath
from docmill.api.schemas.workflows import (
    DeliveryOut,
    DryRunOut,
    OrderIn,
    RuleCreated,
    RuleIdPath,
    RuleIn,
    RuleOut,
    RunOut,
    SecretOut,
)
from docmill.config import Settings
from docmill.models import WorkflowRule
from docmill.permissions import access as permissions
from docmill.workflows import service
from docmill.workflows.types import Outcome

router = APIRouter(
    prefix="/workflows",
    tags=["workflows"],
    dependencies=[Depends(require_admin)],
    responses={403: error_doc("Not an admin")},
)
documents_router = APIRouter(prefix="/documents", tags=["workflows"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorBody, "description": "No such rule"}}
SettingsDep = Annotated[Settings, Depends(settings_dep)]
Limit = Annotated[int, Query(ge=1, le=500, description="How many, the newest first.")]


def _out(session: DbSession, rule: WorkflowRule, model: type[RuleOut] = RuleOut, **extra: Any) -> Any:
    runs = service.rule_runs(session, rule.id, limit=100)
    errors = [r for r in runs if r.outcome == Outcome.ERROR.value]
    last_error = runs[0].error if runs and runs[0].outcome == Outcome.ERROR.value else None
    return model.model_validate(
        {**RuleOut.model_validate(rule).model_dump(), "errors": len(errors), "last_error": last_error, **extra}
    )


@router.get("", response_model=list[RuleOut], summary="List the rules in order")
def list_rules(session: DbSession) -> list[RuleOut]:
    return [_out(session, r) for r in service.list_rules(session)]


@router.post("", response_model=RuleCreated, status_code=201, summary="Create a rule (its webhook secret shown once)")
def create_rule(session: DbSession, settings: SettingsDep, user: AdminUser, body: RuleIn) -> RuleCreated:
    created = service.create_rule(session, settings, body, created_by=user.id)
    session.commit()
    return _out(session, created.rule, RuleCreated, secret=created.secret)


@router.post("/order", response_model=list[RuleOut], summary="Reorder the rules")
def reorder(session: DbSession, body: OrderIn) -> list[RuleOut]:
    rules = service.reorder(session, body.ids)
    session.commit()
    return [_out(session, r) for r in rules]


@router.post("/dry-run", response_model=DryRunOut, summary="Dry-run an unsaved rule: what it would match and change")
def dry_run_unsaved(session: DbSession, user: AdminUser, body: RuleIn, limit: Limit = 50) -> DryRunOut:
    result = service.dry_run_spec(session, user.viewer, body, limit=limit)
    session.rollback()
    return DryRunOut.model_validate(result)


@router.get("/runs", response_model=list[RunOut], summary="Recent runs of every rule")
def all_runs(session: DbSession, limit: Limit = 100) -> list[RunOut]:
    return [RunOut.model_validate(r) for r in service.rule_runs(session, None, limit=limit)]


@router.get("/{rule_id}", response_model=RuleOut, responses=NOT_FOUND, summary="Get a rule")
def get_rule(session: DbSession, rule_id: RuleIdPath) -> RuleOut:
    return _out(session, service.get_rule(session, rule_id))


@router.put("/{rule_id}", response_model=RuleOut, responses=NOT_FOUND, summary="Change a rule")
def update_rule(session: DbSession, rule_id: RuleIdPath, body: RuleIn) -> RuleOut:
    rule = service.update_rule(session, rule_id, body)
    session.commit()
    return _out(session, rule)


@router.delete("/{rule_id}", status_code=204, responses=NOT_FOUND, summary="Delete a rule (its runs stay)")
def delete_rule(session: DbSession, rule_id: RuleIdPath) -> None:
    service.delete_rule(session, rule_id)
    session.commit()


@router.post("/{rule_id}/secret", response_model=SecretOut, responses=NOT_FOUND, summary="New webhook secret")
def rotate_secret(session: DbSession, settings: SettingsDep, rule_id: RuleIdPath) -> SecretOut:
    secret = service.rotate_secret(session, settings, rule_id)
    session.commit()
    return SecretOut(secret=secret)


@router.post("/{rule_id}/dry-run", response_model=DryRunOut, responses=NOT_FOUND, summary="Dry-run a saved rule")
def dry_run_saved(session: DbSession, user: AdminUser, rule_id: RuleIdPath, limit: Limit = 50) -> DryRunOut:
    result = service.dry_run_saved(session, user.viewer, rule_id, limit=limit)
    session.rollback()
    return DryRunOut.model_validate(result)


@router.get("/{rule_id}/runs", response_model=list[RunOut], responses=NOT_FOUND, summary="A rule's recent runs")
def rule_runs(session: DbSession, rule_id: RuleIdPath, limit: Limit = 100) -> list[RunOut]:
    return [RunOut.model_validate(r) for r in service.rule_runs(session, rule_id, limit=limit)]


@router.get("/{rule_id}/deliveries", response_model=list[DeliveryOut], responses=NOT_FOUND, summary="A rule's webhooks")
def rule_deliveries(session: DbSession, rule_id: RuleIdPath, limit: Limit = 50) -> list[DeliveryOut]:
    return [DeliveryOut.model_validate(d) for d in service.deliveries(session, rule_id, limit=limit)]


@documents_router.get(
    "/{document_id}/workflow-runs",
    response_model=list[RunOut],
    responses={404: {"model": ErrorBody, "description": "No such document"}},
    summary="What workflows did to a document",
)
def document_runs(
    session: DbSession, user: CurrentUser, document_id: DocumentIdPath, limit: Limit = 100
) -> list[RunOut]:
    permissions.require(session, user.viewer, document_id)
    return [RunOut.model_validate(r) for r in service.document_runs(session, document_id, limit=limit)]
