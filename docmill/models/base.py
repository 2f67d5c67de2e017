"""Declarative base, naming conventions and shared column types."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from docmill.pipeline.registry import ProcessStage

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class QueueStatus(enum.StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


ACTIVE_STATUSES = (QueueStatus.PENDING, QueueStatus.PROCESSING)


class SuggestionStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


def pg_enum(enum_cls: type[enum.Enum], name: str) -> postgresql.ENUM:
    """A PostgreSQL enum the ORM reads and writes but never creates: migrations own the type."""
    return postgresql.ENUM(enum_cls, name=name, create_type=False, values_callable=lambda e: [m.value for m in e])


class StageColumn(TypeDecorator[str]):
    """The `process_stage` enum column, tolerant of values this code does not know.

    SQLAlchemy's Enum raises LookupError on an unknown value; after a migration adds a stage that an
    older worker lacks, such a row must be readable. Known values come back as ProcessStage members,
    unknown ones as plain strings; writes are cast to the database type.
    """

    impl = sa.Text
    cache_ok = True

    def bind_expression(self, bindvalue: Any) -> Any:
        return sa.cast(bindvalue, postgresql.ENUM(name="process_stage", create_type=False))

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else str(value)

    def process_result_value(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        try:
            return ProcessStage(value)
        except ValueError:
            return str(value)


def created_at_column() -> Mapped[datetime]:
    return mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def updated_at_column() -> Mapped[datetime]:
    return mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now(), onupdate=sa.func.now(), nullable=False
    )
