"""Error types whose messages say what went wrong and what to do about it.

Every error a user can see derives from DocmillError: `message` names the problem, `hint` the fix.
The worker turns stage errors into queue-row errors; the CLI and the API show message and hint.
"""

from __future__ import annotations


class DocmillError(Exception):
    """A failure a user can act on."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message


class ConfigError(DocmillError):
    """The configuration is invalid or points somewhere unusable."""


class DatabaseError(DocmillError):
    """The database is unreachable, misconfigured or not at the expected schema."""


class SchemaDriftError(DatabaseError):
    """The database's process_stage enum and the code's stage registry disagree."""


class PermanentStageError(DocmillError):
    """A stage failed in a way a retry cannot fix (unsupported format, corrupt file): fail the row now."""


class BackendUnavailableError(DocmillError):
    """A model backend (STT service, LLM, embedding endpoint) is down: the row waits without spending an attempt."""
