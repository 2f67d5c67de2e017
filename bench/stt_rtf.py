"""Real-time factor of transcription through the STT service, against faster-whisper called directly, for the
packaged models: tiny.en (default) and, when the `multilingual-stt` extra is installed, Whisper base.

Makes English speech with espeak-ng (voice en-us), and for each model starts `docmill stt-server` on loopback
(DOCMILL_STT_MODEL=<model>), loads the same model in this process with the same settings (base: joined in memory
as the service does), and times both on the same file, alternating runs. rtf = processing seconds / audio seconds
(lower is faster), from each side's fastest run (the least disturbed by other load on the machine; medians are
printed too); ratio_vs_library = library rtf / service rtf (1.0: the service adds nothing; goal >= 0.9). The
service's time is the client's wall time of the whole HTTP request: upload, ffmpeg decoding, transcription,
voice activity detection and the confidence flags, response. wer = word error rate of the service's transcript
against the text espeak-ng spoke (tests/stt/wer.py). Base is asked for English explicitly (language=en), as
docmill's users set a recording's language; tiny.en reads English only.

    .venv/bin/python bench/stt_rtf.py [--quick] [--runs N] [--seconds S] [--models tiny.en,base]

Prints one JSON object as the last line: tiny.en's figures at the top level (rtf, ratio_vs_library, wer, …),
base's with a `base_` prefix.
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

# these need the repository on sys.path first
from faster_whisper import WhisperModel  # noqa: E402

from docmill.config import Settings  # noqa: E402
from docmill.stt.backends import FasterWhisperBackend  # noqa: E402
from docmill.stt.models import PackagedModel, base_installed, open_base  # noqa: E402
from tests.stt.wer import word_error_rate  # noqa: E402

PARAGRAPH = (
    "The committee met on Tuesday to review the budget for the coming year. Several members asked for more "
    "detail on the travel costs, and the treasurer promised a written report before the next meeting. "
    "After a short break the group discussed the new office, the schedule for the move, and the training "
    "plan for the staff who will join in the spring. "
)


def speech(folder: Path, seconds: float) -> tuple[Path, float, str]:
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
            return out, duration, text
    raise RuntimeError("could not make enough speech")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_service(port: int, log: Path, model: str) -> subprocess.Popen[bytes]:
    drop = ("DOCMILL_STT_MODEL_DIR", "DOCMILL_STT_BACKEND", "DOCMILL_STT_LANGUAGE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["STT_PRELOAD"] = "1"
    env["DOCMILL_STT_MODEL"] = model
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "docmill.cli.main", "stt-server", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 180
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
    raise SystemExit(f"stt-server not ready within 180 s:\n{log.read_text()}")


def library_model(model: str, settings: Settings) -> Any:
    """The same model as the service, opened in this process the way docmill's backend opens it."""
    options = {
        "device": settings.stt_device,
        "compute_type": settings.stt_compute_type,
        "cpu_threads": settings.stt_cpu_threads,
        "local_files_only": True,
    }
    if model == PackagedModel.BASE:
        with open_base() as source:
            return WhisperModel(source.path, files=dict(source.files or {}), **options)
    return WhisperModel(str(FasterWhisperBackend.packaged_model_dir()), **options)


def measure(
    model: str, audio_path: Path, reference: str, runs: int, folder: Path, settings: Settings
) -> dict[str, Any]:
    language = "en" if model == "base" else None
    port = free_port()
    service = start_service(port, folder / f"stt-{model}.log", model)
    try:
        whisper = library_model(model, settings)

        def library() -> tuple[float, str]:
            started = time.perf_counter()
            segments, _ = whisper.transcribe(str(audio_path), language=language)
            text = " ".join(s.text.strip() for s in segments)
            return time.perf_counter() - started, text

        def through_service() -> tuple[float, str]:
            started = time.perf_counter()
            with audio_path.open("rb") as fh:
                response = httpx.post(
                    f"http://127.0.0.1:{port}/transcribe",
                    files={"file": ("speech.wav", fh)},
                    data={"language": language} if language else {},
                    timeout=1200,
                )
            response.raise_for_status()
            return time.perf_counter() - started, response.json()["text"]

        library()  # warm-up, both sides
        through_service()
        times: dict[Callable[[], tuple[float, str]], list[float]] = {library: [], through_service: []}
        for i in range(runs):
            order = (library, through_service) if i % 2 == 0 else (through_service, library)
            for func in order:
                times[func].append(func()[0])
        _, lib_text = library()
        _, svc_text = through_service()
    finally:
        service.send_signal(signal.SIGTERM)
        try:
            service.wait(15)
        except subprocess.TimeoutExpired:
            service.kill()
    return {
        "lib": times[library],
        "svc": times[through_service],
        "same_text": lib_text == svc_text,
        "wer": word_error_rate(reference, svc_text),
    }


def figures(m: dict[str, Any], duration: float) -> dict[str, Any]:
    rtf_library, rtf_service = min(m["lib"]) / duration, min(m["svc"]) / duration
    return {
        "rtf": round(rtf_service, 4),
        "rtf_library": round(rtf_library, 4),
        "rtf_median": round(statistics.median(m["svc"]) / duration, 4),
        "rtf_library_median": round(statistics.median(m["lib"]) / duration, 4),
        "ratio_vs_library": round(rtf_library / rtf_service, 3),
        "wer": round(m["wer"], 4),
        "same_text": m["same_text"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="about 20 s of speech, 3 runs each")
    parser.add_argument("--runs", type=int, default=None, help="timed runs per side (default 5, quick 3)")
    parser.add_argument("--seconds", type=float, default=None, help="length of the speech (default 60, quick 20)")
    parser.add_argument("--models", default=None, help="comma-separated: tiny.en,base (default: those installed)")
    args = parser.parse_args()
    runs = args.runs or (3 if args.quick else 5)
    seconds = args.seconds or (20.0 if args.quick else 60.0)

    wanted = args.models.split(",") if args.models else ["tiny.en", *(["base"] if base_installed() else [])]
    settings = Settings()
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="docmill-bench-stt-") as tmp:
        folder = Path(tmp)
        audio_path, duration, reference = speech(folder, seconds)
        for model in wanted:
            measured = measure(model, audio_path, reference, runs, folder, settings)
            lib, svc = measured["lib"], measured["svc"]
            print(f"{model}: library median {statistics.median(lib):.2f} s, runs {[round(t, 2) for t in lib]}")
            print(f"{model}: service median {statistics.median(svc):.2f} s, runs {[round(t, 2) for t in svc]}")
            results[model] = figures(measured, duration)
            print(f"  {model}: {results[model]}")

    print(f"audio: {duration:.1f} s of espeak-ng English (en-us), {runs} timed runs per side")
    result: dict[str, Any] = {
        "benchmark": "stt_rtf",
        "audio_seconds": round(duration, 2),
        "runs": runs,
        "compute_type": settings.stt_compute_type,
    }
    if "tiny.en" in results:
        result["model"] = "faster-whisper:tiny.en"
        result.update(results["tiny.en"])
    if "base" in results:
        result["base_model"] = "faster-whisper:base"
        result.update({f"base_{key}": value for key, value in results["base"].items()})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
