"""Managing rules (admins), their runs, and the dry-run: which visible documents a rule would match and what
it would change, computed by really running it in a savepoint that is rolled back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from docmill.config import Settings
from docmill.errors import Invalid, NotFound
from docmill.fields.service import parse_values
from docmill.fields.service import specs as field_specs
from docmill.fields.types import parse_value
from docmill.models import Document, WebhookDelivery, WorkflowRule, WorkflowRun
from docmill.permissions.access import Viewer, view_clause
from docmill.workflows import secrets
from docmill.workflows.engine import LoadedRule, applies, apply_rule, load_rule
from docmill.workflows.types import Change, RuleSpec

DRY_RUN_SCAN = 5000
BATCH = 200


class RuleNotFound(NotFound):
    code = "workflow_not_found"


@dataclass(frozen=True)
class CreatedRule:
    rule: WorkflowRule
    secret: str  # shown once


def _columns(spec: RuleSpec) -> dict[str, Any]:
    dumped = spec.model_dump(mode="json")
    return {
        "name": spec.name.strip(),
        "enabled": spec.enabled,
        "trigger": spec.trigger.value,
        "sources": dumped["sources"],
        "schedule_minutes": spec.schedule_minutes,
        "match": spec.match.value,
        "conditions": dumped["conditions"],
        "actions": dumped["actions"],
    }


def _check_fields(session: Session, spec: RuleSpec) -> None:
    """Field conditions and set-fields actions must name fields that exist, with values they accept."""
    known = {s.slug: s for s in field_specs(session)}
    for cond in spec.conditions:
        if cond.type == "field":
            if cond.field not in known:
                raise Invalid(
                    f"the condition names the field {cond.field!r}, which does not exist",
                    "known fields: " + (", ".join(sorted(known)) or "none yet"),
                    code="invalid_workflow",
                )
            if cond.value is not None:
                parse_value(known[cond.field], cond.value)
    for action in spec.actions:
        if action.type == "set_fields":
            parse_values(session, action.values)


def list_rules(session: Session) -> list[WorkflowRule]:
    return list(session.scalars(sa.select(WorkflowRule).order_by(WorkflowRule.position, WorkflowRule.id)).all())


def get_rule(session: Session, rule_id: int) -> WorkflowRule:
    rule = session.get(WorkflowRule, rule_id)
    if rule is None:
        raise RuleNotFound(f"there is no workflow rule {rule_id}", "list the rules: GET /api/workflows")
    return rule


def create_rule(session: Session, settings: Settings, spec: RuleSpec, *, created_by: int | None) -> CreatedRule:
    _check_fields(session, spec)
    secret = secrets.new_secret()
    position = session.scalar(sa.select(sa.func.coalesce(sa.func.max(WorkflowRule.position) + 1, 0)))
    rule = WorkflowRule(
        **_columns(spec), position=position, secret=secrets.encrypt(settings, secret), created_by=created_by
    )
    session.add(rule)
    session.flush()
    session.refresh(rule)
    return CreatedRule(rule, secret)


def update_rule(session: Session, rule_id: int, spec: RuleSpec) -> WorkflowRule:
    _check_fields(session, spec)
    rule = get_rule(session, rule_id)
    for key, value in _columns(spec).items():
        setattr(rule, key, value)
    rule.updated_at = sa.func.clock_timestamp()  # type: ignore[assignment]  (a new version for the parse cache)
    session.flush()
    session.refresh(rule)
    return rule


def rotate_secret(session: Session, settings: Settings, rule_id: int) -> str:
    rule = get_rule(session, rule_id)
    secret = secrets.new_secret()
    rule.secret = secrets.encrypt(settings, secret)
    session.flush()
    return secret


def delete_rule(session: Session, rule_id: int) -> None:
    session.delete(get_rule(session, rule_id))
    session.flush()


def reorder(session: Session, ids: Sequence[int]) -> list[WorkflowRule]:
    """Set the order of the rules: `ids` must list every rule once."""
    rules = {r.id: r for r in list_rules(session)}
    if sorted(ids) != sorted(rules):
        missing = sorted(set(rules) - set(ids))
        unknown = sorted(set(ids) - set(rules))
        raise Invalid(
            "the new order must list every rule exactly once"
            + (f"; missing: {missing}" if missing else "")
            + (f"; unknown: {unknown}" if unknown else ""),
            "send the ids of GET /api/workflows in the order wanted",
            code="invalid_workflow_order",
        )
    for position, rule_id in enumerate(ids):
        rules[rule_id].position = position
    session.flush()
    return list_rules(session)


def rule_runs(session: Session, rule_id: int | None = None, *, limit: int = 100) -> list[WorkflowRun]:
    query = sa.select(WorkflowRun).order_by(WorkflowRun.at.desc(), WorkflowRun.id.desc()).limit(limit)
    if rule_id is not None:
        get_rule(session, rule_id)
        query = query.where(WorkflowRun.rule_id == rule_id)
    return list(session.scalars(query).all())


def document_runs(session: Session, document_id: int, *, limit: int = 100) -> list[WorkflowRun]:
    """A document's workflow history (the caller has checked it may see the document)."""
    return list(
        session.scalars(
            sa.select(WorkflowRun)
            .where(WorkflowRun.document_id == document_id)
            .order_by(WorkflowRun.at.desc(), WorkflowRun.id.desc())
            .limit(limit)
        ).all()
    )


def deliveries(session: Session, rule_id: int, *, limit: int = 50) -> list[WebhookDelivery]:
    get_rule(session, rule_id)
    return list(
        session.scalars(
            sa.select(WebhookDelivery)
            .where(WebhookDelivery.rule_id == rule_id)
            .order_by(WebhookDelivery.id.desc())
            .limit(limit)
        ).all()
    )


@dataclass(frozen=True)
class DryRunMatch:
    document_id: int
    title: str | None
    original_name: str | None
    changes: list[Change]
    error: str | None = None


@dataclass(frozen=True)
class DryRun:
    scanned: int
    matched: int
    truncated: bool  # more documents than DRY_RUN_SCAN, or more matches than the limit
    matches: list[DryRunMatch]


def _dry_run_one(session: Session, document: Document, rule: LoadedRule, specs: dict[str, Any]) -> DryRunMatch | None:
    savepoint = session.begin_nested()
    try:
        if not applies(rule, session, document, specs):
            return None
        changes = apply_rule(session, document, rule, rule.trigger)
        return DryRunMatch(document.id, document.title, document.original_name, changes)
    except Exception as exc:
        return DryRunMatch(document.id, document.title, document.original_name, [], str(exc))
    finally:
        savepoint.rollback()


def dry_run(session: Session, viewer: Viewer, rule: LoadedRule, *, limit: int = 50) -> DryRun:
    """Which of the viewer's documents the rule matches now and what it would change; nothing is written."""
    specs = {s.slug: s for s in field_specs(session)}
    scanned = 0
    found: list[DryRunMatch] = []
    matched = 0
    last: int | None = None
    while scanned < DRY_RUN_SCAN:
        query = (
            sa.select(Document.id)
            .where(Document.deleted_at.is_(None), view_clause(viewer, Document.id))
            .order_by(Document.id.desc())
            .limit(min(BATCH, DRY_RUN_SCAN - scanned))
        )
        if last is not None:
            query = query.where(Document.id < last)
        ids = session.scalars(query).all()
        if not ids:
            break
        for doc_id in ids:
            document = session.get(Document, doc_id)
            if document is None:
                continue
            scanned += 1
            hit = _dry_run_one(session, document, rule, specs)
            if hit is not None:
                matched += 1
                if len(found) < limit:
                    found.append(hit)
        last = ids[-1]
    more = session.scalar(
        sa.select(sa.func.count()).where(
            Document.deleted_at.is_(None), view_clause(viewer, Document.id), Document.id < (last or 0)
        )
    )
    return DryRun(scanned, matched, bool(more) or matched > len(found), found)


def dry_run_saved(session: Session, viewer: Viewer, rule_id: int, *, limit: int = 50) -> DryRun:
    return dry_run(session, viewer, load_rule(get_rule(session, rule_id)), limit=limit)


def dry_run_spec(session: Session, viewer: Viewer, spec: RuleSpec, *, limit: int = 50) -> DryRun:
    _check_fields(session, spec)
    return dry_run(session, viewer, LoadedRule.of_spec(spec), limit=limit)
