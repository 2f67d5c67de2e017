"""`docmill serve`: everything on one machine, on the embedded database by default."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import typer

from docmill.cli.common import cli_command, console
from docmill.cli.signals import run_until_stopped
from docmill.config import get_settings
from docmill.db.check import require_compatible_schema
from docmill.db.engine import open_database
from docmill.db.migrate import upgrade
from docmill.db.urls import redact
from docmill.serve.supervisor import Child, Supervisor


def _first_login_message(db: Any, settings: Any) -> str:
    """Make sure someone can log in; say how."""
    from docmill.auth.service import ensure_first_admin  # noqa: PLC0415 (lazy: only serve creates the first admin)

    username, password = ensure_first_admin(db, settings)
    if password:
        return f"log in as [bold]{username}[/] with password [bold]{password}[/] (shown once; change it in the UI)"
    if username:
        return f"log in as [bold]{username}[/] (password from DOCMILL_ADMIN_PASSWORD or set earlier)"
    return "log in with your docmill user (create one with `docmill user create NAME`)"


@cli_command
def serve(
    host: str = typer.Option(None, "--host", help="Address for the web UI and API (default: settings)."),
    port: int = typer.Option(None, "--port", help="Port for the web UI and API (default: settings)."),
    stt: bool = typer.Option(True, "--stt/--no-stt", help="Run the speech-to-text service."),
    collector: bool = typer.Option(True, "--collector/--no-collector", help="Run the news collector."),
    workers: int = typer.Option(1, "--workers", min=1, help="Worker processes."),
) -> None:
    """Run docmill on this machine: database, migrations, api, workers, STT service and collector."""
    settings = get_settings()
    host = host or settings.host
    port = port or settings.port
    db = open_database(application_name="docmill-serve")
    console.print(f"database: {redact(db.url)}" + (" (embedded)" if db.embedded else ""), highlight=False)
    upgrade(db.url)
    require_compatible_schema(db.url)
    login = _first_login_message(db, settings)

    children = [Child("api", ["api", "--host", host, "--port", str(port)])]
    children += [Child(f"worker-{i + 1}", ["worker"]) for i in range(workers)]
    if stt:
        children.append(Child("stt", ["stt-server", "--host", settings.stt_host, "--port", str(settings.stt_port)]))
    if collector:
        children.append(Child("collector", ["collector"]))
    if settings.inbox_dir:
        children.append(Child("inbox", ["inbox"]))
    supervisor = Supervisor(settings, db.url, children)

    def _announce() -> None:
        url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not supervisor._stop.is_set():
            try:
                if httpx.get(f"{url}/ready", timeout=2).status_code == 200:
                    console.print(f"[bold green]docmill is running at {url}[/]")
                    console.print(login)
                    console.print("press Ctrl-C to stop")
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)

    threading.Thread(target=_announce, daemon=True).start()
    try:
        run_until_stopped("docmill", supervisor.run, supervisor.stop)
    finally:
        db.dispose()
        if db.embedded is not None:
            db.embedded.release()
        console.print("docmill stopped")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
