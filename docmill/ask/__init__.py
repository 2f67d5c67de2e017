"""Ask your archive: answers with citations from the user's own documents (docmill.ask.service)."""

from docmill.ask.service import ask
from docmill.ask.types import Answer, AskMode, Citation, Turn

__all__ = ["Answer", "AskMode", "Citation", "Turn", "ask"]
