"""The web UI's TypeScript API types are generated from the api's OpenAPI schema and committed; they must
match the current api. Regenerate them into a temporary file (the same script `npm run gen:api` runs,
with the locally installed openapi-typescript) and compare with the committed file."""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from docmill.api.openapi import openapi_schema

REPO = Path(__file__).resolve().parents[2]
FRONTEND = REPO / "frontend"
COMMITTED = FRONTEND / "src" / "lib" / "api" / "schema.ts"
GENERATOR = FRONTEND / "scripts" / "gen-api.mjs"
OPENAPI_TYPESCRIPT = FRONTEND / "node_modules" / ".bin" / "openapi-typescript"
REGENERATE = "cd frontend && npm run gen:api"


def _generate(out: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed; the web UI's type check needs Node 20 or later")
    if not OPENAPI_TYPESCRIPT.exists():
        pytest.fail(f"{OPENAPI_TYPESCRIPT} is missing: run `cd frontend && npm ci` first")
    env = {**os.environ, "DOCMILL_PYTHON": sys.executable}
    result = subprocess.run(
        [node, str(GENERATOR), str(out)], cwd=FRONTEND, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, f"generating the API types failed:\n{result.stdout}\n{result.stderr}"


def test_committed_api_types_match_the_api(tmp_path: Path) -> None:
    fresh = tmp_path / "schema.ts"
    _generate(fresh)
    expected = fresh.read_text(encoding="utf-8")
    committed = COMMITTED.read_text(encoding="utf-8") if COMMITTED.exists() else ""
    if committed != expected:
        diff = "".join(
            list(
                difflib.unified_diff(
                    committed.splitlines(keepends=True),
                    expected.splitlines(keepends=True),
                    "committed schema.ts",
                    "generated from the current api",
                )
            )[:60]
        )
        pytest.fail(
            f"frontend/src/lib/api/schema.ts is out of date with the api; regenerate it with `{REGENERATE}` "
            f"and commit the result.\n{diff}"
        )


def test_no_api_type_is_written_by_hand() -> None:
    """Every API shape comes from schema.ts: no other file declares an interface or object type named like
    one of the api's schemas (types.ts only aliases them)."""
    names = set(openapi_schema()["components"]["schemas"])
    declaration = re.compile(r"\b(?:interface|type)\s+([A-Za-z_]\w*)\s*(?:<[^>]*>)?\s*(=|\{|extends)")
    offenders = []
    for path in (FRONTEND / "src").rglob("*"):
        if path.suffix not in {".ts", ".svelte"} or path == COMMITTED:
            continue
        text = path.read_text(encoding="utf-8")
        for match in declaration.finditer(text):
            name = match.group(1)
            if name not in names:
                continue
            rest = text[match.end() : match.end() + 200]
            if match.group(2) == "=" and re.match(r"\s*Schemas\[['\"]\w+['\"]\]", rest):
                continue  # an alias of the generated type
            offenders.append(f"{path.relative_to(REPO)}: {name}")
    assert not offenders, "hand-written copies of API types (alias components['schemas'] instead):\n" + "\n".join(
        offenders
    )
    assert "Dashboard" in names  # the names come from the real schema
