"""Running rules: in the transaction of the change that triggers them, in position order, each in its own
savepoint. A rule that raises is rolled back alone, logged and recorded as an error; the triggering
change (a stage's result, an upload, an edit) goes on."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from pydantic import TypeAdapter
from sqlalchemy.orm import Session

from docmill.errors import DocmillError
from docmill.fields.service import specs as field_specs
from docmill.fields.types import FieldSpec
from docmill.models import Document, WorkflowRule, WorkflowRun
from docmill.workflows.actions import RuleRef, apply_action
from docmill.workflows.conditions import matches, read_facts
from docmill.workflows.types import Action, Change, Condition, Match, Outcome, RuleSpec, Source, Trigger

log = logging.getLogger(__name__)

_CONDITIONS: TypeAdapter[list[Condition]] = TypeAdapter(list[Condition])
_ACTIONS: TypeAdapter[list[Action]] = TypeAdapter(list[Action])


@dataclass(frozen=True)
class LoadedRule:
    ref: RuleRef
    trigger: Trigger
    sources: tuple[Source, ...]
    match: Match
    conditions: list[Condition]
    actions: list[Action]

    @classmethod
    def of_spec(cls, spec: RuleSpec, rule_id: int | None = None) -> LoadedRule:
        return cls(
            RuleRef(rule_id, spec.name),
            spec.trigger,
            tuple(spec.sources),
            spec.match,
            list(spec.conditions),
            list(spec.actions),
        )


_parsed: dict[tuple[int, datetime], LoadedRule] = {}


def load_rule(rule: WorkflowRule) -> LoadedRule:
    """A stored rule, parsed once per version (its updated_at)."""
    key = (rule.id, rule.updated_at)
    loaded = _parsed.get(key)
    if loaded is None:
        loaded = LoadedRule(
            RuleRef(rule.id, rule.name),
            Trigger(rule.trigger),
            tuple(Source(s) for s in rule.sources or ()),
            Match(rule.match),
            _CONDITIONS.validate_python(rule.conditions),
            _ACTIONS.validate_python(rule.actions),
        )
        if len(_parsed) > 1000:
            _parsed.clear()
        _parsed[key] = loaded
    return loaded


def rules_for(session: Session, trigger: Trigger) -> list[LoadedRule]:
    rows = session.scalars(
        sa.select(WorkflowRule)
        .where(WorkflowRule.enabled.is_(True), WorkflowRule.trigger == trigger.value)
        .order_by(WorkflowRule.position, WorkflowRule.id)
    ).all()
    return [load_rule(r) for r in rows]


@dataclass
class RuleResult:
    rule: RuleRef
    outcome: Outcome
    changes: list[Change] = field(default_factory=list)
    error: str | None = None


def applies(rule: LoadedRule, session: Session, document: Document, specs: dict[str, FieldSpec]) -> bool:
    if rule.sources and document.source not in {s.value for s in rule.sources}:
        return False
    return matches(rule.conditions, rule.match, read_facts(session, document, specs))


def apply_rule(session: Session, document: Document, rule: LoadedRule, trigger: Trigger) -> list[Change]:
    changes: list[Change] = []
    for action in rule.actions:
        changes.extend(apply_action(session, document, action, rule.ref, trigger))
    session.flush()
    return changes


def record_result(session: Session, document_id: int, trigger: Trigger, result: RuleResult) -> None:
    session.add(
        WorkflowRun(
            rule_id=result.rule.id,
            rule_name=result.rule.name,
            document_id=document_id,
            trigger=trigger.value,
            outcome=result.outcome.value,
            changes=[c.as_json() for c in result.changes],
            error=result.error,
        )
    )
    session.flush()


def run_rule(
    session: Session, document: Document, rule: LoadedRule, trigger: Trigger, specs: dict[str, FieldSpec]
) -> RuleResult | None:
    """Run one rule on a document in a savepoint; None when its conditions do not match."""
    document_id = document.id
    try:
        with session.begin_nested():
            if not applies(rule, session, document, specs):
                return None
            changes = apply_rule(session, document, rule, trigger)
        return RuleResult(rule.ref, Outcome.APPLIED if changes else Outcome.NO_CHANGE, changes)
    except DocmillError as exc:
        log.warning("workflow %r on document %s: %s", rule.ref.name, document_id, exc)
        return RuleResult(rule.ref, Outcome.ERROR, error=str(exc))
    except Exception as exc:
        log.exception("workflow %r failed on document %s", rule.ref.name, document_id)
        return RuleResult(rule.ref, Outcome.ERROR, error=f"{type(exc).__name__}: {exc}")


def run_rules(
    session: Session, document: Document, trigger: Trigger, *, record_no_change: bool = True
) -> list[RuleResult]:
    """Run the enabled rules of this trigger on the document, in order, and record each that matched.

    Called inside the triggering transaction (it never commits). A later rule sees what earlier ones did.
    """
    rules = rules_for(session, trigger)
    if not rules:
        return []
    specs = {s.slug: s for s in field_specs(session)}
    document_id = document.id
    results: list[RuleResult] = []
    for rule in rules:
        result = run_rule(session, document, rule, trigger, specs)
        if result is None:
            continue
        results.append(result)
        if result.outcome is not Outcome.NO_CHANGE or record_no_change:
            record_result(session, document_id, trigger, result)
        if result.outcome is Outcome.ERROR:
            refreshed = session.get(Document, document_id)
            if refreshed is None:
                break
            document = refreshed
    return results


def run_rules_by_id(session: Session, document_id: int, trigger: Trigger) -> list[RuleResult]:
    document = session.get(Document, document_id)
    if document is None:
        return []
    return run_rules(session, document, trigger)
