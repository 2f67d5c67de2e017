"""Evaluating N workflow rules on M documents: docmill's evaluation against two peers, in the same run.

Loads a throwaway embedded PostgreSQL with M documents (Korean/English text, tags, kinds, a category, a money
field value) and N rules mixing text-contains, tag, kind, category-prefix and field-value conditions, then:

- docmill: per document, `read_facts` (the document, its category, owner and field values: a few small
  queries) and `matches` for every rule — what `run_rules` does before any action (end to end);
- docmill, evaluation only: the same `matches` calls over facts already read;
- peer `rule-engine` (PyPI, a generic rules engine): each rule compiled once to its expression language,
  evaluated over a dict of the same facts (evaluation only; ratio_vs_rule_engine = its time / docmill's);
- peer naive SQL: one `SELECT EXISTS (… WHERE <the rule as SQL>)` per (rule, document) pair, the way a rule
  would be checked by asking the database each time (ratio_vs_naive_sql = its time / docmill end to end).

Every way must agree on which (rule, document) pairs match; the bench stops if they do not.

    .venv/bin/python bench/workflow_rules.py [--quick] [--documents M] [--rules N]

The last line of stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from pathlib import Path

import psycopg
import rule_engine

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(REPO))

from _pg import BenchServer, progress  # noqa: E402

from docmill.db.engine import Database  # noqa: E402
from docmill.db.urls import to_libpq  # noqa: E402
from docmill.fields.service import FieldDefinition, create_field, set_values  # noqa: E402
from docmill.fields.service import specs as field_specs  # noqa: E402
from docmill.fields.types import FieldType  # noqa: E402
from docmill.library.service import get_or_create_category  # noqa: E402
from docmill.models import Document  # noqa: E402
from docmill.workflows.conditions import matches, read_facts  # noqa: E402
from docmill.workflows.engine import LoadedRule  # noqa: E402
from docmill.workflows.types import RuleSpec  # noqa: E402

WORDS = ["관리비", "전기", "가스", "보험", "계약", "invoice", "receipt", "water", "contract", "policy", "tax", "bank"]
TAGS = ["bills", "home", "work", "tax", "insurance", "travel"]
KINDS = ["pdf", "text", "image", "office"]
CATEGORIES = ["Home/Bills", "Home/Insurance", "Work/Contracts", "Finance/Tax", None]


def load(database: Database, m: int, rng: random.Random) -> None:
    with database.transaction() as session:
        create_field(session, FieldDefinition(name="Amount", type=FieldType.MONEY, default_currency="KRW"))
        cats = {p: get_or_create_category(session, p).id for p in CATEGORIES if p}
        for i in range(m):
            text = " ".join(rng.choice(WORDS) for _ in range(200))
            path = rng.choice(CATEGORIES)
            doc = Document(
                sha256=hashlib.sha256(str(i).encode()).hexdigest(),
                original_name=f"doc-{i}.pdf",
                media_type="application/pdf",
                kind=rng.choice(KINDS),
                source="inbox",
                markdown=text,
                tags=rng.sample(TAGS, rng.randint(0, 3)),
                category_id=cats[path] if path else None,
            )
            session.add(doc)
            session.flush()
            if rng.random() < 0.7:
                set_values(session, doc.id, {"amount": str(rng.randint(1, 500) * 1000)})


def make_rules(n: int, rng: random.Random) -> list[dict]:
    rules = []
    for i in range(n):
        conditions = [{"type": "text_contains", "text": rng.choice(WORDS)}]
        if i % 2 == 0:
            conditions.append({"type": "tag", "tag": rng.choice(TAGS)})
        if i % 3 == 0:
            conditions.append({"type": "kind", "kinds": rng.sample(KINDS, 2)})
        if i % 4 == 0:
            conditions.append({"type": "category", "path": rng.choice(["Home", "Work", "Finance"]), "prefix": True})
        if i % 5 == 0:
            conditions.append({"type": "field", "field": "amount", "op": ">", "value": str(rng.randint(1, 400) * 1000)})
        rules.append(
            {
                "name": f"r{i}",
                "trigger": "processed",
                "conditions": conditions,
                "actions": [{"type": "add_tags", "tags": ["x"]}],
            }
        )
    return rules


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def rule_engine_expression(rule: dict) -> str:
    parts = []
    for c in rule["conditions"]:
        match c["type"]:
            case "text_contains":
                parts.append(f"{_quote(c['text'].casefold())} in text")
            case "tag":
                parts.append(f"{_quote(c['tag'].casefold())} in tags")
            case "kind":
                parts.append("(" + " or ".join(f"kind == {_quote(k)}" for k in c["kinds"]) + ")")
            case "category":
                p = c["path"].casefold()
                parts.append(f"(category == {_quote(p)} or (category != null and category =~ {_quote('^' + p + '/')}))")
            case "field":
                parts.append(f"(amount != null and amount > {float(c['value'])})")
    return " and ".join(parts)


def sql_predicate(rule: dict) -> tuple[str, list]:
    clauses, params = [], []
    for c in rule["conditions"]:
        match c["type"]:
            case "text_contains":
                clauses.append("position(lower(%s) in lower(d.markdown)) > 0")
                params.append(c["text"])
            case "tag":
                clauses.append("EXISTS (SELECT 1 FROM unnest(d.tags) t WHERE lower(t) = lower(%s))")
                params.append(c["tag"])
            case "kind":
                clauses.append("d.kind = ANY(%s)")
                params.append(c["kinds"])
            case "category":
                clauses.append("(lower(c.path) = lower(%s) OR lower(c.path) LIKE lower(%s) || '/%%')")
                params += [c["path"], c["path"]]
            case "field":
                clauses.append(
                    "EXISTS (SELECT 1 FROM document_field_values v JOIN custom_fields f ON f.id = v.field_id "
                    "WHERE v.document_id = d.id AND f.slug = 'amount' AND v.num > %s)"
                )
                params.append(c["value"])
    sql = (
        "SELECT EXISTS (SELECT 1 FROM documents d LEFT JOIN categories c ON c.id = d.category_id "
        "WHERE d.id = %s AND " + " AND ".join(clauses) + ")"
    )
    return sql, params


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--rules", type=int, default=50)
    parser.add_argument("--quick", action="store_true", help="200 documents, 20 rules")
    args = parser.parse_args()
    m, n = (200, 20) if args.quick else (args.documents, args.rules)
    rng = random.Random(19)
    with BenchServer() as server:
        url = server.create_database("bench_workflows", migrate=True)
        database = Database(url)
        progress(f"loading {m} documents")
        load(database, m, rng)
        raw = make_rules(n, rng)
        loaded = [LoadedRule.of_spec(RuleSpec.model_validate(r)) for r in raw]

        with database.session() as session:
            ids = list(
                session.scalars(Document.__table__.select().with_only_columns(Document.id).order_by(Document.id))
            )
            specs = {s.slug: s for s in field_specs(session)}
            progress(f"docmill: {n} rules × {m} documents")
            start = time.perf_counter()
            ours: set[tuple[int, int]] = set()
            all_facts = []
            for doc_id in ids:
                facts = read_facts(session, session.get(Document, doc_id), specs)
                all_facts.append(facts)
                for r, rule in enumerate(loaded):
                    if matches(rule.conditions, rule.match, facts):
                        ours.add((r, doc_id))
            docmill_s = time.perf_counter() - start
            start = time.perf_counter()
            for facts in all_facts:
                for rule in loaded:
                    matches(rule.conditions, rule.match, facts)
            docmill_eval_s = time.perf_counter() - start

            progress("rule-engine")
            context = rule_engine.Context(default_value=None)
            compiled = [rule_engine.Rule(rule_engine_expression(r), context=context) for r in raw]
            dicts = [
                {
                    "text": f.text.casefold(),
                    "tags": [t.casefold() for t in f.document.tags],
                    "kind": f.document.kind,
                    "category": f.category_path.casefold() if f.category_path else None,
                    "amount": float(f.values["amount"].num) if "amount" in f.values else None,
                    "id": f.document.id,
                }
                for f in all_facts
            ]
            start = time.perf_counter()
            theirs = {(r, d["id"]) for d in dicts for r, rule in enumerate(compiled) if rule.matches(d)}
            rule_engine_s = time.perf_counter() - start

        progress("naive SQL per (rule, document)")
        predicates = [sql_predicate(r) for r in raw]
        naive: set[tuple[int, int]] = set()
        with psycopg.connect(to_libpq(url)) as conn:
            start = time.perf_counter()
            for doc_id in ids:
                for r, (sql, params) in enumerate(predicates):
                    if conn.execute(sql, [doc_id, *params]).fetchone()[0]:
                        naive.add((r, doc_id))
            naive_s = time.perf_counter() - start
        database.dispose()

    if not (ours == theirs == naive):
        raise SystemExit(
            f"the ways disagree: docmill {len(ours)}, rule-engine {len(theirs)}, naive SQL {len(naive)} matches"
        )
    pairs = n * m
    result = {
        "bench": "workflow_rules",
        "documents": m,
        "rules": n,
        "matches": len(ours),
        "docmill_s": round(docmill_s, 3),
        "docmill_pairs_per_s": round(pairs / docmill_s),
        "docmill_eval_s": round(docmill_eval_s, 3),
        "rule_engine_s": round(rule_engine_s, 3),
        "naive_sql_s": round(naive_s, 3),
        "ratio_vs_rule_engine": round(rule_engine_s / docmill_eval_s, 2),
        "ratio_vs_naive_sql": round(naive_s / docmill_s, 2),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
