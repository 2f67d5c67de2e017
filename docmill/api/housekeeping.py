"""The api's background housekeeping: the trash sweep (DOCMILL_TRASH_DAYS) and the audit log's retention
(DOCMILL_AUDIT_DAYS), every DOCMILL_HOUSEKEEPING_INTERVAL seconds; several api processes take turns."""

from __future__ import annotations

import logging
import threading

from docmill.audit import log as audit
from docmill.config import Settings
from docmill.db.engine import Database
from docmill.ingest import trash

log = logging.getLogger(__name__)


def run_once(database: Database, settings: Settings) -> tuple[int, int]:
    """(documents purged, audit rows dropped)."""
    with database.transaction() as session:
        purged = trash.sweep(session, settings) or []
        for p in purged:
            audit.record(session, None, audit.AuditAction.PURGE, "document", p.document_id, {"by": "trash sweep"})
        dropped = audit.purge_older_than(session, settings.audit_days)
    return len(purged), dropped


class Housekeeper:
    def __init__(self, database: Database, settings: Settings) -> None:
        self.database, self.settings = database, settings
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="docmill-housekeeping", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.wait(self.settings.housekeeping_interval):
            try:
                run_once(self.database, self.settings)
            except Exception as exc:  # the next round tries again
                log.warning("housekeeping failed: %s", exc)
