"""Per-page text results (where each page's text came from, OCR confidence) and the searchable PDF copy.

document_pages: one row per page of a PDF or multi-page image, written by the markdown stage (replaced
on every run). documents.searchable_pdf_path: the derived copy with an invisible text layer (scans).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE documents ADD COLUMN searchable_pdf_path text")
    op.execute(
        """
        CREATE TABLE document_pages (
            document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
            number integer NOT NULL CHECK (number >= 1),
            source text NOT NULL
                CHECK (source IN ('layer', 'ocr', 'layer+ocr', 'blank', 'skipped', 'failed')),
            confidence real CHECK (confidence IS NULL OR confidence BETWEEN 0 AND 100),
            chars integer NOT NULL DEFAULT 0,
            rotation smallint NOT NULL DEFAULT 0,
            languages text,
            PRIMARY KEY (document_id, number)
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS document_pages")
    op.execute("ALTER TABLE documents DROP COLUMN IF EXISTS searchable_pdf_path")
