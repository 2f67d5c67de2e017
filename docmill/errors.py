"""Error types whose messages say what went wrong and what to do about it.

Every error a user can see derives from DocmillError: `message` names the problem, `hint` the fix.
The worker turns stage errors into queue-row errors; the CLI and the API show message and hint.
"""

from __future__ import annotations


class DocmillError(Exception):
    """A failure a user can act on."""

    def __init__(self, message: str, hint: str | None = None, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        # A stable machine-readable code ("feed_exists") the UI translates; None: the class's own `code`
        # attribute where it declares one (LibraryError and its kinds do), else the kind's default.
        self.code = code if code is not None else getattr(type(self), "code", None)

    def __str__(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message


# The kinds of failure every layer speaks. The API maps each to one HTTP status (docmill/api/errors.py);
# the worker maps Permanent to "fail the row now" and Unavailable to "wait without spending an attempt".


class NotFound(DocmillError):
    """The thing asked for does not exist (or the caller may not see it)."""


class Conflict(DocmillError):
    """The request conflicts with the current state (a duplicate, a row in use)."""


class Invalid(DocmillError):
    """The input is malformed or out of range; the message names the field and the accepted forms."""


class Forbidden(DocmillError):
    """The caller is known but may not do this."""


class Unavailable(DocmillError):
    """Something needed is down or busy (a model backend, a service); trying again later can work."""


class Permanent(DocmillError):
    """A failure that retrying cannot fix (unsupported format, corrupt file)."""


class ConfigError(DocmillError):
    """The configuration is invalid or points somewhere unusable."""


class DatabaseError(DocmillError):
    """The database is unreachable, misconfigured or not at the expected schema."""


class SchemaDriftError(DatabaseError):
    """The database's process_stage enum and the code's stage registry disagree."""


class PermanentStageError(Permanent):
    """A stage failed in a way a retry cannot fix (unsupported format, corrupt file): fail the row now."""


class BackendUnavailableError(Unavailable):
    """A model backend (STT service, LLM, embedding endpoint) is down: the row waits without spending an attempt."""
