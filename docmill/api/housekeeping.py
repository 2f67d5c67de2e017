"""The api's background housekeeping: the trash sweep (DOCMILL_TRASH_DAYS) and the audit log's retention
(DOCMILL_AUDIT_DAYS), every DOCMILL_HOUSEKEEPING_INTERVAL seconds; several api processes take turns."""

from __future__ import annotations

import logging

from docmill.audit import log as audit
from docmill.config import Settings
from docmill.db.engine import Database
from docmill.ingest import trash
from docmill.periodic import Periodic

log = logging.getLogger(__name__)


def run_once(database: Database, settings: Settings) -> tuple[int, int]:
    """(documents purged, audit rows dropped)."""
    with database.transaction() as session:
        purged = trash.sweep(session, settings) or []
        for p in purged:
            audit.record(session, None, audit.AuditAction.PURGE, "document", p.document_id, {"by": "trash sweep"})
        dropped = audit.purge_older_than(session, settings.audit_days)
    return len(purged), dropped


class Housekeeper(Periodic):
    def __init__(self, database: Database, settings: Settings) -> None:
        self.database, self.settings = database, settings
        super().__init__("docmill-housekeeping", settings.housekeeping_interval, lambda: run_once(database, settings))
