"""`docmill ocr check`: are the configured OCR languages installed (traineddata, the Tesseract binding)?"""

from __future__ import annotations

import typer
from rich.table import Table

from docmill.cli.common import cli_command, console
from docmill.config import get_settings
from docmill.ocr import languages

ocr_app = typer.Typer(help="OCR: check the Tesseract languages docmill reads scans with.", no_args_is_help=True)


@ocr_app.command("check")
@cli_command
def check() -> None:
    """Compare DOCMILL_OCR_LANGUAGES (plus osd) with the installed traineddata; exit 1 on anything missing."""
    configured = get_settings().ocr_languages
    table = Table(title="docmill OCR check", show_header=False)
    if configured.strip().lower() in languages.OFF:
        table.add_row("languages", f"{configured} (OCR turned off)")
        console.print(table)
        return
    report = languages.check(configured)
    table.add_row("languages", "+".join(report.languages) or configured)
    table.add_row("engine", report.engine or "not installed")
    table.add_row("tessdata", str(report.tessdata) if report.tessdata else "not found")
    table.add_row("installed", ", ".join(report.installed) or "none")
    table.add_row("missing", ", ".join(report.missing) or "none")
    console.print(table)
    if not report.ok:
        for problem in report.problems:
            console.print(f"[red]✗ {problem}[/]", highlight=False)
        raise typer.Exit(1)
    console.print("[green]✓ OCR can read " + "+".join(report.languages) + "[/]")


def register(app: typer.Typer) -> None:
    app.add_typer(ocr_app, name="ocr")
