"""The web UI's language per user, and the dashboard's history kept by the server.

- users.language: the language the user chose for the web UI ('en' or 'ko'); NULL: follow the browser.
- dashboard_samples: per stage, the queue's figures every 30 s (resolution_s 30), written by one sampler
  at a time (docmill.history.sampler); after 24 h they are averaged into 5-minute rows (resolution_s 300),
  and rows older than 14 days are deleted. `stage` is text, not the process_stage enum, so that samples of
  a stage a later version drops stay readable.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        ALTER TABLE users ADD COLUMN language text
            CONSTRAINT ck_users_language CHECK (language IN ('en', 'ko'));

        CREATE TABLE dashboard_samples (
            resolution_s integer NOT NULL,
            taken_at timestamptz NOT NULL,
            stage text NOT NULL,
            pending integer NOT NULL,
            processing integer NOT NULL,
            failed integer NOT NULL,
            oldest_pending_age_sec double precision NOT NULL,
            completed_per_min double precision NOT NULL,
            CONSTRAINT pk_dashboard_samples PRIMARY KEY (resolution_s, taken_at, stage)
        );
        CREATE INDEX ix_dashboard_samples_taken_at ON dashboard_samples (taken_at);
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS dashboard_samples; ALTER TABLE users DROP COLUMN IF EXISTS language")
