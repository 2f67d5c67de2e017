"""Ask your archive: answers with citations from the user's own documents (docmill.ask.service)."""

from docmill.ask.service import ask, ask_events
from docmill.ask.types import Answer, AskMode, Citation, Delta, Turn

__all__ = ["Answer", "AskMode", "Citation", "Delta", "Turn", "ask", "ask_events"]
