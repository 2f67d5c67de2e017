"""The web UI: the built single-page app in docmill/api/static/ (from frontend/, `npm run build`).

Unknown GET paths outside the API answer index.html so deep links work; /api/*, /health, /ready and
/metrics never fall back (an unknown /api path is a 404 JSON error). Without a build, the UI paths
answer a short page that says how to build it.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import re
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from docmill.api.errors import ApiError, http_error_response

STATIC_DIR = Path(__file__).with_name("static")
RESERVED_PREFIXES = ("/api", "/health", "/ready", "/metrics")

NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>docmill</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>docmill is running, but its web UI is not built</h1>
<p>The API works: see <code>/api/openapi.json</code>, <code>/health</code> and <code>/ready</code>.</p>
<p>To build the UI, from the source checkout run:</p>
<pre>cd frontend
npm ci
npm run build</pre>
<p>which writes it to <code>{static_dir}</code>; then reload this page.</p>
</body></html>
"""


def is_reserved(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in RESERVED_PREFIXES)


def _file_in(root: Path, path: str) -> Path | None:
    relative = path.lstrip("/")
    if not relative:
        return None
    candidate = root / relative
    try:
        resolved = candidate.resolve()
        resolved.relative_to(root.resolve())
    except (ValueError, OSError):
        return None
    return resolved if resolved.is_file() else None


_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)


@functools.lru_cache(maxsize=8)
def _csp_for(index: Path, mtime_ns: int) -> str:
    """The UI's Content-Security-Policy: its own origin only, its inline boot script by hash."""
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(m.group(1)).digest()).decode() + "'"
        for m in _INLINE_SCRIPT.finditer(index.read_bytes())
    ]
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' " + " ".join(hashes),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' blob: data:",
            "media-src 'self' blob:",
            "frame-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'self'",
        ]
    )


def ui_headers(index: Path) -> dict[str, str]:
    return {"Cache-Control": "no-cache", "Content-Security-Policy": _csp_for(index, index.stat().st_mtime_ns)}


def spa_response(request: Request, static_dir: Path) -> Response:
    index = static_dir / "index.html"
    if not index.is_file():
        page = NOT_BUILT.format(static_dir=html.escape(str(static_dir)))
        return HTMLResponse(page, status_code=200 if request.url.path == "/" else 404)
    found = _file_in(static_dir, request.url.path)
    if found is not None:
        immutable = "/_app/immutable/" in request.url.path
        cache = "public, max-age=31536000, immutable" if immutable else "no-cache"
        headers = ui_headers(index) if found.suffix == ".html" else {"Cache-Control": cache}
        return FileResponse(found, headers=headers)
    return FileResponse(index, media_type="text/html", headers=ui_headers(index))


def mount_static(app: FastAPI, static_dir: Path = STATIC_DIR) -> None:
    """Serve the UI for every GET that no route answers, outside the reserved paths."""

    async def _not_found(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if isinstance(exc, ApiError) or request.method not in ("GET", "HEAD") or is_reserved(request.url.path):
            return http_error_response(request, exc)
        return spa_response(request, static_dir)

    app.add_exception_handler(404, _not_found)
