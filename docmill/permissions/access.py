"""Who may see or change a document: the one filter every read path uses.

`Viewer` is the caller (an id and whether they are an admin). `view_clause` and `view_sql` give the
condition from `queries.sql` for SQLAlchemy Core queries and for raw SQL (documents aliased `d`);
`require` checks one document and raises NotFound (the caller may not see it: it is not revealed) or
Forbidden (seen, but not theirs to change).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from docmill.db.sql import load_queries
from docmill.errors import Forbidden, NotFound

QUERIES = Path(__file__).with_name("queries.sql")


class Access(enum.IntEnum):
    """What a user may do with a document, weakest first."""

    VIEW = 1
    EDIT = 2
    OWNER = 3  # also: delete, restore, share; admins have it on every document


@dataclass(frozen=True)
class Viewer:
    id: int
    is_admin: bool

    @classmethod
    def system(cls) -> Viewer:
        """The CLI and the worker acting with the machine's own rights (everything)."""
        return cls(0, True)


def _fragment(name: str, style: Literal["psycopg", "sqlalchemy"]) -> str:
    sql = load_queries(QUERIES)[name]
    return sql.replace("%(viewer_id)s", ":viewer_id") if style == "sqlalchemy" else sql


def view_sql(viewer: Viewer, *, style: Literal["psycopg", "sqlalchemy"] = "sqlalchemy") -> tuple[str, dict[str, Any]]:
    """The condition on documents `d` that the viewer may see, and its parameters ("TRUE" for admins)."""
    if viewer.is_admin:
        return "TRUE", {}
    return _fragment("can_view", style), {"viewer_id": viewer.id}


def _ids(name: str, viewer: Viewer) -> Any:
    return (
        sa.text(f"SELECT d.id FROM documents d WHERE {_fragment(name, 'sqlalchemy')}")
        .bindparams(viewer_id=viewer.id)
        .columns(id=sa.BigInteger)
    )


def view_clause(viewer: Viewer, document_id: Any) -> Any:
    """A SQLAlchemy condition: `document_id` (a column) is a document the viewer may see."""
    if viewer.is_admin:
        return sa.true()
    return document_id.in_(_ids("can_view", viewer))


def edit_clause(viewer: Viewer, document_id: Any) -> Any:
    if viewer.is_admin:
        return sa.true()
    return document_id.in_(_ids("can_edit", viewer))


def access_of(session: Session, viewer: Viewer, document_id: int) -> Access | None:
    """What the viewer may do with the document; None when they may not see it (or it does not exist)."""
    if viewer.is_admin:
        exists = session.execute(sa.text("SELECT 1 FROM documents WHERE id = :id"), {"id": document_id}).first()
        return Access.OWNER if exists else None
    row = session.execute(
        sa.text(_fragment("access_of", "sqlalchemy").replace("%(document_id)s", ":document_id")),
        {"viewer_id": viewer.id, "document_id": document_id},
    ).first()
    return None if row is None else Access[str(row[0]).upper()]


def require(session: Session, viewer: Viewer, document_id: int, needed: Access = Access.VIEW) -> Access:
    """The viewer's access to the document, at least `needed`; NotFound or Forbidden otherwise."""
    access = access_of(session, viewer, document_id)
    if access is None:
        raise NotFound(f"document {document_id} does not exist", "list documents: GET /api/documents", code="not_found")
    if access < needed:
        what = "change it" if needed is Access.EDIT else "delete, restore or share it"
        raise Forbidden(
            f"document {document_id} is shared with you to {access.name.lower()} only; you may not {what}",
            "ask its owner to share it with you as edit (or to do it)"
            if needed is Access.EDIT
            else "ask its owner or an admin",
            code="forbidden",
        )
    return access
