"""Is the database usable by this code? Reachable, migrated to head, and the stage enum matches the registry.

Used by `docmill db check`, by every process at start-up (workers refuse to run on a mismatch) and by
the api's /ready.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg

from docmill.db.migrate import current_revision, head_revision
from docmill.db.urls import redact, to_libpq
from docmill.errors import SchemaDriftError
from docmill.pipeline.registry import STAGE_NAMES

ENUM_VALUES_SQL = """
SELECT e.enumlabel
FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
WHERE t.typname = 'process_stage'
ORDER BY e.enumsortorder
"""


@dataclass
class SchemaReport:
    url: str
    reachable: bool = False
    error: str | None = None
    current_revision: str | None = None
    head_revision: str | None = None
    database_stages: list[str] = field(default_factory=list)
    missing_stages: list[str] = field(default_factory=list)  # in the registry, not in the database
    extra_stages: list[str] = field(default_factory=list)  # in the database, not in the registry

    @property
    def at_head(self) -> bool:
        return self.current_revision is not None and self.current_revision == self.head_revision

    @property
    def enum_matches(self) -> bool:
        return self.reachable and not self.missing_stages and not self.extra_stages

    @property
    def ok(self) -> bool:
        return self.reachable and self.at_head and self.enum_matches

    def problems(self) -> list[str]:
        if not self.reachable:
            return [f"database {redact(self.url)} is unreachable: {self.error}"]
        out = []
        if self.current_revision is None:
            out.append("the database has no docmill schema yet — run `docmill migrate`")
        elif not self.at_head:
            out.append(
                f"the database schema is at revision {self.current_revision}, the code expects "
                f"{self.head_revision} — run `docmill migrate`"
            )
        if self.missing_stages:
            out.append(
                "the database enum process_stage lacks stages the code declares: "
                f"{', '.join(self.missing_stages)} — run `docmill migrate`"
            )
        if self.extra_stages:
            out.append(
                "the database enum process_stage has stages this code does not know: "
                f"{', '.join(self.extra_stages)} — upgrade docmill to the version that migrated this database "
                "(or run `docmill migrate` if this code has a newer migration)"
            )
        return out


def check_schema(url: str) -> SchemaReport:
    report = SchemaReport(url=url, head_revision=head_revision())
    try:
        with psycopg.connect(to_libpq(url), autocommit=True, connect_timeout=10) as conn:
            report.database_stages = [row[0] for row in conn.execute(ENUM_VALUES_SQL).fetchall()]
        report.reachable = True
        report.current_revision = current_revision(url)
    except Exception as exc:  # any failure to read is "unreachable" with the reason
        report.error = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return report
    if report.database_stages or report.current_revision:
        db = set(report.database_stages)
        report.missing_stages = [s for s in STAGE_NAMES if s not in db]
        report.extra_stages = [s for s in report.database_stages if s not in STAGE_NAMES]
    else:
        report.missing_stages = list(STAGE_NAMES)
    return report


def require_compatible_schema(url: str) -> SchemaReport:
    """Raise SchemaDriftError naming every problem, or return the report."""
    report = check_schema(url)
    if not report.ok:
        raise SchemaDriftError(
            "the database does not match this version of docmill:\n  - " + "\n  - ".join(report.problems()),
            "`docmill db check` shows the details",
        )
    return report
