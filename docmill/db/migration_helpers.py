"""Helpers for migrations that change the process_stage enum."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from docmill.errors import DatabaseError

# Every column typed process_stage; a migration that recreates the type must retype them all.
STAGE_COLUMNS = (("processing_queue", "stage"), ("stage_controls", "stage"))


def add_stage_values(names: Sequence[str]) -> None:
    for name in names:
        op.execute(f"ALTER TYPE process_stage ADD VALUE IF NOT EXISTS '{name}'")


def current_stage_values() -> list[str]:
    rows = op.get_bind().execute(sa.text("SELECT unnest(enum_range(NULL::process_stage))::text AS v")).scalars()
    return list(rows)


def remove_stage_values(names: Sequence[str]) -> None:
    """PostgreSQL cannot drop enum values: recreate the type without them, refusing if rows use them."""
    bind = op.get_bind()
    for table, column in STAGE_COLUMNS:
        used = bind.execute(
            sa.text(f"SELECT count(*) FROM {table} WHERE {column}::text = ANY(:names)"), {"names": list(names)}
        ).scalar_one()
        if used:
            raise DatabaseError(
                f"cannot remove stages {', '.join(names)}: {used} rows in {table} use them",
                f"delete or move those {table} rows first, then downgrade again",
            )
    keep = [v for v in current_stage_values() if v not in names]
    values = ", ".join(f"'{v}'" for v in keep)
    op.execute("ALTER TYPE process_stage RENAME TO process_stage_old")
    op.execute(f"CREATE TYPE process_stage AS ENUM ({values})")
    for table, column in STAGE_COLUMNS:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE process_stage USING {column}::text::process_stage")
    op.execute("DROP TYPE process_stage_old")
