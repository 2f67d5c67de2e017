"""Rules run on a document: each condition, each action, idempotence, errors kept to their rule, triggers."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from docmill.api.services.documents import update_document
from docmill.config import Settings
from docmill.db.engine import Database
from docmill.fields.service import FieldDefinition, create_field, document_values, set_values
from docmill.fields.types import FieldType
from docmill.ingest.service import ingest_path
from docmill.library.service import get_or_create_category, save_pending_suggestion
from docmill.models import Document, DocumentShare, FieldSuggestion, LibrarySuggestion, User, WebhookDelivery
from docmill.workflows import runner, service
from docmill.workflows.engine import run_rules_by_id
from docmill.workflows.types import Outcome, RuleSpec, Trigger
from tests.workflows.conftest import MakeDoc, MakeRule, load, runs


def run(database: Database, doc_id: int, trigger: Trigger = Trigger.UPDATED) -> list:
    with database.transaction() as session:
        return run_rules_by_id(session, doc_id, trigger)


def fields(database: Database) -> None:
    with database.transaction() as session:
        create_field(session, FieldDefinition(name="Amount", type=FieldType.MONEY, default_currency="KRW"))
        create_field(session, FieldDefinition(name="Due date", type=FieldType.DATE))
        create_field(session, FieldDefinition(name="Status", type=FieldType.SELECT, options=["open", "paid"]))


def user(database: Database, name: str) -> int:
    with database.transaction() as session:
        u = User(username=name, password_hash="x", is_admin=False)
        session.add(u)
        session.flush()
        return u.id


TAG = [{"type": "add_tags", "tags": ["hit"]}]


@pytest.mark.parametrize(
    ("condition", "hit", "miss"),
    [
        ({"type": "kind", "kinds": ["text"]}, {}, {"kind": "pdf"}),
        ({"type": "media_type", "media_types": ["text/*"]}, {}, {"media_type": "application/pdf"}),
        ({"type": "source", "sources": ["inbox"]}, {"source": "inbox"}, {"source": "upload"}),
        ({"type": "name_glob", "pattern": "*.PDF"}, {"name": "bill-03.pdf"}, {"name": "bill-03.txt"}),
        ({"type": "text_contains", "text": "관리비"}, {"markdown": "3월 관리비 고지서"}, {"markdown": "전기 요금"}),
        (
            {"type": "text_regex", "pattern": r"invoice\s+no\.?\s*\d+"},
            {"markdown": "Invoice No. 42"},
            {"markdown": "x"},
        ),
        ({"type": "tag", "tag": "Bills"}, {"tags": ["bills"]}, {"tags": ["other"]}),
        ({"type": "tag", "tag": "bills", "absent": True}, {"tags": []}, {"tags": ["bills"]}),
    ],
)
def test_each_condition_matches_and_misses(
    database: Database, make_rule: MakeRule, doc: MakeDoc, condition: dict, hit: dict, miss: dict
) -> None:
    make_rule(trigger="updated", conditions=[condition], actions=TAG)
    args = {k: hit.pop(k) for k in ("markdown",) if k in hit}
    matching = doc(args.get("markdown", ""), **hit) if "name" not in hit else doc(name=hit.pop("name"), **hit)
    args = {k: miss.pop(k) for k in ("markdown",) if k in miss}
    other = doc(args.get("markdown", ""), **miss) if "name" not in miss else doc(name=miss.pop("name"), **miss)
    run(database, matching)
    run(database, other)
    assert load(database, matching)[0].tags[-1:] == ["hit"]
    assert "hit" not in load(database, other)[0].tags
    assert [r.outcome for r in runs(database, matching)] == ["applied"]
    assert runs(database, other) == []


def test_category_owner_and_field_conditions(database: Database, make_rule: MakeRule, doc: MakeDoc) -> None:
    fields(database)
    bob = user(database, "bob")
    make_rule(
        trigger="updated",
        conditions=[
            {"type": "category", "path": "home", "prefix": True},
            {"type": "owner", "usernames": ["bob"]},
            {"type": "field", "field": "amount", "op": ">", "value": "100,000"},
            {"type": "field", "field": "due_date", "op": "<", "value": "2026-12-31"},
            {"type": "field", "field": "status", "op": "empty"},
        ],
        actions=TAG,
    )
    ids = [doc("x", owner_id=bob) for _ in range(4)]

    with database.transaction() as session:
        bills = get_or_create_category(session, "Home/Bills").id
        other = get_or_create_category(session, "Work").id
        for i, doc_id in enumerate(ids):
            session.execute(
                sa.text("UPDATE documents SET category_id = :c WHERE id = :i"),
                {"c": other if i == 1 else bills, "i": doc_id},
            )
            set_values(session, doc_id, {"amount": "150000" if i != 2 else "90000", "due_date": "2026-03-14"})
        set_values(session, ids[3], {"status": "paid"})
    for doc_id in ids:
        run(database, doc_id)
    assert ["hit" in load(database, d)[0].tags for d in ids] == [True, False, False, False]


def test_any_of_matches_when_one_condition_does(database: Database, make_rule: MakeRule, doc: MakeDoc) -> None:
    make_rule(
        trigger="updated",
        match="any",
        conditions=[{"type": "text_contains", "text": "gas"}, {"type": "text_contains", "text": "water"}],
        actions=TAG,
    )
    water, neither = doc("the water bill"), doc("a letter")
    run(database, water)
    run(database, neither)
    assert "hit" in load(database, water)[0].tags and "hit" not in load(database, neither)[0].tags


def test_every_action_then_running_again_changes_nothing(database: Database, make_rule: MakeRule, doc: MakeDoc) -> None:
    fields(database)
    user(database, "carol")
    with database.transaction() as session:
        session.add(User(username="dave", password_hash="x", is_admin=False))
    doc_id = doc("관리비 125,000원", tags=["old", "keep"])
    with database.transaction() as session:
        field_id = session.scalar(sa.text("SELECT id FROM custom_fields WHERE slug = 'due_date'"))
        session.add(FieldSuggestion(document_id=doc_id, field_id=field_id, value="2026-04-30", method="offline"))
    make_rule(
        trigger="updated",
        actions=[
            {"type": "set_category", "path": "Home / Bills"},
            {"type": "add_tags", "tags": ["관리비", "keep"]},
            {"type": "remove_tags", "tags": ["OLD"]},
            {"type": "set_fields", "values": {"amount": "125000", "status": "open"}},
            {"type": "apply_suggestions"},
            {"type": "set_owner", "username": "carol"},
            {"type": "share", "username": "dave", "permission": "edit"},
            {"type": "webhook", "url": "http://127.0.0.1:9/hook"},
        ],
    )
    first = run(database, doc_id)
    assert [r.outcome for r in first] == [Outcome.APPLIED]
    summaries = [c.summary for c in first[0].changes]
    assert summaries[:3] == ["set category Home/Bills", "added tag 관리비", "removed tag old"]
    assert "set field Amount to 125000 KRW" in summaries and "set field Due date to 2026-04-30" in summaries
    assert "set owner carol" in summaries and "shared with dave (edit)" in summaries
    assert summaries[-1] == "queued a webhook to http://127.0.0.1:9/hook"
    document, path = load(database, doc_id)
    assert path == "Home/Bills" and document.tags == ["keep", "관리비"]
    with database.session() as session:
        values = {v.slug: (v.value, v.source) for v in document_values(session, doc_id)}
        assert values == {
            "amount": ({"amount": "125000", "currency": "KRW"}, "workflow"),
            "due_date": ("2026-04-30", "workflow"),
            "status": ("open", "workflow"),
        }
        assert (
            session.scalar(sa.select(FieldSuggestion.status).where(FieldSuggestion.document_id == doc_id)) == "accepted"
        )
        assert session.scalar(sa.select(sa.func.count()).select_from(DocumentShare)) == 1
        assert session.scalar(sa.select(sa.func.count()).select_from(WebhookDelivery)) == 1

    second = run(database, doc_id)
    assert [(r.outcome, r.changes) for r in second] == [(Outcome.NO_CHANGE, [])]
    assert [r.outcome for r in runs(database, doc_id)] == ["applied", "no_change"]
    with database.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(WebhookDelivery)) == 1


def test_set_category_accepts_the_pending_placement(database: Database, make_rule: MakeRule, doc: MakeDoc) -> None:
    doc_id = doc("x")
    with database.transaction() as session:
        save_pending_suggestion(session, doc_id, path="Finance", category_id=None, confidence=0.4, reason=None)
    make_rule(trigger="updated", actions=[{"type": "set_category", "path": "Home/Bills"}])
    run(database, doc_id)
    with database.session() as session:
        s = session.scalars(sa.select(LibrarySuggestion).where(LibrarySuggestion.document_id == doc_id)).one()
        assert (s.status, s.decided_path) == ("accepted", "Home/Bills")


def test_accept_placement_action(database: Database, make_rule: MakeRule, doc: MakeDoc) -> None:
    doc_id, bare = doc("x"), doc("y")
    with database.transaction() as session:
        save_pending_suggestion(session, doc_id, path="Finance/Tax", category_id=None, confidence=0.9, reason=None)
    make_rule(trigger="updated", actions=[{"type": "accept_placement"}])
    assert [c.summary for c in run(database, doc_id)[0].changes] == ["accepted the placement Finance/Tax"]
    assert load(database, doc_id)[1] == "Finance/Tax"
    assert run(database, bare)[0].outcome is Outcome.NO_CHANGE


def test_a_failing_rule_is_recorded_and_later_rules_still_run(
    database: Database, make_rule: MakeRule, doc: MakeDoc
) -> None:
    make_rule(
        name="Broken",
        trigger="updated",
        actions=[{"type": "add_tags", "tags": ["half"]}, {"type": "set_owner", "username": "nobody"}],
    )
    make_rule(name="Fine", trigger="updated", actions=TAG)
    doc_id = doc("x")
    results = run(database, doc_id)
    assert [(r.rule.name, r.outcome) for r in results] == [("Broken", Outcome.ERROR), ("Fine", Outcome.APPLIED)]
    assert "nobody" in (results[0].error or "")
    assert load(database, doc_id)[0].tags == ["hit"]  # the broken rule's first action was rolled back with it
    assert [(r.rule_name, r.outcome) for r in runs(database, doc_id)] == [("Broken", "error"), ("Fine", "applied")]


def test_rules_run_in_position_order_and_see_each_other(database: Database, make_rule: MakeRule, doc: MakeDoc) -> None:
    make_rule(name="second", trigger="updated", conditions=[{"type": "tag", "tag": "first"}], actions=TAG)
    make_rule(name="first", trigger="updated", actions=[{"type": "add_tags", "tags": ["first"]}])
    doc_id = doc("x")
    assert [r.rule.name for r in run(database, doc_id)] == ["first"]  # by position: "second" ran before
    with database.transaction() as session:
        ids = [r.id for r in service.list_rules(session)]
        service.reorder(session, list(reversed(ids)))
    other = doc("y")
    assert [r.rule.name for r in run(database, other)] == ["first", "second"]


def test_disabled_rules_and_other_triggers_do_not_run(database: Database, make_rule: MakeRule, doc: MakeDoc) -> None:
    make_rule(trigger="updated", enabled=False, actions=TAG)
    make_rule(trigger="processed", actions=TAG)
    doc_id = doc("x")
    assert run(database, doc_id, Trigger.UPDATED) == []
    assert [r.outcome for r in run(database, doc_id, Trigger.PROCESSED)] == [Outcome.APPLIED]


def test_added_trigger_by_source_on_ingest(
    database: Database, settings: Settings, make_rule: MakeRule, tmp_path: Path
) -> None:
    make_rule(trigger="added", sources=["inbox"], actions=[{"type": "add_tags", "tags": ["from inbox"]}])
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("first file")
    b.write_text("second file")
    from_inbox = ingest_path(database, a, source="inbox", settings=settings)
    from_cli = ingest_path(database, b, source="cli", settings=settings)
    assert load(database, from_inbox.document_id)[0].tags == ["from inbox"]
    assert load(database, from_cli.document_id)[0].tags == []
    assert [r.trigger for r in runs(database, from_inbox.document_id)] == ["added"]


def test_updated_trigger_on_the_patch_service(database: Database, make_rule: MakeRule, doc: MakeDoc) -> None:
    make_rule(
        trigger="updated",
        conditions=[{"type": "tag", "tag": "urgent"}],
        actions=[{"type": "set_category", "path": "Inbox/Urgent"}],
    )
    doc_id = doc("x")
    with database.transaction() as session:
        document = session.get(Document, doc_id)
        update_document(session, document, title=None, category=None, tags=["urgent"], fields={"tags"})
    assert load(database, doc_id)[1] == "Inbox/Urgent"


def test_scheduled_rule_runs_once_per_interval(database: Database, make_rule: MakeRule, doc: MakeDoc) -> None:
    rule_id = make_rule(
        trigger="scheduled", schedule_minutes=60, conditions=[{"type": "text_contains", "text": "due"}], actions=TAG
    )
    hit, miss = doc("payment due"), doc("nothing")
    first = runner.run_due_scheduled(database)
    assert (first.rules, first.documents) == (1, 2)
    assert "hit" in load(database, hit)[0].tags and "hit" not in load(database, miss)[0].tags
    assert runner.run_due_scheduled(database).rules == 0  # not due for an hour
    with database.transaction() as session:
        session.execute(sa.text("UPDATE workflow_rules SET last_scheduled_at = now() - interval '2 hours'"))
    again = runner.run_due_scheduled(database)
    assert again.rules == 1 and again.results == []  # nothing left to change: no runs recorded
    assert [r.rule_id for r in runs(database, hit)] == [rule_id]


def test_scheduled_rule_is_run_by_one_process_at_a_time(database: Database, make_rule: MakeRule, doc: MakeDoc) -> None:
    rule_id = make_rule(trigger="scheduled", schedule_minutes=5, actions=TAG)
    doc("x")
    with database.session() as session, session.begin():
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:n, :r)"), {"n": runner.LOCK_NAMESPACE, "r": rule_id})
        assert runner.run_scheduled_rule(database, rule_id) is None  # another process holds it
    assert runner.run_scheduled_rule(database, rule_id) is not None


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ({"trigger": "scheduled", "actions": TAG}, "schedule_minutes"),
        ({"trigger": "processed", "sources": ["inbox"], "actions": TAG}, "sources are only"),
        ({"trigger": "added", "actions": []}, "at least 1"),
        ({"trigger": "added", "conditions": [{"type": "text_regex", "pattern": "("}], "actions": TAG}, "not a regular"),
        ({"trigger": "added", "actions": [{"type": "frobnicate"}]}, "frobnicate"),
        ({"trigger": "added", "actions": [{"type": "share", "permission": "view"}]}, "either a username or a group"),
    ],
)
def test_invalid_rules_say_what_is_wrong(spec: dict, problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        RuleSpec.model_validate({"name": "r", **spec})


def test_a_runaway_pattern_times_out_as_no_match(
    database: Database, make_rule: MakeRule, doc: MakeDoc, caplog: pytest.LogCaptureFixture
) -> None:
    make_rule(trigger="updated", conditions=[{"type": "text_regex", "pattern": r"(a|aa)+$"}], actions=TAG)
    doc_id = doc("a" * 60 + "!")  # exponential backtracking: stopped by the timeout
    assert run(database, doc_id) == []
    assert load(database, doc_id)[0].tags == []
    assert "took longer than" in caplog.text
