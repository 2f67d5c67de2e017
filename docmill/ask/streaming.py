"""What may be shown of an answer while it streams: no thinking, no citation of a passage that does not exist.

The final answer (docmill.ask.grounding.check_answer) is authoritative; this only keeps the live text clean."""

from __future__ import annotations

import re

_OPEN = re.compile(r"<(?:think|thinking|thought|reasoning)\b[^>]*>", re.IGNORECASE)
_CLOSE = re.compile(r"</(?:think|thinking|thought|reasoning)\s*>", re.IGNORECASE)
_PARTIAL_TAG = re.compile(r"<[/a-zA-Z]{0,10}$")
_PARTIAL_CITE = re.compile(r"\[[\d,\s]*$")
_CITE = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")


class LiveText:
    """Feed the model's deltas, get back the text that may be shown now."""

    def __init__(self, valid: set[int]) -> None:
        self.valid = valid
        self.pending = ""
        self.thinking = False

    def feed(self, delta: str) -> str:
        self.pending += delta
        shown = []
        while True:
            if self.thinking:
                close = _CLOSE.search(self.pending)
                if close is None:
                    self.pending = self.pending[-12:]  # keep only what could start a closing tag
                    break
                self.pending = self.pending[close.end() :]
                self.thinking = False
                continue
            opened = _OPEN.search(self.pending)
            if opened is not None:
                shown.append(self.pending[: opened.start()])
                self.pending = self.pending[opened.end() :]
                self.thinking = True
                continue
            hold = _PARTIAL_TAG.search(self.pending) or _PARTIAL_CITE.search(self.pending)
            cut = hold.start() if hold else len(self.pending)
            shown.append(self.pending[:cut])
            self.pending = self.pending[cut:]
            break
        return self._citations("".join(shown))

    def flush(self) -> str:
        if self.thinking:
            return ""
        rest, self.pending = self.pending, ""
        return self._citations(_CLOSE.sub("", rest))

    def _citations(self, text: str) -> str:
        def keep(match: re.Match[str]) -> str:
            numbers = [n for n in re.split(r"\s*,\s*", match.group(1)) if int(n) in self.valid]
            return "".join(f"[{n}]" for n in numbers)

        return _CITE.sub(keep, text)
