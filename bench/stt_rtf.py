"""Real-time factor of transcription through the STT service, against faster-whisper called directly.

Makes English speech with espeak-ng, starts `docmill stt-server` on loopback (the packaged tiny.en model),
loads the same model in this process with the same settings, and times both on the same file, alternating
runs. rtf = processing seconds / audio seconds (lower is faster), from each side's fastest run (the least
disturbed by other load on the machine; medians are printed too); ratio_vs_library = library rtf /
service rtf (1.0: the service adds nothing; goal ≥ 0.9). The service's time is the client's wall time of
the whole HTTP request: upload, ffmpeg decoding, transcription, response.

    .venv/bin/python bench/stt_rtf.py [--quick] [--runs N] [--seconds S]

Prints one JSON object as the last line.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

PARAGRAPH = (
    "The committee met on Tuesday to review the budget for the coming year. Several members asked for more "
    "detail on the travel costs, and the treasurer promised a written report before the next meeting. "
    "After a short break the group discussed the new office, the schedule for the move, and the training "
    "plan for the staff who will join in the spring. "
)


def speech(folder: Path, seconds: float) -> tuple[Path, float]:
    sentences = [s.strip() + "." for s in PARAGRAPH.split(".") if s.strip()]
    text = ""
    out = folder / "speech.wav"
    for i in range(10_000):
        text += sentences[i % len(sentences)] + " "
        if len(text.split()) < seconds * 2:  # at ~2.7 words/s, fewer words cannot last long enough
            continue
        raw = folder / "raw.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "160", "-w", str(raw), text], check=True)
        subprocess.run(
            ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(raw), "-ac", "1", "-ar", "16000", str(out)],
            check=True,
        )
        duration = (out.stat().st_size - 44) / 32000
        if duration >= seconds:
            return out, duration
    raise RuntimeError("could not make enough speech")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_service(port: int, log: Path) -> subprocess.Popen[bytes]:
    from docmill.cli.main import app

    module = "docmill.cli.main" if any(c.name == "stt-server" for c in app.registered_commands) else "docmill.cli.stt"
    env = {k: v for k, v in os.environ.items() if k not in ("DOCMILL_STT_MODEL_DIR", "DOCMILL_STT_BACKEND")}
    env["STT_PRELOAD"] = "1"
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", module, "stt-server", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"stt-server exited:\n{log.read_text()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=5).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"stt-server not ready within 120 s:\n{log.read_text()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="about 20 s of speech, 3 runs each")
    parser.add_argument("--runs", type=int, default=None, help="timed runs per side (default 5, quick 3)")
    parser.add_argument("--seconds", type=float, default=None, help="length of the speech (default 60, quick 20)")
    args = parser.parse_args()
    runs = args.runs or (3 if args.quick else 5)
    seconds = args.seconds or (20.0 if args.quick else 60.0)

    from faster_whisper import WhisperModel

    from docmill.config import Settings
    from docmill.stt.backends import FasterWhisperBackend

    settings = Settings()
    with tempfile.TemporaryDirectory(prefix="docmill-bench-stt-") as tmp:
        folder = Path(tmp)
        audio_path, duration = speech(folder, seconds)
        port = free_port()
        service = start_service(port, folder / "stt.log")
        try:
            model = WhisperModel(
                str(FasterWhisperBackend.packaged_model_dir()),
                device=settings.stt_device,
                compute_type=settings.stt_compute_type,
                cpu_threads=settings.stt_cpu_threads,
                local_files_only=True,
            )

            def library() -> tuple[float, str]:
                started = time.perf_counter()
                segments, _ = model.transcribe(str(audio_path))
                text = " ".join(s.text.strip() for s in segments)
                return time.perf_counter() - started, text

            def through_service() -> tuple[float, str]:
                started = time.perf_counter()
                with audio_path.open("rb") as fh:
                    response = httpx.post(
                        f"http://127.0.0.1:{port}/transcribe", files={"file": ("speech.wav", fh)}, timeout=600
                    )
                response.raise_for_status()
                return time.perf_counter() - started, response.json()["text"]

            library()  # warm-up, both sides
            through_service()
            lib_times: list[float] = []
            svc_times: list[float] = []
            for i in range(runs):
                order = (library, through_service) if i % 2 == 0 else (through_service, library)
                for func in order:
                    elapsed, _ = func()
                    (lib_times if func is library else svc_times).append(elapsed)
            _, lib_text = library()
            _, svc_text = through_service()
        finally:
            service.send_signal(signal.SIGTERM)
            try:
                service.wait(15)
            except subprocess.TimeoutExpired:
                service.kill()

    rtf_library = min(lib_times) / duration
    rtf_service = min(svc_times) / duration
    print(f"audio: {duration:.1f} s of espeak-ng English, {runs} timed runs per side, model tiny.en")
    print(f"library: median {statistics.median(lib_times):.2f} s, runs {[round(t, 2) for t in lib_times]}")
    print(f"service: median {statistics.median(svc_times):.2f} s, runs {[round(t, 2) for t in svc_times]}")
    print(f"same text from both: {lib_text == svc_text}")
    result = {
        "benchmark": "stt_rtf",
        "audio_seconds": round(duration, 2),
        "runs": runs,
        "model": "faster-whisper:tiny.en",
        "compute_type": settings.stt_compute_type,
        "rtf": round(rtf_service, 4),
        "rtf_library": round(rtf_library, 4),
        "rtf_median": round(statistics.median(svc_times) / duration, 4),
        "rtf_library_median": round(statistics.median(lib_times) / duration, 4),
        "ratio_vs_library": round(rtf_library / rtf_service, 3),
        "same_text": lib_text == svc_text,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
