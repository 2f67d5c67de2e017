"""One partial index for processing rows instead of two: every claim writes one index entry fewer.

ix_queue_lease (lease_expires_at) and ix_queue_processing_stage (stage), both WHERE status = 'processing',
become ix_queue_processing (stage, lease_expires_at). Stale recovery scans the few processing rows either
way; the dashboard's per-stage processing count uses the leading column.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_queue_processing ON processing_queue (stage, lease_expires_at) WHERE status = 'processing'"
    )
    op.execute("DROP INDEX IF EXISTS ix_queue_lease")
    op.execute("DROP INDEX IF EXISTS ix_queue_processing_stage")


def downgrade() -> None:
    op.execute("CREATE INDEX ix_queue_lease ON processing_queue (lease_expires_at) WHERE status = 'processing'")
    op.execute("CREATE INDEX ix_queue_processing_stage ON processing_queue (stage) WHERE status = 'processing'")
    op.execute("DROP INDEX IF EXISTS ix_queue_processing")
