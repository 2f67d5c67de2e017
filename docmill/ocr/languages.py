"""Which Tesseract languages the configuration asks for, where their traineddata are, and what is missing.

Light on purpose: the api's /ready and `docmill ocr check` call it without loading Tesseract.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from docmill.errors import ConfigError

# DOCMILL_OCR_LANGUAGES values that turn OCR off.
OFF = frozenset({"none", "off", "disabled"})
# Orientation and script detection: always needed (pages turned 90/180/270 degrees).
OSD = "osd"
# Where Debian's tesseract-ocr-* packages put the traineddata (Tesseract 5, then 4), after TESSDATA_PREFIX.
TESSDATA_DIRS = (
    Path("/usr/share/tesseract-ocr/5/tessdata"),
    Path("/usr/share/tesseract-ocr/4.00/tessdata"),
    Path("/usr/share/tessdata"),
    Path("/usr/local/share/tessdata"),
)
_CODE = re.compile(r"^[a-z][a-z0-9_]{1,30}$")
_SCRIPT = re.compile(r"^script/[A-Za-z_]{2,40}$")


def parse_languages(value: str) -> tuple[str, ...]:
    """'kor+eng' (or 'kor,eng') → ('kor', 'eng'); ConfigError naming the bad part."""
    parts = [p.strip() for p in re.split(r"[+,\s]+", value or "") if p.strip()]
    if not parts:
        raise ConfigError(
            "DOCMILL_OCR_LANGUAGES is empty", "set it to Tesseract language codes joined by '+', e.g. kor+eng"
        )
    for part in parts:
        if not (_CODE.match(part) or _SCRIPT.match(part)):
            raise ConfigError(
                f"DOCMILL_OCR_LANGUAGES has an invalid language code {part!r}",
                "use Tesseract's codes joined by '+', e.g. kor+eng (see `tesseract --list-langs`)",
            )
    return tuple(dict.fromkeys(parts))


def debian_package(code: str) -> str:
    """The Debian package that installs a language's traineddata: kor → tesseract-ocr-kor."""
    name = code.removeprefix("script/").lower().replace("_", "-")
    return f"tesseract-ocr-script-{name}" if code.startswith("script/") else f"tesseract-ocr-{name}"


def tessdata_dir() -> Path | None:
    """The folder with the traineddata: $TESSDATA_PREFIX, else the first of Debian's folders that has any."""
    candidates = [Path(os.environ["TESSDATA_PREFIX"])] if os.environ.get("TESSDATA_PREFIX") else []
    candidates += list(TESSDATA_DIRS)
    for folder in candidates:
        if folder.is_dir() and any(folder.glob("*.traineddata")):
            return folder
    return None


def engine_version() -> str | None:
    """The binding's version, or None when it is not installed (read without loading Tesseract)."""
    try:
        return f"tesserocr {importlib.metadata.version('tesserocr')}"
    except importlib.metadata.PackageNotFoundError:
        return None


@dataclass
class OcrCheck:
    """What OCR needs and what is there; `problems` says what to install or change."""

    languages: tuple[str, ...]
    tessdata: Path | None
    engine: str | None
    installed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def installed_languages(folder: Path | None) -> list[str]:
    if folder is None:
        return []
    names = [p.name.removesuffix(".traineddata") for p in folder.glob("*.traineddata")]
    names += [f"script/{p.name.removesuffix('.traineddata')}" for p in (folder / "script").glob("*.traineddata")]
    return sorted(names)


def check(value: str) -> OcrCheck:
    """Check the configured languages (plus osd) against the installed traineddata and the binding."""
    try:
        languages = parse_languages(value)
    except ConfigError as exc:
        return OcrCheck((), None, engine_version(), problems=[str(exc)])
    folder = tessdata_dir()
    report = OcrCheck(languages, folder, engine_version(), installed_languages(folder))
    if report.engine is None:
        report.problems.append(
            "the Tesseract binding (tesserocr) is not installed — reinstall docmill (`pip install -e .`)"
        )
    wanted = [*languages, OSD] if OSD not in languages else list(languages)
    report.missing = [code for code in wanted if code not in report.installed]
    if report.missing:
        where = f"in {folder}" if folder else "(no tessdata folder found)"
        packages = " ".join(debian_package(code) for code in report.missing)
        report.problems.append(
            f"OCR language data missing {where}: {', '.join(report.missing)} — install the Debian "
            f"package(s) `apt-get install {packages}`, or change DOCMILL_OCR_LANGUAGES"
        )
    return report


def require(value: str) -> tuple[tuple[str, ...], Path]:
    """The languages and tessdata folder, or ConfigError naming what to install."""
    report = check(value)
    if not report.ok or report.tessdata is None:
        raise ConfigError("OCR is not usable: " + "; ".join(report.problems), "run `docmill ocr check`")
    return report.languages, report.tessdata
