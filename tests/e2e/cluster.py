"""A small docmill cluster for tests and benchmarks: an "external" PostgreSQL (the embedded binaries on
a TCP port), a shared data directory, and any number of `docmill worker` processes."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from docmill.db.embedded import EmbeddedPostgres
from docmill.db.migrate import upgrade
from docmill.pipeline import registry

REPO = Path(__file__).resolve().parents[2]
TOPICS = [
    ("invoice", "The invoice lists the amount due, the payment terms and the bank account for the transfer."),
    ("recipe", "Mix the flour with butter and sugar, then bake the dough in a hot oven for twenty minutes."),
    ("travel", "The train to Busan leaves Seoul station at nine; hotel check-in starts after three."),
    ("research", "The paper evaluates neural language models on retrieval benchmarks and reports accuracy."),
    ("health", "The clinic report notes blood pressure, a prescription and the next appointment date."),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_text_corpus(folder: Path, count: int, seed: int = 7) -> list[Path]:
    """`count` distinct small text documents on a few topics."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        topic, sentence = TOPICS[i % len(TOPICS)]
        words = " ".join(rng.choice(sentence.split()) for _ in range(30))
        path = folder / f"{topic}-{i:04d}.txt"
        path.write_text(f"# {topic.title()} note {i}\n\n{sentence}\n\n{words}\n")
        paths.append(path)
    return paths


class Cluster:
    def __init__(self, *, lease_s: float = 6.0) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="docmill-cluster-", dir="/tmp"))
        self.data_dir = self.root / "data"
        self.data_dir.mkdir()
        self.port = free_port()
        self.server = EmbeddedPostgres(self.root / "pg", port=self.port)
        self.lease_s = lease_s
        self.workers: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []

    @property
    def url(self) -> str:
        return self.server.url("docmill")

    def start(self) -> None:
        self.server.start()
        upgrade(self.url)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOCMILL_")}
        env.update(
            DOCMILL_DATABASE_URL=self.url,
            DOCMILL_DATA_DIR=str(self.data_dir),
            DOCMILL_WORKER_LEASE_S=str(self.lease_s),
            DOCMILL_RECOVERY_INTERVAL="1",
            DOCMILL_WORKER_POLL_INTERVAL="0.5",
            DOCMILL_STT_URL="http://127.0.0.1:9",  # no STT service: audio rows would wait, none are used
        )
        return env

    def cli(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "docmill.cli.main", *args],
            cwd=REPO,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def start_worker(self) -> subprocess.Popen[bytes]:
        log = self.root / f"worker-{len(self.logs)}.log"
        self.logs.append(log)
        with open(log, "wb") as out:  # the child keeps its own copy of the descriptor
            proc = subprocess.Popen(
                [sys.executable, "-m", "docmill.cli.main", "worker"],
                cwd=REPO,
                env=self.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.workers.append(proc)
        return proc

    def live_workers(self) -> list[subprocess.Popen[bytes]]:
        return [w for w in self.workers if w.poll() is None]

    def stop_workers(self) -> None:
        for w in self.live_workers():
            w.send_signal(signal.SIGTERM)
        for w in self.workers:
            try:
                w.wait(60)
            except subprocess.TimeoutExpired:
                w.kill()
                w.wait(10)

    def restart_database(self) -> None:
        self.server.stop()
        time.sleep(1.0)
        self.server.start()

    def destroy(self) -> None:
        self.stop_workers()
        self.server.destroy()

    def tail_logs(self, lines: int = 40) -> str:
        out = []
        for log in self.logs:
            text = log.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {log.name}\n" + "\n".join(text))
        return "\n".join(out)

    # ---- queue state --------------------------------------------------------------------------
    def query(self, sql: str, *params: object) -> list[tuple]:
        with psycopg.connect(self.url) as conn:
            return conn.execute(sql, params or None).fetchall()

    def active_rows(self) -> int:
        return self.query("SELECT count(*) FROM processing_queue WHERE status IN ('pending', 'processing')")[0][0]

    def expected_pairs(self) -> set[tuple[int, str]]:
        """(document, stage) for every stage that applies to each document along its kind's graph."""
        pairs = set()
        for doc_id, kind in self.query("SELECT id, kind FROM documents WHERE deleted_at IS NULL"):
            todo = list(registry.entry_stages(kind))
            while todo:
                stage = todo.pop()
                if (doc_id, stage) in pairs:
                    continue
                pairs.add((doc_id, stage))
                todo.extend(registry.successors_for(stage, kind))
        return pairs
