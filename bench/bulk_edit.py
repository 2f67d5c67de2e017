"""Bulk-tagging N documents: one bulk job (POST /api/bulk, then polling GET /api/bulk/{id}) against the peer
approach a script would take without it — one PATCH /api/documents/{id} per document over HTTP.

Both run in the same run against the same real api (uvicorn on loopback, its bulk runner in the process) on a
throwaway embedded PostgreSQL, each on its own N documents. The last line is one JSON object with both wall
times, documents per second and the ratio (peer / bulk).

    python bench/bulk_edit.py              # 1,000 documents each
    python bench/bulk_edit.py --docs 5000
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import httpx
import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench._pg import BenchServer, progress  # noqa: E402
from bench.dashboard_latency import start_api  # noqa: E402
from docmill.auth.passwords import hash_password  # noqa: E402
from docmill.auth.tokens import create_token  # noqa: E402
from docmill.db.engine import Database  # noqa: E402
from docmill.models import Document, User  # noqa: E402


def seed(url: str, docs: int) -> tuple[str, list[int], list[int]]:
    """An admin's token and two sets of `docs` documents (one per approach)."""
    db = Database(url)
    try:
        with db.transaction() as session:
            user = User(username="bench", password_hash=hash_password("bench password 1"), is_admin=True)
            session.add(user)
            session.flush()
            token = create_token(session, user, "bench").token
            sets = []
            for prefix in ("bulk", "peer"):
                rows = session.execute(
                    sa.text(
                        "INSERT INTO documents (sha256, original_name, title, media_type, kind, size_bytes, source, "
                        "owner_id) SELECT md5(:p || g::text) || md5(g::text || :p), :p || '-' || g || '.txt', "
                        ":p || ' ' || g, 'text/plain', 'text', 10, 'upload', :owner "
                        "FROM generate_series(1, :n) g RETURNING id"
                    ),
                    {"p": prefix, "owner": user.id, "n": docs},
                ).all()
                sets.append(sorted(r[0] for r in rows))
        return token, sets[0], sets[1]
    finally:
        db.dispose()


def tagged(url: str, ids: list[int], tag: str) -> int:
    db = Database(url)
    try:
        with db.session() as session:
            return int(
                session.scalar(sa.select(sa.func.count()).where(Document.id.in_(ids), Document.tags.contains([tag])))
                or 0
            )
    finally:
        db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=1000, help="documents per approach")
    args = parser.parse_args()
    with BenchServer() as server, tempfile.TemporaryDirectory(prefix="docmill-bench-data-", dir="/tmp") as data:
        url = server.create_database("bulk", migrate=True)
        token, bulk_ids, peer_ids = seed(url, args.docs)
        proc, base = start_api(url, Path(data))
        try:
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120) as client:
                progress(f"bulk: one job over {args.docs} documents")
                started = time.perf_counter()
                job = client.post(
                    "/api/bulk",
                    json={"selection": {"ids": bulk_ids}, "action": {"type": "add_tags", "tags": ["benched"]}},
                )
                job.raise_for_status()
                polls = 0
                while True:
                    state = client.get(f"/api/bulk/{job.json()['id']}").json()
                    polls += 1
                    if state["status"] in ("completed", "failed"):
                        break
                    time.sleep(0.05)
                bulk_s = time.perf_counter() - started
                assert state["done"] == args.docs, state
                progress(f"peer: {args.docs} PATCH requests")
                started = time.perf_counter()
                for doc_id in peer_ids:
                    current = client.get(f"/api/documents/{doc_id}").json()["tags"]
                    client.patch(f"/api/documents/{doc_id}", json={"tags": [*current, "benched"]}).raise_for_status()
                peer_s = time.perf_counter() - started
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        assert tagged(url, bulk_ids, "benched") == args.docs and tagged(url, peer_ids, "benched") == args.docs
    result = {
        "bench": "bulk_edit",
        "docs": args.docs,
        "bulk_s": round(bulk_s, 3),
        "bulk_docs_per_s": round(args.docs / bulk_s, 1),
        "bulk_polls": polls,
        "peer": "GET + PATCH /api/documents/{id} per document",
        "peer_s": round(peer_s, 3),
        "peer_docs_per_s": round(args.docs / peer_s, 1),
        "ratio": round(peer_s / bulk_s, 2),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
