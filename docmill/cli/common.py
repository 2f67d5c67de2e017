"""What every CLI command shares: logging, signals, error display, the database."""

from __future__ import annotations

import functools
import logging
import signal
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.logging import RichHandler

from docmill.config import get_settings
from docmill.db.engine import open_database
from docmill.errors import DocmillError

console = Console(stderr=False)
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


def setup_logging(level: str | None = None) -> None:
    level = (level or get_settings().log_level).upper()
    root = logging.getLogger()
    if any(isinstance(h, RichHandler) for h in root.handlers):
        root.setLevel(level)
        return
    handler = RichHandler(console=err_console, show_path=False, rich_tracebacks=False, markup=False)
    logging.basicConfig(level=level, format="%(message)s", datefmt="[%X]", handlers=[handler])
    for noisy in ("httpx", "httpcore", "alembic.runtime.migration", "multipart"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))


def exit_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit so atexit handlers (the embedded server's stop) run."""

    def _handler(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _handler)


def show_error(exc: DocmillError) -> None:
    err_console.print(f"[bold red]error:[/] {exc.message}", highlight=False)
    if exc.hint:
        err_console.print(f"[yellow]what to do:[/] {exc.hint}", highlight=False)


def cli_command(func: F) -> F:
    """Wrap a command: logging, SIGTERM → clean exit, DocmillError → message + hint + exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        setup_logging()
        exit_on_sigterm()
        try:
            return func(*args, **kwargs)
        except DocmillError as exc:
            show_error(exc)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err_console.print("interrupted")
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


def in_transaction(work: Callable[[Any], T], *, application_name: str = "docmill") -> T:
    """Open the configured database, run `work(conn)` in one transaction, commit it and return the result
    (an exception rolls it back: nothing is committed)."""
    db = open_database(application_name=application_name)
    with db.connect() as conn:
        result = work(conn)
        conn.commit()
    return result
