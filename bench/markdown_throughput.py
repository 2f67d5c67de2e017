"""Throughput of the markdown stage over the public corpus against the converter libraries called directly.

Stage: the real thing — the corpus ingested into a throwaway embedded PostgreSQL, a docmill Worker
running only the markdown stage (its sandboxed converter process kept alive, as in production), and each
pass re-enqueuing markdown for every document and waiting until the queue is idle. A warm-up pass
first, so the figures are steady state (imports and model loads excluded).

Library: in the same process run, the same files through the libraries the stage wraps, called
directly with the file type given (no sniffing): pypdfium2 for PDF, MarkItDown's converter classes for
DOCX, PPTX, XLSX, XLS, HTML, EPUB, MSG, IPYNB, CSV, JSON, ZIP, and striprtf for RTF; also warmed up.

Each pass runs both back to back, in alternating order, so background load hits both alike; the
reported ratio is the median of the per-pass ratios, and documents/s come from the median pass times.

    .venv/bin/python bench/markdown_throughput.py [--passes 2]

Goal: ratio_vs_library = stage documents/s ÷ library documents/s ≥ 0.9. Last line of stdout: one JSON object.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _pg import BenchServer, progress

from docmill.config import Settings
from docmill.db.engine import Database
from docmill.ingest.detect import detect_file
from docmill.ingest.service import ingest_path
from docmill.pipeline import queue
from docmill.pipeline.registry import get_stage
from docmill.pipeline.worker import Worker

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "public"
SKIP = {"atom", "rss", "rdf", "jsonfeed", "expected_md"}
GOAL = 0.9


def corpus_files() -> list[Path]:
    files = []
    for path in sorted(CORPUS.rglob("*")):
        if not path.is_file() or path.name == "MANIFEST.md" or path.relative_to(CORPUS).parts[0] in SKIP:
            continue
        if detect_file(path, path.name).kind in ("audio", "video", "unknown"):
            continue  # not the markdown stage's
        files.append(path)
    return files


# ---- library baseline ------------------------------------------------------------------------------


def library_converters() -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from markitdown import MarkItDown  # noqa: PLC0415 (each converter loads only when its side of the comparison runs)
        from markitdown.converters import (  # noqa: PLC0415 (each converter loads only when its side of the comparison runs)
            CsvConverter,
            DocxConverter,
            EpubConverter,
            HtmlConverter,
            IpynbConverter,
            OutlookMsgConverter,
            PlainTextConverter,
            PptxConverter,
            XlsConverter,
            XlsxConverter,
            ZipConverter,
        )

    return {
        "docx": DocxConverter(),
        "pptx": PptxConverter(),
        "xlsx": XlsxConverter(),
        "xls": XlsConverter(),
        "html": HtmlConverter(),
        "epub": EpubConverter(),
        "msg": OutlookMsgConverter(),
        "ipynb": IpynbConverter(),
        "csv": CsvConverter(),
        "json": PlainTextConverter(),
        "zip": ZipConverter(markitdown=MarkItDown()),
    }


def library_convert(path: Path, ext: str, converters: dict[str, Any]) -> str:
    if ext == "pdf":
        import pypdfium2 as pdfium  # noqa: PLC0415 (each converter loads only when its side of the comparison runs)

        pdf = pdfium.PdfDocument(str(path))
        try:
            return "\n\n".join(page.get_textpage().get_text_bounded() for page in pdf)
        finally:
            pdf.close()
    if ext == "rtf":
        from striprtf.striprtf import rtf_to_text  # noqa: PLC0415 (each converter loads only when its side of the comparison runs)

        return rtf_to_text(path.read_bytes().decode("latin-1"))
    if ext == "jpg":
        from PIL import Image  # noqa: PLC0415 (each converter loads only when its side of the comparison runs)

        with Image.open(path) as image:
            return str(image.getexif())
    from markitdown import StreamInfo  # noqa: PLC0415 (each converter loads only when its side of the comparison runs)

    charset = "cp932" if ext == "csv" else "utf-8"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        info = StreamInfo(extension=f".{ext}", filename=path.name, charset=charset, mimetype="")
        return converters[ext].convert(io.BytesIO(path.read_bytes()), info).markdown


def library_pass(files: list[tuple[Path, str]], converters: dict[str, Any]) -> float:
    start = time.perf_counter()
    for path, ext in files:
        library_convert(path, ext, converters)
    return time.perf_counter() - start


# ---- the stage -------------------------------------------------------------------------------------


def idle(database: Database) -> bool:
    with database.connect() as conn:
        row = conn.execute(
            "SELECT count(*) FROM processing_queue WHERE stage = 'markdown' AND status IN ('pending', 'processing')"
        ).fetchone()
    return bool(row and row[0] == 0)


def stage_pass(database: Database, ids: list[int]) -> float:
    start = time.perf_counter()
    with database.connect() as conn:
        queue.enqueue_stages(conn, [(i, "markdown") for i in ids])
        conn.execute("SELECT pg_notify('docmill_queue', 'markdown')")
        conn.commit()
    while not idle(database):
        time.sleep(0.02)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=3, help="timed passes of each side")
    args = parser.parse_args()

    files = corpus_files()
    total_bytes = sum(p.stat().st_size for p in files)
    progress(f"{len(files)} corpus files, {total_bytes / 1e6:.1f} MB")
    typed = []
    for path in files:
        detected = detect_file(path, path.name)
        typed.append((path, detected.extension or path.suffix.lstrip(".")))

    with BenchServer({"fsync": "off"}) as server, tempfile.TemporaryDirectory(prefix="docmill-bench-") as tmp:
        url = server.create_database("markdown_bench", migrate=True)
        database = Database(url, application_name="docmill-bench")
        settings = Settings(database_url=url, data_dir=Path(tmp), worker_poll_interval=0.5)
        ids = []
        for path in files:
            result = ingest_path(database, path, settings=settings)
            assert result.document_id is not None, result
            ids.append(result.document_id)
        with database.connect() as conn:  # the benchmark drives markdown itself
            conn.execute("DELETE FROM processing_queue")
            conn.commit()
        spec = get_stage("markdown")
        assert spec is not None
        worker = Worker(database, [spec], settings=settings, grace_s=10)
        worker.start()
        try:
            converters = library_converters()
            progress("warm-up: library")
            library_pass(typed, converters)
            progress("warm-up: stage (starts the converter process)")
            stage_pass(database, ids)
            with database.connect() as conn:
                errors = conn.execute(
                    "SELECT d.original_name, q.error FROM processing_queue q JOIN documents d ON d.id = q.document_id "
                    "WHERE q.stage = 'markdown' AND q.status = 'failed'"
                ).fetchall()
            failed = len(errors)
            for name, error in errors:
                progress(f"failed: {name}: {error}")
            library_times, stage_times = [], []
            for i in range(args.passes):
                if i % 2 == 0:
                    library_times.append(library_pass(typed, converters))
                    stage_times.append(stage_pass(database, ids))
                else:  # the other order, so a load drift favours neither side
                    stage_times.append(stage_pass(database, ids))
                    library_times.append(library_pass(typed, converters))
                progress(f"pass {i + 1}: library {library_times[-1]:.2f} s, stage {stage_times[-1]:.2f} s")
        finally:
            worker.stop()
            worker.join()
            database.dispose()

    # Each pass pairs a library run with a stage run back to back; the median of the pair ratios is robust
    # to other load on the machine, which slows whole passes.
    ratios = [lib / stage for lib, stage in zip(library_times, stage_times, strict=True)]
    library_s = statistics.median(library_times)
    stage_s = statistics.median(stage_times)
    out = {
        "documents": len(files),
        "megabytes": round(total_bytes / 1e6, 3),
        "passes": args.passes,
        "stage_docs_per_s": round(len(files) / stage_s, 2),
        "stage_mb_per_s": round(total_bytes / 1e6 / stage_s, 3),
        "library_docs_per_s": round(len(files) / library_s, 2),
        "library_mb_per_s": round(total_bytes / 1e6 / library_s, 3),
        "stage_failed_rows": int(failed),
        "pass_ratios": [round(r, 3) for r in ratios],
        "ratio_vs_library": round(statistics.median(ratios), 3),
        "goal_ratio": GOAL,
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
