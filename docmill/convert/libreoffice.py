"""LibreOffice headless: Office files to PDF (previews) and legacy DOC/PPT/XLS to their modern formats.

Detected at run time; `DOCMILL_SOFFICE_PATH` names the binary, or `none` to turn it off. Each converter
process keeps one LibreOffice profile for its lifetime (the first start in a fresh profile is slow).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from docmill.convert import limits, office, sheets
from docmill.convert.types import Converted, Source
from docmill.errors import PermanentStageError

NOT_INSTALLED = "preview unavailable: LibreOffice is not installed"
_profile_dir: Path | None = None


def find_soffice(configured: str | None = None) -> str | None:
    """The soffice binary, or None when LibreOffice is not installed (or turned off with 'none')."""
    if configured:
        if configured.strip().lower() in ("none", "off", "disabled", ""):
            return None
        return configured if os.access(configured, os.X_OK) else shutil.which(configured)
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in ("/usr/lib/libreoffice/program/soffice", "/opt/libreoffice/program/soffice"):
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def _profile() -> Path:
    global _profile_dir
    if _profile_dir is None:
        _profile_dir = Path(tempfile.mkdtemp(prefix=f"docmill-lo-{os.getpid()}-"))
        atexit.register(shutil.rmtree, _profile_dir, True)
    return _profile_dir


def convert(
    soffice: str,
    source: Path | str,
    extension: str,
    target_format: str,
    *,
    timeout_s: float = limits.EXTERNAL_TOOL_TIMEOUT_S,
) -> bytes:
    """Convert `source` (whose real type `extension` names) to `target_format` ("pdf", "docx", …); the bytes."""
    profile = _profile()
    with tempfile.TemporaryDirectory(prefix="docmill-lo-job-") as tmp:
        work = Path(tmp)
        # The original is stored without an extension; LibreOffice picks its import filter by name too.
        named = work / f"input.{extension.lstrip('.') or 'bin'}"
        os.symlink(os.path.abspath(source), named)
        outdir = work / "out"
        command = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--convert-to",
            target_format,
            "--outdir",
            str(outdir),
            str(named),
        ]
        env = dict(os.environ, HOME=str(profile), SAL_USE_VCLPLUGIN="svp")
        proc = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
        try:
            output, _ = proc.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise PermanentStageError(
                f"LibreOffice took longer than {timeout_s:.0f} s to convert the file",
                "the file may be very large or damaged",
            ) from None
        results = list(outdir.glob("*")) if outdir.exists() else []
        if proc.returncode != 0 or not results or results[0].stat().st_size == 0:
            detail = output.decode("utf-8", errors="replace").strip().splitlines()
            raise PermanentStageError(
                f"LibreOffice could not convert the file to {target_format} "
                f"({detail[-1] if detail else f'exit code {proc.returncode}'})",
                "the file may be damaged or password-protected",
            )
        return results[0].read_bytes()


_MODERN = {"doc": "docx", "odt": "docx", "ppt": "pptx", "odp": "pptx", "ods": "xlsx"}


def to_markdown(src: Source) -> Converted:
    """Legacy and OpenDocument formats: LibreOffice turns them into the modern Office format first."""
    ext = src.extension
    if src.options.soffice is None:
        raise PermanentStageError(
            f".{ext} files need LibreOffice, which is not installed", "install LibreOffice (Debian: libreoffice-nogui)"
        )
    target = _MODERN[ext]
    data = convert(src.options.soffice, src.path, ext, target)
    with tempfile.NamedTemporaryFile(suffix=f".{target}") as tmp:
        tmp.write(data)
        tmp.flush()
        if target == "xlsx":
            markdown, warnings = sheets.xlsx_to_markdown(tmp.name)
            return Converted(markdown, None, None, warnings)
        markdown, title = office.to_markdown(tmp.name, target)
        return Converted(markdown, title)
