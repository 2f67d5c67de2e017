"""A saved web page's preview asks for nothing outside itself: its policy allows data: images only, so any
other address would be a blocked request in the console and a broken-image icon on the page."""

from __future__ import annotations

import re

from docmill.convert import html

SAVED_PAGE = """<!DOCTYPE html><html lang="en"><head><title>Saved article</title>
<link rel="stylesheet" href="https://cdn.example.com/site.css">
<script src="https://cdn.example.com/app.js"></script></head>
<body><h1>Quarterly report</h1>
<img src="https://cdn.example.com/hero.jpg" alt="The team at work" width="800">
<img src="/static/logo.png">
<img src="//tracker.example.com/pixel.gif" alt="">
<p>Revenue <a href="https://example.com/more">grew</a>.</p>
<img src="data:image/png;base64,iVBORw0KGgo=" alt="inline chart">
</body></html>"""


def test_a_preview_has_no_external_images_but_keeps_their_alt_text() -> None:
    page = html.sanitize(SAVED_PAGE, "Saved article")
    sources = re.findall(r'\bsrc="([^"]*)"', page)
    assert sources == []  # nothing to fetch, and no data: URLs either (they can smuggle content)
    assert "[inline chart]" in page
    assert "cdn.example.com" not in page and "tracker.example.com" not in page and "/static/logo.png" not in page
    assert "[The team at work]" in page
    assert "<h1>Quarterly report</h1>" in page
    assert 'href="https://example.com/more"' in page  # links are not requests: they stay


def test_every_image_left_is_allowed_by_the_preview_policy() -> None:
    page = html.sanitize(SAVED_PAGE)
    assert "img-src data:" in page
    for tag in re.findall(r"<img\b[^>]*>", page):
        assert 'src="data:' in tag, tag
