"""A file's Markdown: its format's function from the table, then the same clean-up for every format."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from docmill.convert import limits, table
from docmill.convert.types import NO_TEXT, UNSUPPORTED, Converted, Options, Source
from docmill.errors import PermanentStageError

_BLANK_RUNS = re.compile(r"\n{4,}")
# Converter-internal remarks (MarkItDown's "<!-- Slide number: 1 -->", notes markers): never user text.
_COMMENTS = re.compile(r"<!--.*?-->", re.DOTALL)
_EMPTY_LINES = re.compile(r"^[ \t]+$", re.MULTILINE)


def convert(
    path: Path | str,
    media_type: str,
    *,
    options: Options | None = None,
    original_name: str | None = None,
) -> Converted:
    """Markdown for one file of the given (detected) media type; PermanentStageError when it cannot be read."""
    fmt = table.format_for(media_type)
    if fmt is None or fmt.markdown is None:
        return finish(Converted("", None, UNSUPPORTED))
    opts = options or Options()

    def nested(member: Path, name: str, depth: int) -> Converted:
        # members never write derived files: the searchable copy belongs to the document itself
        return _nested(member, name, dataclasses.replace(opts, depth=depth, derived_dir=None))

    source = Source(str(path), fmt.extension, media_type, original_name, opts, nested)
    try:
        return finish(fmt.markdown(source))
    except RecursionError:
        raise PermanentStageError(
            "the document is nested too deeply to convert", "it may be hostile; simplify or re-save it"
        ) from None


def _nested(path: Path, name: str, options: Options) -> Converted:
    """A file inside another (archive members): detected and converted by its own format."""
    detected = table.detect_file(path, name)
    return convert(path, detected.media_type, options=options, original_name=name)


def finish(out: Converted) -> Converted:
    markdown = out.markdown.replace("\r\n", "\n").replace("\x00", "")
    markdown = _COMMENTS.sub("", markdown)
    markdown = _EMPTY_LINES.sub("", markdown)
    markdown = _BLANK_RUNS.sub("\n\n\n", markdown).strip()
    if len(markdown) > limits.MARKDOWN_MAX_CHARS:
        markdown = markdown[: limits.MARKDOWN_MAX_CHARS]
        out.warnings.append(f"the Markdown was cut at {limits.MARKDOWN_MAX_CHARS:,} characters")
    out.markdown = markdown + "\n" if markdown else ""
    if not out.markdown and out.note is None:
        out.note = NO_TEXT
    return out
