"""documents.stt_language: the language a user says a recording is in, kept across re-transcriptions.

Null: the STT service's default (DOCMILL_STT_LANGUAGE). The stt stage sends it with the recording; the
transcript then stores the language it was read in, where that came from, and its confidence flags.

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("documents", sa.Column("stt_language", sa.Text(), nullable=True))
    op.create_check_constraint("ck_documents_stt_language", "documents", "stt_language ~ '^[a-z]{2,3}$'")


def downgrade() -> None:
    op.drop_constraint("ck_documents_stt_language", "documents", type_="check")
    op.drop_column("documents", "stt_language")
