"""OCR throughput and accuracy: the markdown stage on scanned pages against the `tesseract` CLI, same run.

Pages: Korean and English text rendered with Nanum Gothic / DejaVu Sans (tests/ocr/scans.py), as a scanner
or phone delivers them — clean, skewed, blurred with specks, photographed (grey paper, uneven light),
turned 90° or 180° — each saved as a one-page image-only PDF, as "scan to PDF" writes it.

Stage: the real thing — the PDFs ingested into a throwaway embedded PostgreSQL, a docmill Worker running
only the markdown stage (its sandboxed converter process kept alive, Tesseract loaded once), each pass
re-enqueuing markdown for every page and waiting until the queue is idle. It also writes the searchable
PDF copies and the per-page rows.

CLI: the same pages rendered the same way (pypdfium2, 300 dpi, greyscale, as the stage does), written as
PNG, then `tesseract page.png - -l kor+eng` (Debian's CLI, OMP_THREAD_LIMIT=1 like the stage) one page at a
time, as a script around the CLI would.

Accuracy: 1 − character error rate against the rendered text (capped at 0), averaged over the pages, for
the stage's Markdown and for the CLI's raw output.

Passes alternate the order of the two sides; throughput ratio = median of per-pass ratios.

    .venv/bin/python bench/ocr_throughput.py [--passes 2]

Goals: ratio_vs_tesseract = stage pages/s ÷ CLI pages/s ≥ 0.9; accuracy_ratio_vs_tesseract ≥ 1.0.
Last line of stdout: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pypdfium2 as pdfium
from _pg import BenchServer, progress

from docmill.config import Settings
from docmill.db.engine import Database
from docmill.ingest.service import ingest_path
from docmill.pipeline import queue
from docmill.pipeline.registry import get_stage
from docmill.pipeline.worker import Worker
from tests.ocr import scans

GOAL = 0.9
ACCURACY_GOAL = 1.0


def pages() -> dict[str, scans.Scan]:
    letter = scans.page(scans.ENGLISH_LETTER, "en")
    invoice = scans.page(scans.ENGLISH_INVOICE, "en")
    receipt = scans.page(scans.KOREAN_RECEIPT, "ko")
    notice = scans.page(scans.KOREAN_NOTICE, "ko")
    return {
        "en_letter_clean": letter,
        "en_invoice_skewed": scans.degrade(invoice, skew_deg=3.0, blur=0.5),
        "en_letter_specks": scans.degrade(letter, blur=0.8, noise=0.004, seed=3),
        "en_invoice_photo": scans.degrade(invoice, photo=True, blur=0.8, seed=5),
        "en_letter_turned": scans.degrade(letter, quarter_turns=1),
        "ko_receipt_clean": receipt,
        "ko_notice_skewed": scans.degrade(notice, skew_deg=-2.0, blur=0.5),
        "ko_receipt_photo": scans.degrade(receipt, photo=True, blur=0.8, skew_deg=1.5),
        "ko_notice_specks": scans.degrade(notice, blur=0.6, noise=0.002, seed=9),
        "ko_receipt_upside_down": scans.degrade(receipt, quarter_turns=2),
    }


def accuracy(recognised: str, scan: scans.Scan) -> float:
    return max(0.0, 1.0 - scans.char_error_rate(recognised, scan.text, scan.script))


# ---- the CLI -----------------------------------------------------------------------------------------


def render_png(pdf_path: Path, target: Path) -> None:
    """Rendered exactly as the stage renders a page without a text layer: 300 dpi, greyscale."""
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        pdf[0].render(scale=300 / 72, grayscale=True).to_pil().save(target)
    finally:
        pdf.close()


def cli_pass(files: dict[str, Path], work: Path) -> tuple[float, dict[str, str]]:
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    texts = {}
    start = time.perf_counter()
    for name, pdf_path in files.items():
        png = work / f"{name}.png"
        render_png(pdf_path, png)
        done = subprocess.run(
            ["tesseract", str(png), "-", "-l", "kor+eng"], capture_output=True, text=True, env=env, check=True
        )
        texts[name] = done.stdout
    return time.perf_counter() - start, texts


# ---- the stage ---------------------------------------------------------------------------------------


def idle(database: Database) -> bool:
    with database.connect() as conn:
        row = conn.execute(
            "SELECT count(*) FROM processing_queue WHERE stage = 'markdown' AND status IN ('pending', 'processing')"
        ).fetchone()
    return bool(row and row[0] == 0)


def stage_pass(database: Database, ids: dict[str, int]) -> tuple[float, dict[str, str]]:
    start = time.perf_counter()
    with database.connect() as conn:
        queue.enqueue_stages(conn, [(i, "markdown") for i in ids.values()])
        conn.execute("SELECT pg_notify('docmill_queue', 'markdown')")
        conn.commit()
    while not idle(database):
        time.sleep(0.25)  # polling more often only steals CPU from the stage it measures
    elapsed = time.perf_counter() - start
    with database.connect() as conn:
        rows = dict(conn.execute("SELECT id, coalesce(markdown, '') FROM documents").fetchall())
        failed = conn.execute(
            "SELECT count(*) FROM processing_queue WHERE stage = 'markdown' AND status = 'failed'"
        ).fetchone()
    if failed and failed[0]:
        progress(f"{failed[0]} markdown rows failed")
    return elapsed, {name: rows[i] for name, i in ids.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=2, help="timed passes of each side")
    args = parser.parse_args()
    made = pages()
    with (
        BenchServer({"fsync": "off"}) as server,
        tempfile.TemporaryDirectory(prefix="docmill-bench-ocr-") as tmp,
    ):
        work = Path(tmp)
        files = {name: scans.image_pdf([scan], work / f"{name}.pdf") for name, scan in made.items()}
        progress(f"{len(files)} scanned pages as image-only PDFs")
        url = server.create_database("ocr_bench", migrate=True)
        database = Database(url, application_name="docmill-bench")
        settings = Settings(database_url=url, data_dir=work / "data", worker_poll_interval=0.5)
        (work / "data").mkdir()
        ids = {}
        for name, path in files.items():
            result = ingest_path(database, path, settings=settings)
            assert result.document_id is not None, result
            ids[name] = result.document_id
        with database.connect() as conn:  # the benchmark drives markdown itself
            conn.execute("DELETE FROM processing_queue")
            conn.commit()
        spec = get_stage("markdown")
        assert spec is not None
        worker = Worker(database, [spec], settings=settings, grace_s=10)
        worker.start()
        try:
            progress("warm-up: stage (starts the converter process, loads Tesseract)")
            stage_pass(database, {"en_letter_clean": ids["en_letter_clean"]})
            progress("warm-up: CLI")
            cli_pass({"en_letter_clean": files["en_letter_clean"]}, work)
            stage_times, cli_times = [], []
            stage_texts: dict[str, str] = {}
            cli_texts: dict[str, str] = {}
            for i in range(args.passes):
                if i % 2 == 0:
                    cli_s, cli_texts = cli_pass(files, work)
                    stage_s, stage_texts = stage_pass(database, ids)
                else:  # the other order, so a load drift favours neither side
                    stage_s, stage_texts = stage_pass(database, ids)
                    cli_s, cli_texts = cli_pass(files, work)
                cli_times.append(cli_s)
                stage_times.append(stage_s)
                progress(f"pass {i + 1}: CLI {cli_s:.1f} s, stage {stage_s:.1f} s")
        finally:
            worker.stop()
            worker.join()
            database.dispose()

    stage_accuracy = {n: accuracy(stage_texts[n], made[n]) for n in made}
    cli_accuracy = {n: accuracy(cli_texts[n], made[n]) for n in made}
    for name in made:
        progress(f"{name}: stage {stage_accuracy[name]:.3f}, CLI {cli_accuracy[name]:.3f}")
    stage_mean = statistics.mean(stage_accuracy.values())
    cli_mean = statistics.mean(cli_accuracy.values())
    ratios = [cli / stage for cli, stage in zip(cli_times, stage_times, strict=True)]
    out = {
        "pages": len(made),
        "passes": args.passes,
        "stage_pages_per_s": round(len(made) / statistics.median(stage_times), 3),
        "cli_pages_per_s": round(len(made) / statistics.median(cli_times), 3),
        "pass_ratios": [round(r, 3) for r in ratios],
        "ratio_vs_tesseract": round(statistics.median(ratios), 3),
        "stage_accuracy": round(stage_mean, 4),
        "cli_accuracy": round(cli_mean, 4),
        "accuracy_ratio_vs_tesseract": round(stage_mean / cli_mean, 3) if cli_mean else None,
        "goal_ratio": GOAL,
        "goal_accuracy_ratio": ACCURACY_GOAL,
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
