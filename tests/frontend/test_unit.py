"""The web UI's own unit tests (vitest: stores and helpers), run from the Python suite so CI runs them too."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
VITEST = FRONTEND / "node_modules" / ".bin" / "vitest"


def test_vitest_suite_passes() -> None:
    if shutil.which("node") is None:
        pytest.fail("node is not installed; the web UI's tests need Node 20 or later")
    if not VITEST.exists():
        pytest.fail(f"{VITEST} is missing: run `cd frontend && npm ci` first")
    result = subprocess.run(
        [str(VITEST), "run", "--reporter=dot"], cwd=FRONTEND, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"`npm test` in frontend/ failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
