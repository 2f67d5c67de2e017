"""The issue's scenario through the real pipeline: a rule "from the inbox, text contains 관리비 → category
Home/Bills, tag 관리비"; three bills dropped in the inbox folder are filed by the classify stage's workflow
run, a letter is not, and a rule that errors is recorded without failing the stage."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from docmill.config import Settings
from docmill.db.engine import Database
from docmill.ingest.inbox import Inbox
from docmill.models import QueueRow
from tests.helpers import run_worker_until_idle
from tests.workflows.conftest import MakeRule, load, runs

BILL = """# {month}월 관리비 고지서

래미안 아파트 101동 1203호
{month}월분 관리비 합계: {amount}원
납부 마감일: 2026년 {month}월 25일
"""


def test_three_bills_from_the_inbox_are_filed(
    database: Database, settings: Settings, make_rule: MakeRule, tmp_path: Path
) -> None:
    make_rule(
        name="Utility bills",
        trigger="processed",
        conditions=[{"type": "source", "sources": ["inbox"]}, {"type": "text_contains", "text": "관리비"}],
        actions=[{"type": "set_category", "path": "Home/Bills"}, {"type": "add_tags", "tags": ["관리비"]}],
    )
    make_rule(name="Broken", trigger="processed", actions=[{"type": "set_owner", "username": "nobody"}])
    folder = tmp_path / "inbox"
    folder.mkdir()
    settings = settings.model_copy(update={"inbox_dir": folder})
    for month, amount in ((1, "182,300"), (2, "175,900"), (3, "168,450")):
        (folder / f"bill-{month:02d}.md").write_text(BILL.format(month=month, amount=amount), encoding="utf-8")
    (folder / "letter.md").write_text("# Dear friend\n\nThe garden is lovely this spring.\n", encoding="utf-8")
    inbox = Inbox.open(settings, database)
    assert inbox.scan() == []  # first sight: files are taken once stable
    assert sorted(outcome for _, outcome in inbox.scan()) == ["added"] * 4

    run_worker_until_idle(database, settings, timeout=300)

    with database.session() as session:
        docs = {
            name: doc_id for doc_id, name in session.execute(sa.text("SELECT id, original_name FROM documents")).all()
        }
        classify = {
            row.document_id: (row.status, row.note)
            for row in session.scalars(sa.select(QueueRow).where(sa.cast(QueueRow.stage, sa.Text) == "classify"))
        }
    for name in ("bill-01.md", "bill-02.md", "bill-03.md"):
        document, path = load(database, docs[name])
        assert path == "Home/Bills", name
        assert "관리비" in document.tags
        assert classify[docs[name]][0] == "completed"  # the broken rule did not fail the stage
        history = [(r.rule_name, r.outcome) for r in runs(database, docs[name])]
        assert history == [("Utility bills", "applied"), ("Broken", "error")]
        applied = runs(database, docs[name])[0]
        # the offline tagger may have chosen 관리비 itself; then the rule only files it
        assert [c["summary"] for c in applied.changes][:1] == ["set category Home/Bills"]
    assert load(database, docs["letter.md"])[1] is None  # not filed (its tags are the offline tagger's)
    assert classify[docs["letter.md"]][0] == "completed"
    assert [(r.rule_name, r.outcome) for r in runs(database, docs["letter.md"])] == [("Broken", "error")]
