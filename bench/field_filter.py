"""Listing documents filtered by a money field: docmill's typed column + (field_id, num) index against the
naive peer, a JSONB expression over the canonical value.

Loads a throwaway embedded PostgreSQL (docmill's migrations) with `--docs` documents (20,000), each with an
"Amount" money value (amounts spread 0–10,000,000 KRW) and four other fields' values (date, select, text,
integer), then VACUUM ANALYZE. Times, `--runs` times each, interleaved:

- docmill: GET /api/documents' service, `list_documents(field=["amount>X"])`: the page of 50 newest and the
  total, the filter an EXISTS on `document_field_values.num` (field_id, num index);
- jsonb: the same page and total with the filter written the naive way, an EXISTS on
  `(value->>'amount')::numeric > X` (no typed column, so no index but the primary key).

Both run the service's own statement (its columns, joins and order, `created_at DESC NULLS LAST`), so only
the filter differs. X keeps about 2 % of the documents (a selective filter, the case an index is for)
and, as a second pair, about 50 % (where a scan is as good). ratio_vs_jsonb = jsonb p50 / docmill p50 for
the selective filter (higher: docmill faster); ratio_vs_jsonb_broad the same for the broad one.

    .venv/bin/python bench/field_filter.py [--quick] [--docs 20000] [--runs 30]

The last line of stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(REPO))

from _pg import BenchServer, progress  # noqa: E402

from docmill.api.schemas.documents import DocumentQuery  # noqa: E402
from docmill.api.services import documents as service  # noqa: E402
from docmill.db.engine import Database  # noqa: E402
from docmill.models import CustomField, Document, DocumentFieldValue  # noqa: E402
from docmill.permissions.access import Viewer  # noqa: E402

MAX_AMOUNT = 10_000_000


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def load(db: Database, docs: int) -> int:
    """Documents and field values by set-returning SQL expressions (Core); returns the amount field's id."""
    D = Document.__table__
    V = DocumentFieldValue.__table__
    with db.transaction() as session:
        ids = {}
        for slug, kind in (
            ("amount", "money"),
            ("due", "date"),
            ("state", "select"),
            ("ref", "text"),
            ("n", "integer"),
        ):
            field = CustomField(slug=slug, name=slug, type=kind, options=["open", "paid"] if kind == "select" else [])
            session.add(field)
            session.flush()
            ids[slug] = field.id
        series = sa.func.generate_series(1, docs).table_valued("i").render_derived()
        i = series.c.i
        session.execute(
            D.insert().from_select(
                ["sha256", "original_name", "title", "media_type", "kind", "size_bytes", "source", "created_at"],
                sa.select(
                    sa.func.concat(sa.func.md5(sa.cast(i, sa.Text)), sa.func.md5(sa.cast(-i, sa.Text))),
                    sa.func.concat("bill-", i, ".txt"),
                    sa.func.concat("Bill ", i),
                    sa.literal("text/plain"),
                    sa.literal("text"),
                    sa.literal(100),
                    sa.literal("bench"),
                    sa.func.now() - sa.func.make_interval(0, 0, 0, 0, 0, 0, i),
                ),
            )
        )
        docs_q = sa.select(D.c.id, (sa.func.hashtext(sa.cast(D.c.id, sa.Text)) % MAX_AMOUNT).label("h")).subquery()
        amount = sa.func.abs(docs_q.c.h)
        session.execute(
            V.insert().from_select(
                ["document_id", "field_id", "value", "num", "txt"],
                sa.select(
                    docs_q.c.id,
                    sa.literal(ids["amount"]),
                    sa.func.jsonb_build_object("amount", sa.cast(amount, sa.Text), "currency", "KRW"),
                    amount,
                    sa.literal("KRW"),
                ),
            )
        )
        session.execute(
            V.insert().from_select(
                ["document_id", "field_id", "value", "day"],
                sa.select(
                    D.c.id,
                    sa.literal(ids["due"]),
                    sa.func.to_jsonb(sa.cast(sa.func.current_date() + sa.cast(D.c.id % 365, sa.Integer), sa.Text)),
                    sa.func.current_date() + sa.cast(D.c.id % 365, sa.Integer),
                ),
            )
        )
        for slug, value in (
            ("state", sa.case((D.c.id % 2 == 0, "paid"), else_="open")),
            ("ref", sa.func.md5(sa.cast(D.c.id, sa.Text))),
        ):
            session.execute(
                V.insert().from_select(
                    ["document_id", "field_id", "value", "txt"],
                    sa.select(D.c.id, sa.literal(ids[slug]), sa.func.to_jsonb(value), value),
                )
            )
        session.execute(
            V.insert().from_select(
                ["document_id", "field_id", "value", "num"],
                sa.select(D.c.id, sa.literal(ids["n"]), sa.func.to_jsonb(D.c.id % 1000), D.c.id % 1000),
            )
        )
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))
    return ids["amount"]


def naive_page(db: Database, field_id: int, threshold: int) -> tuple[list[int], int]:
    """The same page and total as the service, filtered by the JSONB expression instead of the typed column."""
    D = Document.__table__.c
    V = DocumentFieldValue.__table__.c
    condition = sa.exists().where(
        V.document_id == D.id, V.field_id == field_id, V.value["amount"].astext.cast(sa.Numeric) > threshold
    )
    where = [D.deleted_at.is_(None), condition]
    with db.session() as session:  # the service's own columns and joins: only the filter differs
        base = sa.select(*service.SUMMARY_COLUMNS).select_from(service._FROM)
        order = (D.created_at.desc().nulls_last(), D.id.desc())  # the service's order, exactly
        rows = session.execute(base.where(*where).order_by(*order).limit(50)).all()
        count = sa.select(sa.func.count()).select_from(service._FROM).where(*where)
        total = session.execute(count).scalar_one()
    return [r[0] for r in rows], int(total)


def docmill_page(db: Database, threshold: int) -> tuple[list[int], int]:
    with db.session() as session:
        items, total = service.list_documents(
            session, DocumentQuery(field=[f"amount>{threshold}"], limit=50), Viewer.system()
        )
    return [i.id for i in items], total


def timed(fn: object, *args: object) -> tuple[float, tuple[list[int], int]]:
    started = time.perf_counter()
    result = fn(*args)  # type: ignore[operator]
    return (time.perf_counter() - started) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--quick", action="store_true", help="2,000 documents, 10 runs.")
    args = parser.parse_args()
    if args.quick:
        args.docs, args.runs = 2_000, 10
    with BenchServer() as server:
        url = server.create_database("fields", migrate=True)
        db = Database(url)
        progress(f"loading {args.docs} documents with 5 field values each")
        field_id = load(db, args.docs)
        out: dict[str, object] = {"bench": "field_filter", "docs": args.docs, "runs": args.runs,
                                  "postgres": server.version()}  # fmt: skip
        for name, share in (("selective", 0.02), ("broad", 0.5)):
            threshold = int(MAX_AMOUNT * (1 - share))
            ours: list[float] = []
            peer: list[float] = []
            for _ in range(args.runs):
                t, mine = timed(docmill_page, db, threshold)
                ours.append(t)
                t, theirs = timed(naive_page, db, field_id, threshold)
                peer.append(t)
                assert mine == theirs, "the two filters disagree"
            suffix = "" if name == "selective" else "_broad"
            out[f"matching{suffix}"] = mine[1]
            out[f"docmill_p50_ms{suffix}"] = round(statistics.median(ours), 2)
            out[f"docmill_p95_ms{suffix}"] = round(percentile(ours, 0.95), 2)
            out[f"jsonb_p50_ms{suffix}"] = round(statistics.median(peer), 2)
            out[f"jsonb_p95_ms{suffix}"] = round(percentile(peer, 0.95), 2)
            out[f"ratio_vs_jsonb{suffix}"] = round(statistics.median(peer) / statistics.median(ours), 2)
            progress(f"{name}: {mine[1]} match; docmill p50 {out[f'docmill_p50_ms{suffix}']} ms, jsonb p50 "
                     f"{out[f'jsonb_p50_ms{suffix}']} ms")  # fmt: skip
        db.dispose()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
