"""Categories are library paths such as "Finance/Invoices"."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from docmill.models.base import Base, created_at_column


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    path: Mapped[str] = mapped_column(sa.Text, unique=True, nullable=False)
    description: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = created_at_column()

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]
