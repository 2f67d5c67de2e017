"""Test inputs the suite writes itself: a document of every format docmill reads, and news feeds.

`Samples` (the session fixture `samples` in tests/conftest.py) writes a file the first time a test asks for
it, into one temporary folder per test session:

    pdf = samples / "pdf/report.pdf"          # a Path; written on first use
    samples.words("pdf/report.pdf")           # words its Markdown must contain
    samples.feed("rss/rss20dc.xml")           # bytes of a generated feed

Real third-party files (the shared corpus, ../shared/corpus/public) are a separate, optional layer: see
the `corpus` fixture.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from tests.samples import documents, feeds

FEEDS: dict[str, Callable[[], bytes]] = {
    "rss/rss20dc.xml": feeds.rss20_dc,
    "rss/ten.xml": feeds.rss20_ten,
    "rss/rss2.0NSwithModules.xml": feeds.rss20_namespaced,
    "rdf/rss10.rdf": feeds.rss10_rdf,
    "rdf/rss1.0withModules.xml": feeds.rss10_modules,
    "atom/atom10.xml": feeds.atom10,
    "atom/atom03.xml": feeds.atom03,
    "jsonfeed/example.json": feeds.json_feed,
    "html/blog.html": feeds.blog_page,  # an article page a feed entry links to
}


class Samples:
    """Generated inputs under `root`, each written once on first use."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()

    @staticmethod
    def names() -> list[str]:
        return sorted([*documents.WRITERS, *FEEDS])

    def __truediv__(self, name: str) -> Path:
        return self.path(name)

    def path(self, name: str) -> Path:
        target = self.root / name
        with self._lock:
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                partial = target.with_name(f".{target.name}.partial{target.suffix}")
                if name in FEEDS:
                    partial.write_bytes(FEEDS[name]())
                elif name in documents.WRITERS:
                    documents.WRITERS[name](partial)
                else:
                    raise KeyError(f"no sample named {name!r}; the samples are: {', '.join(self.names())}")
                partial.rename(target)
        return target

    def feed(self, name: str) -> bytes:
        return self.path(name).read_bytes()

    @staticmethod
    def words(name: str) -> list[str]:
        return documents.WORDS[name]
