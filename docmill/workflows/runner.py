"""The workflow runner: a thread (in the api and in the worker) that every DOCMILL_WORKFLOW_INTERVAL seconds
delivers due webhooks and runs the scheduled rules that are due.

A scheduled rule runs over every live document, in one transaction holding the rule's advisory lock (one
process at a time), then records when it ran; documents it changes get a run each, unchanged ones none.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import sqlalchemy as sa

from docmill.config import Settings
from docmill.db.engine import Database
from docmill.fields.service import specs as field_specs
from docmill.models import Document, WorkflowRule
from docmill.periodic import Periodic
from docmill.workflows.engine import RuleResult, load_rule, record_result, run_rule
from docmill.workflows.types import Outcome, Trigger
from docmill.workflows.webhooks import QUERIES, RoundResult, deliver_due

log = logging.getLogger(__name__)

LOCK_NAMESPACE = 0x77666C77  # "wflw"
BATCH = 500


@dataclass(frozen=True)
class _Id:
    id: int


@dataclass
class ScheduledResult:
    rules: int = 0
    documents: int = 0
    results: list[RuleResult] = field(default_factory=list)


def run_scheduled_rule(database: Database, rule_id: int) -> ScheduledResult | None:
    """Run one scheduled rule over every live document; None when another process holds it or it is not due."""
    out = ScheduledResult()
    with database.session() as session, session.begin():
        if not QUERIES.scalar(session, "try_schedule_lock", {"namespace": LOCK_NAMESPACE, "rule_id": rule_id}):
            return None
        if rule_id not in {r.id for r in QUERIES.all(session, "due_scheduled_rules", row=_Id)}:
            return None  # another process ran it since we looked
        rule = session.get(WorkflowRule, rule_id)
        assert rule is not None
        loaded = load_rule(rule)
        specs = {s.slug: s for s in field_specs(session)}
        last = 0
        while True:
            ids = session.scalars(
                sa.select(Document.id)
                .where(Document.deleted_at.is_(None), Document.id > last)
                .order_by(Document.id)
                .limit(BATCH)
            ).all()
            if not ids:
                break
            for doc_id in ids:
                document = session.get(Document, doc_id)
                if document is None:
                    continue
                result = run_rule(session, document, loaded, Trigger.SCHEDULED, specs)
                out.documents += 1
                if result is not None and result.outcome is not Outcome.NO_CHANGE:
                    record_result(session, doc_id, Trigger.SCHEDULED, result)
                    out.results.append(result)
            last = ids[-1]
            session.expunge_all()
        session.execute(
            sa.update(WorkflowRule).where(WorkflowRule.id == rule_id).values(last_scheduled_at=sa.func.now())
        )
    out.rules = 1
    return out


def run_due_scheduled(database: Database) -> ScheduledResult:
    total = ScheduledResult()
    with database.session() as session:
        due = [r.id for r in QUERIES.all(session, "due_scheduled_rules", row=_Id)]
    for rule_id in due:
        one = run_scheduled_rule(database, rule_id)
        if one is not None:
            total.rules += one.rules
            total.documents += one.documents
            total.results.extend(one.results)
    return total


def run_once(database: Database, settings: Settings) -> tuple[RoundResult, ScheduledResult]:
    return deliver_due(database, settings), run_due_scheduled(database)


class WorkflowRunner(Periodic):
    """The runner's thread; start() after the schema check, stop() at shutdown."""

    def __init__(self, database: Database, settings: Settings) -> None:
        self.database, self.settings = database, settings
        super().__init__(
            "docmill-workflows",
            settings.workflow_interval,
            lambda: run_once(database, settings),
            join_s=settings.webhook_timeout_s + 5,
        )

    def start(self) -> None:
        if self.settings.workflow_interval > 0:
            super().start()
