"""Stage handlers for queue tests (importable by sandbox children as tests.pipeline.handlers)."""

from __future__ import annotations

import ctypes
import time
from typing import Any

from docmill.errors import BackendUnavailableError, PermanentStageError
from docmill.stages.base import StageHandler


class NoopHandler(StageHandler):
    def prepare(self, ctx, session, document) -> Any:
        return document.id

    def run(self, payload: Any) -> Any:
        return payload


class SlowHandler(NoopHandler):
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def run(self, payload: Any) -> Any:
        time.sleep(self.seconds)
        return payload


class FlakyHandler(NoopHandler):
    """Fails with an ordinary error every time."""

    def run(self, payload: Any) -> Any:
        raise RuntimeError("flaky converter exploded")


class PermanentHandler(NoopHandler):
    def run(self, payload: Any) -> Any:
        raise PermanentStageError("unsupported format: not a PDF", "convert it first")


class BackendDownHandler(NoopHandler):
    def __init__(self) -> None:
        self.up = False

    def run(self, payload: Any) -> Any:
        if not self.up:
            raise BackendUnavailableError("STT service is not ready", "start docmill stt-server")
        return payload


# module-level functions for the sandbox (payload = document id)
def segfault(payload: Any) -> Any:
    if payload % 2 == 0:
        ctypes.string_at(0)
    return payload


def hang(payload: Any) -> Any:
    if payload % 2 == 0:
        while True:
            pass
    return payload


def allocate_without_bound(payload: Any) -> Any:
    if payload % 2 == 0:
        hoard = []
        while True:
            hoard.append(bytearray(64 * 1024 * 1024))
    return payload


def backend_down(payload: Any) -> Any:
    raise BackendUnavailableError("the embedding endpoint is not answering", "start it")


def unsupported(payload: Any) -> Any:
    raise PermanentStageError("unsupported format: not a PDF", "convert it first")


def plain_bug(payload: Any) -> Any:
    raise ValueError("the converter tripped over a table")
