"""Write the api's OpenAPI schema: `python -m docmill.api.openapi [OUT]` (stdout without OUT).

The web UI's TypeScript types are generated from this file; it needs no database.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def openapi_schema() -> dict[str, Any]:
    from docmill.api.app import create_app  # noqa: PLC0415 (docmill.api.app imports this module)

    return create_app().openapi()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1 or (args and args[0] in ("-h", "--help")):
        print("usage: python -m docmill.api.openapi [OUT]", file=sys.stderr)
        return 2
    text = json.dumps(openapi_schema(), indent=2, ensure_ascii=False) + "\n"
    if args:
        Path(args[0]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
