"""Audio and video through ffprobe and ffmpeg: stream facts, tags, and one frame for a thumbnail."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from docmill.convert import limits
from docmill.errors import PermanentStageError

_TAGS = {"title": "title", "artist": "artist", "album": "album", "date": "date", "creation_time": "created"}


def available() -> bool:
    return shutil.which("ffmpeg") is not None and shutil.which("ffprobe") is not None


def _require() -> None:
    if not available():
        raise PermanentStageError("ffmpeg is not installed", "install ffmpeg (Debian: apt-get install ffmpeg)")


def probe(path: Path | str, timeout_s: float = 30.0) -> dict[str, Any]:
    """ffprobe's format and streams, as JSON."""
    _require()
    try:
        done = subprocess.run(
            ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", "--", str(path)],
            capture_output=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise PermanentStageError(f"ffprobe took longer than {timeout_s:.0f} s", "the file may be corrupt") from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
        raise PermanentStageError(
            f"ffprobe cannot read the file ({reason[-1] if reason else 'no details'})",
            "the file is truncated, corrupt, or not audio/video",
        )
    return json.loads(done.stdout or b"{}")


def has_video(info: dict[str, Any]) -> bool:
    """True when a real video stream exists (cover art in an audio file does not count)."""
    for stream in info.get("streams", []):
        if stream.get("codec_type") == "video" and not stream.get("disposition", {}).get("attached_pic"):
            return True
    return False


def media_metadata(info: dict[str, Any]) -> dict[str, Any]:
    fmt = info.get("format", {})
    out: dict[str, Any] = {}
    with contextlib.suppress(KeyError, TypeError, ValueError):
        out["duration_s"] = round(float(fmt["duration"]), 3)
    if fmt.get("format_name"):
        out["container"] = fmt["format_name"]
    tags = {str(k).lower(): v for k, v in (fmt.get("tags") or {}).items()}
    for key, name in _TAGS.items():
        if isinstance(tags.get(key), str) and tags[key].strip():
            out[name] = tags[key].strip()
    for stream in info.get("streams", []):
        kind = stream.get("codec_type")
        if kind == "audio" and "audio_codec" not in out:
            out["audio_codec"] = stream.get("codec_name")
            out["sample_rate"] = int(stream.get("sample_rate") or 0) or None
            out["channels"] = stream.get("channels")
        elif kind == "video" and "video_codec" not in out and not stream.get("disposition", {}).get("attached_pic"):
            out["video_codec"] = stream.get("codec_name")
            out["width"] = stream.get("width")
            out["height"] = stream.get("height")
    return {k: v for k, v in out.items() if v is not None}


def extract_frame(path: Path | str, at_s: float, timeout_s: float = limits.EXTERNAL_TOOL_TIMEOUT_S) -> bytes:
    """One video frame as PNG bytes, about `at_s` seconds in (falls back to the first frame)."""
    _require()
    with tempfile.TemporaryDirectory(prefix="docmill-frame-") as tmp:
        out = Path(tmp) / "frame.png"
        for position in (at_s, 0.0):
            command = ["ffmpeg", "-nostdin", "-v", "error", "-y"]
            if position > 0:
                command += ["-ss", f"{position:.3f}"]
            command += ["-i", str(path), "-map", "0:v:0", "-frames:v", "1", "-vf", "scale='min(1280,iw)':-2", str(out)]
            try:
                subprocess.run(command, capture_output=True, timeout=timeout_s, check=False)
            except subprocess.TimeoutExpired:
                raise PermanentStageError(
                    f"ffmpeg took longer than {timeout_s:.0f} s to decode a frame", "the video may be corrupt"
                ) from None
            if out.exists() and out.stat().st_size > 0:
                return out.read_bytes()
        raise PermanentStageError("ffmpeg could not decode a video frame", "the video may be corrupt or empty")
