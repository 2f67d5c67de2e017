"""The watched inbox folder (DOCMILL_INBOX_DIR): each file dropped there is ingested once.

Polling, so it works on every filesystem (network shares included). A file is taken only once its
size and modification time were the same on two consecutive scans, so files still being copied are
waited out; hidden files and partial downloads (.part, .crdownload, .tmp, ~$ lock files) are skipped.
What was ingested is recorded in `<data dir>/inbox-state.json` (path, size, mtime, outcome), so a restart
does not ingest anything again; a file that changes later is ingested again (new content, new document).
The files stay where they are.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from docmill.config import Settings
from docmill.db.engine import Database, open_database
from docmill.ingest.service import ingest_path

log = logging.getLogger(__name__)

SKIP_SUFFIXES = (".part", ".partial", ".crdownload", ".download", ".tmp", ".temp", ".swp")
STATE_FILE = "inbox-state.json"


@dataclass
class Inbox:
    settings: Settings
    db: Database
    folder: Path
    state_path: Path
    processed: dict[str, dict[str, object]] = field(default_factory=dict)
    _last_seen: dict[str, tuple[int, int]] = field(default_factory=dict)

    @classmethod
    def open(cls, settings: Settings, db: Database) -> Inbox:
        if settings.inbox_dir is None:
            raise ValueError("DOCMILL_INBOX_DIR is not set")
        folder = settings.inbox_dir
        folder.mkdir(parents=True, exist_ok=True)
        state_path = settings.data_dir / STATE_FILE
        inbox = cls(settings, db, folder, state_path)
        inbox.processed = inbox._load()
        return inbox

    def _load(self) -> dict[str, dict[str, object]]:
        try:
            data = json.loads(self.state_path.read_text("utf-8"))
            return data.get("files", {}) if isinstance(data, dict) else {}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("inbox state %s is unreadable (%s); starting afresh", self.state_path, exc)
            return {}

    def _save(self) -> None:
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.state_path.with_name(f".{STATE_FILE}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"files": self.processed}, ensure_ascii=False, indent=0), "utf-8")
        os.replace(tmp, self.state_path)

    def _candidates(self) -> dict[str, tuple[Path, int, int]]:
        out: dict[str, tuple[Path, int, int]] = {}
        for root, dirs, files in os.walk(self.folder):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if name.startswith((".", "~$")) or name.lower().endswith(SKIP_SUFFIXES):
                    continue
                path = Path(root) / name
                try:
                    st = path.stat()
                except OSError:
                    continue
                if not path.is_file():
                    continue
                out[str(path.relative_to(self.folder))] = (path, st.st_size, st.st_mtime_ns)
        return out

    def scan(self) -> list[tuple[str, str]]:
        """One poll: ingest files that are new (or changed) and stable since the last poll; (path, status) pairs."""
        seen = self._candidates()
        done: list[tuple[str, str]] = []
        for rel, (path, size, mtime) in seen.items():
            previous = self._last_seen.get(rel)
            record = self.processed.get(rel)
            if record and record.get("size") == size and record.get("mtime_ns") == mtime:
                continue
            if previous != (size, mtime) or size == 0:
                continue  # new, still changing, or still empty: look again next poll
            result = ingest_path(self.db, path, source="inbox", settings=self.settings)
            self.processed[rel] = {
                "size": size,
                "mtime_ns": mtime,
                "status": result.status,
                "document_id": result.document_id,
                "reason": result.reason,
            }
            done.append((rel, result.status))
            if result.status == "rejected":
                log.warning("inbox: %s rejected: %s", rel, result.reason)
            else:
                log.info("inbox: %s %s (document %s)", rel, result.status, result.document_id)
        self._last_seen = {rel: (size, mtime) for rel, (_, size, mtime) in seen.items()}
        if done:
            self._save()
        return done


def run_inbox(
    settings: Settings, stop_event: threading.Event, *, db: Database | None = None, poll_interval: float | None = None
) -> None:
    """Poll the inbox until `stop_event` is set (the supervisor's or the CLI's loop)."""
    database = db or open_database(settings, application_name="docmill-inbox")
    inbox = Inbox.open(settings, database)
    interval = poll_interval if poll_interval is not None else settings.inbox_poll_interval
    log.info("watching inbox %s every %.1f s", inbox.folder, interval)
    while not stop_event.is_set():
        try:
            inbox.scan()
        except Exception:  # a bad scan (database down, folder gone) must not end the watcher
            log.exception("inbox scan failed; retrying")
        stop_event.wait(interval)
