"""Audio and video: recognised by their magic (ffprobe tells audio from video in shared containers),
stream facts and tags as metadata (ffprobe), a frame about 10 % in as a video's thumbnail. Their text
comes from the stt stage, not from here."""

from __future__ import annotations

import io

from PIL.Image import Image

from docmill.convert import ffmpeg, images, limits
from docmill.convert.types import Family, Format, Metadata, NoThumbnail, Probe, Source, ThumbnailJob
from docmill.kinds import DocumentKind

_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "}


def _mpeg_frame(head: bytes) -> bool:
    """An MPEG audio frame header: sync bits, a valid layer, bitrate and sample rate."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    layer_ok = head[1] & 0x06 != 0
    version_ok = head[1] & 0x18 != 0x08
    bitrate_ok = head[2] >> 4 not in (0x0, 0xF)
    rate_ok = (head[2] >> 2) & 0x03 != 0x03
    return layer_ok and version_ok and bitrate_ok and rate_ok


def _has_video(probe: Probe) -> bool:
    """Whether a shared container holds a real video stream (without ffprobe: assume it does)."""
    info = probe.media_probe
    return True if info is None else ffmpeg.has_video(info)


def _mp3(probe: Probe) -> bool:
    return not probe.bom and (probe.head.startswith(b"ID3") or _mpeg_frame(probe.head))


def _riff(kind: bytes):  # type: ignore[no-untyped-def]
    return lambda probe: probe.head[:4] == b"RIFF" and probe.head[8:12] == kind


def _ogg(probe: Probe) -> bool:
    return probe.head.startswith(b"OggS")


def _matroska(probe: Probe) -> bool:
    return probe.head.startswith(b"\x1a\x45\xdf\xa3")


def _webm(probe: Probe) -> bool:
    return _matroska(probe) and b"webm" in probe.head[:64]


def _mp4(probe: Probe) -> bool:
    return probe.head[4:8] == b"ftyp"


def _audio_only(container):  # type: ignore[no-untyped-def]
    return lambda probe: container(probe) and not _has_video(probe)


def metadata(src: Source) -> Metadata:
    fields = ffmpeg.media_metadata(ffmpeg.probe(src.path))
    fields["author"] = fields.get("artist")
    return Metadata(fields)


def video_frame(job: ThumbnailJob) -> Image | NoThumbnail:
    info = ffmpeg.probe(job.source.path)
    if not ffmpeg.has_video(info):
        return NoThumbnail("no thumbnail: the file has no video stream")
    duration = ffmpeg.media_metadata(info).get("duration_s") or 0.0
    frame = ffmpeg.extract_frame(job.source.path, min(duration * 0.1, 10.0))
    return images.load(images.open_image(io.BytesIO(frame)), limits.THUMBNAIL_SIZE)  # type: ignore[arg-type]


def _audio(media_type: str, extension: str, sniff, order: int = 70) -> Format:  # type: ignore[no-untyped-def]
    return Format(media_type, DocumentKind.AUDIO, extension, sniff, order=order, metadata=metadata)


def _video(media_type: str, extension: str, sniff, order: int = 72) -> Format:  # type: ignore[no-untyped-def]
    return Format(
        media_type, DocumentKind.VIDEO, extension, sniff, order=order, metadata=metadata, thumbnail=video_frame
    )


FAMILY = Family(
    "media",
    (
        _audio("audio/mpeg", "mp3", _mp3),
        _audio("audio/wav", "wav", _riff(b"WAVE")),
        _audio("audio/flac", "flac", lambda probe: probe.head.startswith(b"fLaC")),
        _audio("audio/amr", "amr", lambda probe: probe.head.startswith(b"#!AMR")),
        _video("video/x-msvideo", "avi", _riff(b"AVI ")),
        _audio("audio/ogg", "ogg", _audio_only(_ogg), 71),
        _video("video/ogg", "ogv", _ogg),
        _audio("audio/webm", "webm", _audio_only(_webm), 71),
        _video("video/webm", "webm", _webm),
        _audio("audio/x-matroska", "mka", _audio_only(_matroska), 73),
        _video("video/x-matroska", "mkv", _matroska, 74),
        _audio("audio/mp4", "m4a", lambda probe: _mp4(probe) and probe.head[8:12] in _AUDIO_BRANDS),
        _audio("audio/mp4", "m4a", _audio_only(_mp4), 71),
        _video("video/quicktime", "mov", lambda probe: _mp4(probe) and probe.head[8:12] == b"qt  "),
        _video("video/mp4", "mp4", _mp4, 73),
    ),
)
