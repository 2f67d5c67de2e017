"""Errors of the STT service, each with the HTTP status and error code the service answers with."""

from __future__ import annotations

from docmill.errors import DocmillError

MEDIA_HINT = "send an audio or video file ffmpeg can read (wav, mp3, m4a, ogg, flac, opus, mp4, mkv, webm …)"


class SttRequestError(DocmillError):
    """A request the service refuses: the file, its size or length, or the language hint (a 4xx)."""

    def __init__(self, status: int, code: str, message: str, hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.status = status
        self.code = code


def undecodable(detail: str) -> SttRequestError:
    return SttRequestError(422, "undecodable_media", f"ffmpeg cannot decode this file: {detail}", MEDIA_HINT)


def no_audio() -> SttRequestError:
    return SttRequestError(
        422, "no_audio", "the file has no audio track", "send a recording with sound; a silent video has nothing to say"
    )


def too_long(limit: float) -> SttRequestError:
    return SttRequestError(
        413,
        "too_long",
        f"the recording is longer than this service's limit of {limit:.0f} s",
        "split the recording, or raise DOCMILL_STT_MAX_SECONDS on the STT service",
    )


def too_large(size: int, limit: int) -> SttRequestError:
    return SttRequestError(
        413,
        "too_large",
        f"the upload has {size} bytes or more, over this service's limit of {limit} bytes",
        "send a smaller file (extract or compress the audio track), or raise DOCMILL_STT_MAX_BYTES",
    )


class ModelUnavailableError(DocmillError):
    """The model could not be loaded (or is still loading): the service answers 503."""
