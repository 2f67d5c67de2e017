"""The README stays true: its two commands are the ones CI runs, and it documents every setting."""

from __future__ import annotations

import re
from pathlib import Path

from docmill.config import Settings

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text()


def test_readme_starts_with_the_run_and_test_commands() -> None:
    commands = re.findall(r"```bash\n(.+?)\n```", README, re.DOTALL)[:2]
    assert commands[0] == "bash scripts/setup.sh && .venv/bin/docmill serve"
    assert commands[1] == "bash scripts/setup.sh --dev && .venv/bin/python -m pytest"
    ci = (REPO / ".ci" / "run").read_text()
    assert commands[1] in ci


def test_readme_documents_every_setting() -> None:
    missing = [f"DOCMILL_{name.upper()}" for name in Settings.model_fields if f"DOCMILL_{name.upper()}" not in README]
    assert missing == [], f"settings missing from the README's configuration table: {missing}"
