"""`docmill stt-server`: run the speech-to-text service (loopback by default)."""

from __future__ import annotations

import typer

from docmill.cli.common import cli_command, console
from docmill.config import get_settings


@cli_command
def stt_server(
    host: str = typer.Option(None, "--host", help="Address to bind (default: DOCMILL_STT_HOST, 127.0.0.1)."),
    port: int = typer.Option(None, "--port", min=1, max=65535, help="Port (default: DOCMILL_STT_PORT, 8001)."),
) -> None:
    """Run the STT service. The model loads at start (STT_PRELOAD=0: on the first request); /ready says when."""
    import uvicorn

    from docmill.stt.service import create_stt_app

    settings = get_settings()
    bind_host = host or settings.stt_host
    bind_port = port or settings.stt_port
    console.print(f"STT service on http://{bind_host}:{bind_port} (backend {settings.stt_backend})")
    uvicorn.run(
        create_stt_app(settings),
        host=bind_host,
        port=bind_port,
        log_level=settings.log_level.lower(),
        access_log=False,
        log_config=None,  # keep docmill's logging setup
        timeout_graceful_shutdown=10,
    )


def register(app: typer.Typer) -> None:
    app.command("stt-server")(stt_server)


if __name__ == "__main__":  # `python -m docmill.cli.stt stt-server …` works before main registers it
    standalone = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    standalone.callback()(lambda: None)
    register(standalone)
    standalone()
