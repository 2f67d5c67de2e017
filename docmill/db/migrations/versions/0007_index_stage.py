"""The index stage: chunks and full-text tokens are written ahead of the vectors.

Adds `index` to process_stage (after `stt`, the registry's order) and leaves existing databases as if
the stage had always run: every document that already has chunks, or whose embed row completed, gets a
completed index row, so its chunks and vectors stay as they are and nothing is indexed or embedded again.

Revision ID: 0007
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

from docmill.db.migration_helpers import remove_stage_values

revision = "0007"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A new enum value can only be used once the transaction that added it committed.
    with op.get_context().autocommit_block():
        op.execute("ALTER TYPE process_stage ADD VALUE IF NOT EXISTS 'index' AFTER 'stt'")
    op.execute(
        """
        INSERT INTO processing_queue (document_id, stage, status, attempts, note, started_at, finished_at)
        SELECT d.id, 'index', 'completed', 1, 'recorded by migration 0007: chunks written by embed', now(), now()
        FROM documents d
        WHERE (EXISTS (SELECT 1 FROM chunks c WHERE c.document_id = d.id)
               OR EXISTS (SELECT 1 FROM processing_queue q WHERE q.document_id = d.id
                          AND q.stage = 'embed' AND q.status = 'completed'))
          AND NOT EXISTS (SELECT 1 FROM processing_queue q WHERE q.document_id = d.id AND q.stage = 'index')
        """
    )


def downgrade() -> None:
    # completed index rows are history only; pending ones make remove_stage_values refuse
    op.execute("DELETE FROM processing_queue WHERE stage = 'index' AND status = 'completed'")
    remove_stage_values(("index",))
