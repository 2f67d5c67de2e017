"""A real STT service process on loopback, and speech made with espeak-ng and ffmpeg."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60.0

ENGLISH = (
    "The quick brown fox jumps over the lazy dog. Please send the quarterly report to the finance team "
    "before Friday morning. We will meet in the small conference room after lunch."
)
KOREAN = "안녕하세요. 오늘 회의는 세 시에 시작합니다."


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_command(port: int) -> list[str]:
    """`docmill stt-server`, as the installed command runs it."""
    return [sys.executable, "-m", "docmill.cli.main", "stt-server", "--host", "127.0.0.1", "--port", str(port)]


class SttProcess:
    """`docmill stt-server` in a subprocess; stopped with SIGTERM (then SIGKILL) by `stop`."""

    def __init__(self, log_path: Path, port: int | None = None, env: dict[str, str | None] | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        # the packaged model and default limits unless the test says otherwise; None removes a variable
        merged: dict[str, str | None] = {
            **os.environ,
            "DOCMILL_LOG_LEVEL": "INFO",
            "DOCMILL_STT_BACKEND": None,
            "DOCMILL_STT_MODEL_DIR": None,
            "DOCMILL_STT_MAX_BYTES": None,
            "DOCMILL_STT_MAX_SECONDS": None,
            **(env or {}),
        }
        self.env = {k: v for k, v in merged.items() if v is not None}
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> SttProcess:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                server_command(self.port), cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""

    def get(self, path: str) -> httpx.Response:
        return httpx.get(self.url + path, timeout=10)

    def wait_until(self, condition: Callable[[], bool], what: str, timeout: float = START_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None and self.proc.poll() is None, f"stt-server exited:\n{self.log()}"
            try:
                if condition():
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"stt-server: {what} not reached within {timeout} s\n{self.log()}")

    def wait_alive(self) -> None:
        self.wait_until(lambda: self.get("/health").status_code == 200, "/health 200")

    def wait_ready(self) -> None:
        self.wait_until(lambda: self.get("/ready").status_code == 200, "/ready 200")

    def transcribe(self, path: Path, language: str | None = None, timeout: float = 120) -> httpx.Response:
        with path.open("rb") as fh:
            return httpx.post(
                self.url + "/transcribe",
                files={"file": (path.name, fh)},
                data={"language": language} if language else {},
                timeout=timeout,
            )

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def stt_process(tmp_path: Path) -> Iterator[Callable[..., SttProcess]]:
    """Factory: start an stt-server with extra environment; every one started is stopped afterwards."""
    started: list[SttProcess] = []

    def _start(env: dict[str, str | None] | None = None, port: int | None = None) -> SttProcess:
        proc = SttProcess(tmp_path / f"stt-{len(started)}.log", port=port, env=env).start()
        started.append(proc)
        return proc

    try:
        yield _start
    finally:
        for proc in started:
            proc.stop()


@pytest.fixture(scope="session")
def stt_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SttProcess]:
    """One preloaded service (the packaged tiny.en model) shared by the STT tests."""
    env: dict[str, str | None] = {"STT_PRELOAD": "1", "DOCMILL_STT_CONCURRENCY": "1"}
    proc = SttProcess(tmp_path_factory.mktemp("stt") / "stt.log", env=env).start()
    try:
        proc.wait_ready()
        yield proc
    finally:
        proc.stop()


def _run(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    for tool in ("espeak-ng", "ffmpeg"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing; install it (scripts/apt-test.txt lists it)")
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def make_speech(media_dir: Path) -> Callable[..., Path]:
    """Speak `text` with espeak-ng into a 16 kHz mono WAV (cached by name)."""

    def _make(text: str, name: str, voice: str = "en-us") -> Path:
        out = media_dir / f"{name}.wav"
        if not out.exists():
            raw = media_dir / f"{name}.raw.wav"
            _run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(raw), text])
            _run(
                ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(raw), "-ac", "1", "-ar", "16000", str(out)]
            )
        return out

    return _make


@pytest.fixture(scope="session")
def english_speech(make_speech: Callable[..., Path]) -> Path:
    return make_speech(ENGLISH, "english")


@pytest.fixture(scope="session")
def korean_speech(make_speech: Callable[..., Path]) -> Path:
    """espeak-ng's Korean voice: ~4.5 s, which tiny.en cannot read (and Whisper base reads poorly)."""
    return make_speech(KOREAN, "korean", voice="ko")


@pytest.fixture(scope="session")
def make_video(media_dir: Path) -> Callable[..., Path]:
    """An MP4 of a colour source, with `audio` as its sound track (or none)."""

    def _make(name: str, audio: Path | None) -> Path:
        out = media_dir / f"{name}.mp4"
        if out.exists():
            return out
        cmd = ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "color=c=navy:s=160x120:r=10"]
        if audio is not None:
            cmd += ["-i", str(audio), "-c:a", "aac", "-shortest"]
        else:
            cmd += ["-t", "2"]
        cmd += ["-c:v", "libx264", "-pix_fmt", "yuv420p", str(out)]
        _run(cmd)
        return out

    return _make
