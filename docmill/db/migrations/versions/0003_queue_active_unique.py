"""At most one active row per (document, stage): the partial unique index uq_queue_active.

Before creating it, look for rows that would violate it. If there are any, stop and list them:
a human decides which to keep. Nothing is deleted here.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from docmill.errors import DatabaseError

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

DUPLICATES_SQL = """
SELECT document_id, stage::text AS stage, count(*) AS n, array_agg(id ORDER BY id) AS ids
FROM processing_queue
WHERE status IN ('pending', 'processing')
GROUP BY document_id, stage
HAVING count(*) > 1
ORDER BY document_id, stage
"""


def upgrade() -> None:
    rows = op.get_bind().execute(sa.text(DUPLICATES_SQL)).all()
    if rows:
        listing = "\n".join(
            f"  document {r.document_id}, stage {r.stage}: {r.n} active rows (ids {', '.join(map(str, r.ids))})"
            for r in rows[:50]
        )
        more = f"\n  … and {len(rows) - 50} more" if len(rows) > 50 else ""
        raise DatabaseError(
            f"cannot create uq_queue_active: {len(rows)} (document, stage) pairs have more than one active "
            f"queue row:\n{listing}{more}",
            "keep one active row per pair (mark the others 'failed' or delete them after checking), "
            "then run `docmill migrate` again; this migration deletes nothing",
        )
    op.execute(
        "CREATE UNIQUE INDEX uq_queue_active ON processing_queue (document_id, stage) "
        "WHERE status IN ('pending', 'processing')"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS uq_queue_active")
