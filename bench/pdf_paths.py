"""Which PDF text path the markdown stage uses: quality against `expected_md/` and speed, on the corpus.

Candidates, all offline and already installed: pypdfium2 (`get_text_bounded`, as docmill.convert.pdf
uses it), pdfplumber, and MarkItDown's PDF converter (pdfminer.six). Quality is word-level F1 and
word-order similarity against the reference Markdown of each PDF that has one; speed is documents/s
over every corpus PDF (best of --runs).

Caveat: `expected_md/` is MarkItDown's own output, so MarkItDown scores 1.0 by construction there;
DESIGN.md section 5 has the held-out comparison (pypdfium2 F1 0.95 vs pdfminer 0.76–0.79).

    .venv/bin/python bench/pdf_paths.py [--runs 3]

Last line of stdout: one JSON object; `ratio_vs_markitdown` = pypdfium2 docs/s ÷ MarkItDown docs/s.
"""

from __future__ import annotations

import argparse
import collections
import difflib
import json
import re
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from docmill.convert import pdf as docmill_pdf

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "public"


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def f1(candidate: str, reference: str) -> float:
    a, b = collections.Counter(words(candidate)), collections.Counter(words(reference))
    if not a and not b:
        return 1.0
    overlap = sum((a & b).values())
    if not overlap:
        return 0.0
    p, r = overlap / sum(a.values()), overlap / sum(b.values())
    return 2 * p * r / (p + r)


def order(candidate: str, reference: str) -> float:
    return difflib.SequenceMatcher(None, words(candidate), words(reference), autojunk=False).ratio()


def paths() -> dict[str, Callable[[Path], str]]:
    import pdfplumber  # noqa: PLC0415 (the peers load only when their side of the comparison runs)
    from markitdown import MarkItDown, StreamInfo  # noqa: PLC0415 (the peers load only when their side of the comparison runs)
    from markitdown.converters import PdfConverter  # noqa: PLC0415 (the peers load only when their side of the comparison runs)

    converter = PdfConverter()
    MarkItDown()  # imports the same way the library does

    def markitdown(path: Path) -> str:
        with open(path, "rb") as f, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return converter.convert(f, StreamInfo(extension=".pdf")).markdown

    def plumber(path: Path) -> str:
        with pdfplumber.open(str(path)) as document:
            return "\n\n".join(page.extract_text() or "" for page in document.pages)

    return {
        "pypdfium2": lambda path: docmill_pdf.extract_text(path).markdown,
        "pdfplumber": plumber,
        "markitdown": markitdown,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    pdfs = sorted((CORPUS / "pdf").glob("*.pdf"))
    references = {p: CORPUS / "expected_md" / f"{p.stem}.md" for p in pdfs}
    references = {p: r for p, r in references.items() if r.exists()}
    out: dict[str, object] = {"pdfs": len(pdfs), "with_reference": len(references)}
    speeds: dict[str, float] = {}
    for name, convert in paths().items():
        for p in pdfs:  # warm-up
            convert(p)
        best = min(_timed(convert, pdfs) for _ in range(args.runs))
        speeds[name] = len(pdfs) / best
        scores = [
            (f1(convert(p), r.read_text("utf-8")), order(convert(p), r.read_text("utf-8")))
            for p, r in references.items()
        ]
        out[f"{name}_f1_mean"] = round(statistics.mean(s[0] for s in scores), 3)
        out[f"{name}_f1_min"] = round(min(s[0] for s in scores), 3)
        out[f"{name}_order_min"] = round(min(s[1] for s in scores), 3)
        out[f"{name}_docs_per_s"] = round(speeds[name], 1)
        print(f"{name}: {out[f'{name}_f1_mean']} F1, {speeds[name]:.1f} docs/s", file=sys.stderr)
    out["chosen"] = "pypdfium2"
    out["ratio_vs_markitdown"] = round(speeds["pypdfium2"] / speeds["markitdown"], 1)
    out["ratio_vs_pdfplumber"] = round(speeds["pypdfium2"] / speeds["pdfplumber"], 1)
    print(json.dumps(out))


def _timed(convert: Callable[[Path], str], pdfs: list[Path]) -> float:
    start = time.perf_counter()
    for p in pdfs:
        convert(p)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
