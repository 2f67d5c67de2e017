"""`docmill stt-server` (the speech-to-text service, loopback by default) and `docmill transcribe`."""

from __future__ import annotations

import typer

from docmill.api.services import transcription
from docmill.cli.common import cli_command, console
from docmill.cli.signals import quiet_uvicorn
from docmill.config import get_settings
from docmill.db.engine import open_database


@cli_command
def stt_server(
    host: str = typer.Option(None, "--host", help="Address to bind (default: DOCMILL_STT_HOST, 127.0.0.1)."),
    port: int = typer.Option(None, "--port", min=1, max=65535, help="Port (default: DOCMILL_STT_PORT, 8001)."),
) -> None:
    """Run the STT service. The model loads at start (STT_PRELOAD=0: on the first request); /ready says when."""
    import uvicorn  # noqa: PLC0415 (lazy: only this command serves HTTP)

    from docmill.stt.service import create_stt_app  # noqa: PLC0415 (lazy: FastAPI app, only for this command)

    settings = get_settings()
    bind_host = host or settings.stt_host
    bind_port = port or settings.stt_port
    console.print(f"STT service on http://{bind_host}:{bind_port} (backend {settings.stt_backend})")
    quiet_uvicorn("stt")  # uvicorn stops on SIGINT/SIGTERM by itself; one "stopping…" line, exit 0
    uvicorn.run(
        create_stt_app(settings),
        host=bind_host,
        port=bind_port,
        log_level=settings.log_level.lower(),
        access_log=False,
        log_config=None,  # keep docmill's logging setup
        timeout_graceful_shutdown=10,
    )


@cli_command
def transcribe(
    document: int = typer.Argument(help="The id of an audio or video document."),
    language: str = typer.Option(
        None,
        "--language",
        "-l",
        help='The recording\'s language ("ko", "en", …); "auto": the STT service\'s default. '
        "Kept for later runs. Left out: the language set before.",
    ),
) -> None:
    """Transcribe a recording again, e.g. as Korean: `docmill transcribe 42 --language ko`."""
    db = open_database()
    with db.transaction() as session:
        doc = transcription.load_recording(session, document)
        wanted = doc.stt_language if language is None else language
        result = transcription.request_transcription(session, get_settings(), doc, wanted)
    shown = result.language or "the STT service's default language"
    queued = ", ".join(result.queued) or "nothing new (stt is already waiting)"
    console.print(f"document {document}: transcribed again in {shown}; queued {queued}")


def register(app: typer.Typer) -> None:
    app.command("stt-server")(stt_server)
    app.command("transcribe")(transcribe)


if __name__ == "__main__":  # `python -m docmill.cli.stt stt-server …` works before main registers it
    standalone = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    standalone.callback()(lambda: None)
    register(standalone)
    standalone()
