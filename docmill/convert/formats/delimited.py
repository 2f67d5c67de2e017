"""CSV and TSV (recognised by a .csv/.tsv name over text whose rows split evenly): a Markdown table in any
encoding, and an HTML table as the preview."""

from __future__ import annotations

import csv
import html as html_lib
import io

from docmill.convert import encoding, html, limits, previews, sheets
from docmill.convert.types import Converted, Family, Format, Metadata, Preview, PreviewJob, Source
from docmill.kinds import DocumentKind


def _looks_tabular(text: str) -> bool:
    lines = [line for line in text[:16384].splitlines() if line.strip()][:20]
    if not lines:
        return False
    for delimiter in (",", ";", "\t", "|"):
        counts = {line.count(delimiter) for line in lines[:-1] or lines}
        if len(counts) == 1 and next(iter(counts)) > 0:
            return True
    return len(lines) == 1 and any(d in lines[0] for d in ",;\t")


def _sniffer(extension: str):  # type: ignore[no-untyped-def]
    return lambda probe: probe.name_extension == extension and probe.text is not None and _looks_tabular(probe.text)


def markdown(src: Source) -> Converted:
    text, warnings, _ = sheets.csv_to_markdown(src.path)
    return Converted(text, None, None, warnings)


def metadata(src: Source) -> Metadata:
    with open(src.path, "rb") as f:
        head = f.read(limits.TEXT_SAMPLE_BYTES)
    decoded = encoding.decode_bytes(head)
    fields: dict[str, object] = {"encoding": decoded.encoding}
    if decoded.encoding not in ("utf-8", "ascii"):
        fields["decoded_from"] = decoded.encoding
    fields["lines"] = decoded.text.count("\n") if len(head) < limits.TEXT_SAMPLE_BYTES else None
    return Metadata(fields, decoded.text, list(decoded.warnings))


def preview(job: PreviewJob) -> Preview:
    decoded = encoding.read_text(job.source.path, max_bytes=8 * 1024 * 1024)
    try:
        dialect: object = csv.Sniffer().sniff(decoded.text[:65536], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = []
    for i, row in enumerate(csv.reader(io.StringIO(decoded.text), dialect)):  # type: ignore[arg-type]
        if i >= sheets.MAX_ROWS_PER_SHEET:
            break
        tag = "th" if i == 0 else "td"
        rows.append("<tr>" + "".join(f"<{tag}>{html_lib.escape(c)}</{tag}>" for c in row) + "</tr>")
    page = html.sanitize("<table>" + "".join(rows) + "</table>", job.source.original_name or "")
    return previews.write_html(job, page)


def _format(media_type: str, extension: str) -> Format:
    return Format(
        media_type,
        DocumentKind.SPREADSHEET,
        extension,
        _sniffer(extension),
        order=89,
        markdown=markdown,
        metadata=metadata,
        preview=preview,
        thumbnail=previews.from_preview_pdf,
    )


FAMILY = Family("delimited", (_format("text/csv", "csv"), _format("text/tab-separated-values", "tsv")))
