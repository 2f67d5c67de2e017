"""Running Alembic migrations programmatically (`docmill migrate`)."""

from __future__ import annotations

from pathlib import Path

import psycopg
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, pool

from docmill.db.urls import redact, to_libpq, to_sqlalchemy
from docmill.errors import DatabaseError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", to_sqlalchemy(url).replace("%", "%%"))
    return cfg


def head_revision() -> str:
    script = ScriptDirectory.from_config(alembic_config("postgresql://x/y"))
    heads = script.get_heads()
    if len(heads) != 1:
        raise DatabaseError(f"the migrations have {len(heads)} heads ({', '.join(heads)})", "merge them")
    return heads[0]


def current_revision(url: str) -> str | None:
    engine = create_engine(to_sqlalchemy(url), poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def ensure_extensions_available(url: str) -> None:
    """Say exactly what is missing when the server lacks pgvector or pg_trgm."""
    with psycopg.connect(to_libpq(url), autocommit=True, connect_timeout=10) as conn:
        available = {
            row[0]
            for row in conn.execute(
                "SELECT name FROM pg_available_extensions WHERE name IN ('vector', 'pg_trgm')"
            ).fetchall()
        }
    missing = {"vector", "pg_trgm"} - available
    if "vector" in missing:
        raise DatabaseError(
            f"the PostgreSQL server at {redact(url)} has no pgvector extension "
            "('vector' is not in pg_available_extensions)",
            "install pgvector on that server (e.g. Debian's postgresql-<version>-pgvector package or the "
            "pgvector/pgvector Docker image), or unset DOCMILL_DATABASE_URL to use the embedded PostgreSQL",
        )
    if "pg_trgm" in missing:
        raise DatabaseError(
            f"the PostgreSQL server at {redact(url)} has no pg_trgm extension",
            "install the PostgreSQL contrib package on that server",
        )


def upgrade(url: str, revision: str = "head") -> None:
    ensure_extensions_available(url)
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)
