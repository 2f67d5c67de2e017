"""Modules in their places: every module imports in a fresh interpreter, and the package dependency graph
follows the layering written in docs/architecture.md (lazy imports included)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "docmill"
SKIP = ("docmill.db.migrations",)  # Alembic scripts: loaded by Alembic, not imported


def layering() -> dict[str, int]:
    """unit name → layer number, from the ```layering block of docs/architecture.md."""
    text = (REPO / "docs" / "architecture.md").read_text("utf-8")
    block = re.search(r"```layering\n(.*?)```", text, re.DOTALL)
    assert block, "docs/architecture.md has no ```layering block"
    units: dict[str, int] = {}
    for line in block.group(1).strip().splitlines():
        head, _, names = line.partition(":")
        layer = int(head.split()[0])
        for name in names.split():
            assert name not in units, f"{name} is listed twice in the layering"
            units[name] = layer
    return units


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def unit_of(module: str, units: dict[str, int]) -> str | None:
    """The longest unit that contains `module` (a unit contains itself and its submodules)."""
    best = None
    for unit in units:
        if (module == unit or module.startswith(unit + ".")) and (best is None or len(unit) > len(best)):
            best = unit
    return best


def imports_of(path: Path) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module, node.lineno))
            found += [(f"{node.module}.{alias.name}", node.lineno) for alias in node.names]  # from pkg import mod
    return [(name, line) for name, line in found if name == "docmill" or name.startswith("docmill.")]


def sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if not module_name(p).startswith(SKIP))


def test_every_package_module_has_a_place_in_the_layering() -> None:
    units = layering()
    homeless = sorted({module_name(p) for p in sources() if unit_of(module_name(p), units) is None} - {"docmill"})
    assert not homeless, f"add these to the ```layering block of docs/architecture.md: {homeless}"


def test_imports_follow_the_layering() -> None:
    units = layering()
    broken: dict[tuple[Path, int, str], str] = {}
    for path in sources():
        source = module_name(path)
        here = unit_of(source, units)
        if here is None:
            continue
        for target, line in imports_of(path):
            there = unit_of(target, units)
            if there is None or there == here:
                continue
            if units[there] >= units[here]:
                broken.setdefault(
                    (path, line, there),
                    f"{path.relative_to(REPO)}:{line}: {source} (layer {units[here]}, {here}) imports {target} "
                    f"(layer {units[there]}, {there})",
                )
    assert not broken, "imports against the layering of docs/architecture.md:\n" + "\n".join(broken.values())


def test_the_checker_sees_a_wrong_way_import(tmp_path: Path) -> None:
    """The graph check can fail: an import from a higher layer is reported."""
    units = layering()
    fake = tmp_path / "fake.py"
    fake.write_text("def f():\n    from docmill.api.app import create_app  # lazy, still counted\n")
    [(target, _)] = [t for t in imports_of(fake) if t[0] == "docmill.api.app"]
    assert units[unit_of(target, units)] > units[unit_of("docmill.db.engine", units)]  # type: ignore[index]


def test_every_module_imports_in_a_fresh_interpreter() -> None:
    names = [module_name(p) for p in sources()]
    script = (
        "import importlib, sys, traceback\n"
        "failed = []\n"
        f"for name in {names!r}:\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except BaseException as exc:\n"
        "        failed.append(f'{name}: {type(exc).__name__}: {exc}')\n"
        "print('\\n'.join(failed))\n"
        "sys.exit(1 if failed else 0)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"modules that do not import:\n{done.stdout}\n{done.stderr[-3000:]}"
