"""`docmill feeds …` and `docmill collector` (a real process, stopped with SIGTERM)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from docmill.cli.main import app
from docmill.config import Settings
from docmill.db.engine import Database
from tests.collector.conftest import FeedServer
from tests.collector.helpers import count, rows
from tests.helpers import wait_for
from tests.samples import Samples

REPO = Path(__file__).resolve().parents[2]


def test_feeds_commands(database: Database, settings: Settings, feed_server: FeedServer, samples: Samples) -> None:
    runner = CliRunner()
    good = feed_server.add_file("/feeds/atom10.xml", samples / "atom/atom10.xml")
    broken = feed_server.fail("/feeds/gone.xml", 404)

    result = runner.invoke(app, ["feeds", "add", good, "--interval", "900"])
    assert result.exit_code == 0, result.output
    assert "feed 1 added" in result.output
    assert runner.invoke(app, ["feeds", "add", broken]).exit_code == 0
    again = runner.invoke(app, ["feeds", "add", good])
    assert again.exit_code == 1 and "already subscribed" in again.output
    short = runner.invoke(app, ["feeds", "add", good + "?x", "--interval", "5"])
    assert short.exit_code == 1 and "out of range" in short.output

    one = runner.invoke(app, ["feeds", "fetch-now", "1"])
    assert one.exit_code == 0, one.output
    assert "1 new" in one.output
    everything = runner.invoke(app, ["feeds", "fetch-now"])
    assert everything.exit_code == 1  # the broken feed failed
    assert "0 new" in everything.output and "HTTP 404" in everything.output

    listing = runner.invoke(app, ["feeds", "list"], env={"COLUMNS": "300"})
    assert listing.exit_code == 0, listing.output
    assert "Sample Feed" in listing.output and "not_modified" in listing.output and "HTTP 404" in listing.output

    removed = runner.invoke(app, ["feeds", "remove", broken])
    assert removed.exit_code == 0 and "feed 2 removed" in removed.output
    missing = runner.invoke(app, ["feeds", "remove", "2"])
    assert missing.exit_code == 1 and "no feed 2" in missing.output
    assert rows(database, "SELECT id FROM feeds") == [(1,)]


def test_collector_process_polls_and_stops_on_sigterm(
    database: Database, settings: Settings, feed_server: FeedServer, samples: Samples, tmp_path: Path
) -> None:
    url = feed_server.add_file("/feeds/example.json", samples / "jsonfeed/example.json")
    assert CliRunner().invoke(app, ["feeds", "add", url]).exit_code == 0
    env = {
        **os.environ,
        "DOCMILL_DATABASE_URL": database.url,
        "DOCMILL_DATA_DIR": str(settings.data_dir),
        "DOCMILL_COLLECTOR_ALLOW_PRIVATE": "true",
        "DOCMILL_LOG_LEVEL": "INFO",
    }
    log = (tmp_path / "collector.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "docmill.cli.main", "collector"], cwd=REPO, env=env, stdout=log, stderr=log
    )
    try:
        wait_for(lambda: count(database, "documents") == 2, 60, message="the collector did not fetch the feed")
        wait_for(
            lambda: rows(database, "SELECT last_status FROM feeds")[0][0] == "ok", 10, message="status not recorded"
        )
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
    output = (tmp_path / "collector.log").read_text()
    assert "collector stopped" in output, output
