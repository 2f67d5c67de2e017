"""Extend process_stage with the preview and thumbnail stages.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

from docmill.db.migration_helpers import add_stage_values, remove_stage_values

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

NEW_STAGES = ("preview", "thumbnail")


def upgrade() -> None:
    add_stage_values(NEW_STAGES)


def downgrade() -> None:
    remove_stage_values(NEW_STAGES)
