"""Audio through ffmpeg: probe a file, decode its first audio track to 16 kHz mono, extract it to FLAC.

Any container ffmpeg demuxes works, video included (only the audio track is read). Files are untrusted:
ffmpeg may open local files only (no network protocols) and only media demuxers (no playlists or concat
scripts, which could make it read other files).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from docmill.errors import ConfigError
from docmill.stt import errors

SAMPLE_RATE = 16_000
FFMPEG_TIMEOUT_S = 900.0

DEMUXERS = (
    "aac,ac3,aiff,amr,amrnb,amrwb,ape,asf,au,avi,caf,dts,dtshd,dv,eac3,flac,flv,matroska,webm,"
    "mov,mp4,m4a,3gp,3g2,mj2,mp3,mpc,mpc8,mpeg,mpegts,mxf,nut,ogg,oma,rm,sox,truehd,tta,voc,w64,wav,wv,xwma"
)
_INPUT_GUARDS = ("-protocol_whitelist", "file", "-format_whitelist", DEMUXERS)


@dataclass(frozen=True)
class MediaInfo:
    duration: float | None  # seconds, None when the container does not say
    has_audio: bool
    has_video: bool


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ConfigError(f"{name} is not installed", "install ffmpeg (Debian: apt-get install ffmpeg)")
    return path


def _last_line(stderr: bytes, path: Path) -> str:
    """ffmpeg's last error line, without the (temporary) file name it starts with."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    line = lines[-1] if lines else "no details from ffmpeg"
    return line.removeprefix(f"{path}: ").replace(str(path), "the file")


def probe(path: Path) -> MediaInfo:
    """What the file holds; raises SttRequestError (undecodable) for what ffmpeg cannot read."""
    cmd = [
        _tool("ffprobe"),
        "-v",
        "error",
        *_INPUT_GUARDS,
        "-show_entries",
        "format=duration:stream=codec_type",
        "-of",
        "json",
        str(path),
    ]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=120, check=False)
    except subprocess.TimeoutExpired:
        raise errors.undecodable("ffprobe did not finish within 120 s") from None
    if proc.returncode != 0:
        raise errors.undecodable(_last_line(proc.stderr, path))
    data = json.loads(proc.stdout or b"{}")
    kinds = {s.get("codec_type") for s in data.get("streams", [])}
    try:
        duration: float | None = float(data.get("format", {}).get("duration"))
    except (TypeError, ValueError):
        duration = None
    return MediaInfo(duration=duration, has_audio="audio" in kinds, has_video="video" in kinds)


def _first_audio_track_16k_mono(path: Path) -> list[str]:
    """ffmpeg arguments that read `path` and keep only its first audio track, as 16 kHz mono."""
    return [
        _tool("ffmpeg"),
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        *_INPUT_GUARDS,
        "-i",
        str(path),
        "-map",
        "0:a:0",
        "-vn",
        "-sn",
        "-dn",
        "-ac",
        "1",
        "-ar",
        str(SAMPLE_RATE),
    ]


def decode(path: Path, max_seconds: float) -> np.ndarray:
    """The first audio track as float32 samples at 16 kHz mono.

    One ffmpeg process and no separate probe (each start costs ~0.15 s): ffmpeg stops just past
    `max_seconds`, so a recording over the limit costs at most that much decoding and memory.
    """
    cmd = [
        *_first_audio_track_16k_mono(path),
        "-t",
        f"{max_seconds + 1:.3f}",
        "-f",
        "f32le",
        "pipe:1",
    ]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=FFMPEG_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise errors.undecodable(f"decoding did not finish within {FFMPEG_TIMEOUT_S:.0f} s") from None
    if proc.returncode != 0:
        if b"matches no streams" in proc.stderr:  # the file opened, but -map 0:a:0 found no audio
            raise errors.no_audio()
        raise errors.undecodable(_last_line(proc.stderr, path))
    audio = np.frombuffer(proc.stdout, dtype=np.float32)
    if audio.size == 0:
        raise errors.undecodable("the audio track decodes to no samples")
    if audio.size / SAMPLE_RATE > max_seconds + 0.5:
        raise errors.too_long(max_seconds)
    return audio


def extract_audio(src: Path, dst: Path) -> bool:
    """Write the first audio track of `src` (audio or video) to `dst` as 16 kHz mono FLAC.

    Returns False when `src` has no audio track; raises SttRequestError when ffmpeg cannot read it.
    """
    if not probe(src).has_audio:
        return False
    cmd = [
        *_first_audio_track_16k_mono(src),
        "-y",
        "-c:a",
        "flac",
        "-f",
        "flac",
        str(dst),
    ]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=FFMPEG_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise errors.undecodable(f"extracting the audio did not finish within {FFMPEG_TIMEOUT_S:.0f} s") from None
    if proc.returncode != 0:
        raise errors.undecodable(_last_line(proc.stderr, src))
    return True
