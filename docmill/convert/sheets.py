"""Spreadsheets (XLSX with openpyxl, XLS with xlrd, CSV/TSV) to Markdown tables, one section per sheet.

Written directly against the readers rather than through MarkItDown's pandas path, which adds
`NaN` and `Unnamed: n` noise for empty cells and headers: empty rows and columns are dropped here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from docmill.convert import encoding, limits, zipsafe
from docmill.errors import PermanentStageError

MAX_ROWS_PER_SHEET = 100_000
MAX_COLUMNS = 512


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        text = f"{value:.10g}" if not value.is_integer() else str(int(value))
    elif isinstance(value, dt.datetime):
        text = value.isoformat(sep=" ").removesuffix(" 00:00:00").removesuffix("T00:00:00")
    elif isinstance(value, dt.date | dt.time):
        text = value.isoformat()
    else:
        text = str(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r\n", "<br>").replace("\n", "<br>").strip()


def table(rows: Iterable[Iterable[Any]]) -> tuple[str, bool]:
    """A Markdown table (first non-empty row as the header); (markdown, truncated)."""
    grid: list[list[str]] = []
    truncated = False
    for i, row in enumerate(rows):
        if i >= MAX_ROWS_PER_SHEET:
            truncated = True
            break
        cells = [_cell(v) for v in list(row)[:MAX_COLUMNS]]
        if any(cells):
            grid.append(cells)
    if not grid:
        return "", truncated
    width = max(len(r) for r in grid)
    used = [c for c in range(width) if any(c < len(r) and r[c] for r in grid)]
    grid = [[r[c] if c < len(r) else "" for c in used] for r in grid]
    lines = ["| " + " | ".join(grid[0]) + " |", "| " + " | ".join("---" for _ in used) + " |"]
    lines += ["| " + " | ".join(r) + " |" for r in grid[1:]]
    return "\n".join(lines), truncated


def _sections(sheets: Iterator[tuple[str, Iterable[Iterable[Any]]]]) -> tuple[str, list[str]]:
    parts: list[str] = []
    warnings_out: list[str] = []
    for name, rows in sheets:
        body, truncated = table(rows)
        if truncated:
            warnings_out.append(f"sheet {name!r}: only the first {MAX_ROWS_PER_SHEET} rows were converted")
        parts.append(f"## {name}\n\n{body}" if body else f"## {name}\n\n(empty sheet)")
    return "\n\n".join(parts) + ("\n" if parts else ""), warnings_out


def xlsx_to_markdown(path: Path | str) -> tuple[str, list[str]]:
    zipsafe.check_zip(path)
    import openpyxl  # noqa: PLC0415, RUF100  # lazy: only workbooks need it (the api imports this module)

    with open(path, "rb") as handle:  # a file object: openpyxl would refuse a path without an .xlsx suffix
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except Exception as exc:
            raise PermanentStageError(
                f"the workbook cannot be read ({type(exc).__name__}: {exc})",
                "open and re-save it in a spreadsheet program",
            ) from None
        try:
            return _sections((ws.title, ws.iter_rows(values_only=True)) for ws in book.worksheets)
        finally:
            book.close()


def xls_to_markdown(path: Path | str) -> tuple[str, list[str]]:
    import xlrd  # noqa: PLC0415, RUF100  # lazy: only .xls workbooks need it

    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except Exception as exc:
        raise PermanentStageError(f"the workbook cannot be read ({type(exc).__name__}: {exc})", "re-save it") from None

    def rows(sheet: Any) -> Iterator[list[Any]]:
        for r in range(sheet.nrows):
            out = []
            for c in range(sheet.ncols):
                cell = sheet.cell(r, c)
                if cell.ctype == xlrd.XL_CELL_DATE:
                    try:
                        out.append(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
                        continue
                    except Exception:
                        pass
                out.append(None if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK) else cell.value)
            yield out

    try:
        return _sections((s.name, rows(s)) for s in book.sheets())
    finally:
        book.release_resources()


def csv_to_markdown(path: Path | str) -> tuple[str, list[str], str]:
    """(markdown, warnings, encoding) for a CSV or TSV file in any encoding."""
    decoded = encoding.read_text(path, max_bytes=limits.MARKDOWN_MAX_CHARS * 2)
    text = decoded.text
    try:
        dialect: Any = csv.Sniffer().sniff(text[: 64 * 1024], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    csv.field_size_limit(limits.MARKDOWN_MAX_CHARS)
    try:
        body, truncated = table(csv.reader(io.StringIO(text), dialect))
    except csv.Error as exc:
        raise PermanentStageError(f"the CSV cannot be parsed ({exc})", "check its quoting") from None
    out = list(decoded.warnings)
    if truncated:
        out.append(f"only the first {MAX_ROWS_PER_SHEET} rows were converted")
    return (body + "\n" if body else ""), out, decoded.encoding
