"""News feeds written here, one per syndication format the collector reads.

Every feed's facts (titles, links, dates, ids, words of the body) are constants of this module, so a test
asserts against the same names it was generated from.
"""

from __future__ import annotations

import json

BASE = "http://example.org"
ARTICLE_LINK = f"{BASE}/archives/2002/09/04.html#first_of_all"  # the RSS 2.0 item; RSS 1.0 repeats its link
ARTICLE_TITLE = "First of all"
ARTICLE_GUID = "1983@example.org"
ARTICLE_WORDS = ("Ada Lovelace", "Engines weave algebraic patterns")
ARTICLE_HTML = (
    f'<cite>{ARTICLE_WORDS[0]}</cite>: <q><a href="{BASE}/notes/engine">{ARTICLE_WORDS[1]} '
    "as the loom weaves flowers.</a></q>"
)
ATOM_TITLE = "Sample Feed"  # the Atom feed's own title
ATOM_ENTRY = "First entry title"  # Atom 1.0 and 0.3 carry the same entry (same link)
RSS1_MODULES_TITLE = "Test Item - RSS 1.0"
RSS2_NS_TITLE = "Test Item - RSS2.0 w/ NS"
JSON_TITLES = ["post 2", None]  # the second item has no title
JSON_FIRST_TEXT = "Hello, world!"
TEN_TITLES = [f"Story number {n}" for n in range(1, 11)]


def rss20_dc() -> bytes:
    """RSS 2.0 with Dublin Core and content:encoded: one article."""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
<title>Weblog of examples</title><link>{BASE}/</link><description>Notes written for docmill's tests</description>
<dc:language>en-us</dc:language><dc:creator>Test Author</dc:creator>
<item>
<title>{ARTICLE_TITLE}</title><link>{ARTICLE_LINK}</link>
<description>&lt;cite&gt;{ARTICLE_WORDS[0]}&lt;/cite&gt;</description>
<content:encoded><![CDATA[{ARTICLE_HTML}]]></content:encoded>
<guid isPermaLink="false">{ARTICLE_GUID}</guid>
<dc:subject>examples</dc:subject><dc:date>2002-09-04T13:54:20-05:00</dc:date>
</item>
</channel></rss>
""".encode()


def rss10_rdf() -> bytes:
    """RSS 1.0 (RDF) whose one item carries the RSS 2.0 article's link under another id."""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="{BASE}/index.rdf"><title>Weblog of examples (RDF)</title><link>{BASE}/</link>
<description>The same notes in RSS 1.0</description>
<items><rdf:Seq><rdf:li rdf:resource="{ARTICLE_LINK}"/></rdf:Seq></items></channel>
<item rdf:about="{ARTICLE_LINK}"><title>{ARTICLE_TITLE}</title><link>{ARTICLE_LINK}</link>
<description>{ARTICLE_WORDS[0]}: {ARTICLE_WORDS[1]}, said once more in RSS 1.0.</description>
<dc:date>2002-09-04T13:54:20-05:00</dc:date></item>
</rdf:RDF>
""".encode()


def rss10_modules() -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">
<channel rdf:about="{BASE}/modules.rdf"><title>RSS 1.0 with modules</title><link>{BASE}/modules</link>
<description>Syndication and Dublin Core modules</description><sy:updatePeriod>hourly</sy:updatePeriod>
<items><rdf:Seq><rdf:li rdf:resource="{BASE}/modules/1"/></rdf:Seq></items></channel>
<item rdf:about="{BASE}/modules/1"><title>{RSS1_MODULES_TITLE}</title><link>{BASE}/modules/1</link>
<description>An item of an RSS 1.0 feed that uses modules.</description><dc:creator>Test Author</dc:creator>
<dc:date>2024-05-01T08:00:00Z</dc:date></item>
</rdf:RDF>
""".encode()


def rss20_namespaced() -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>RSS 2.0 with namespaces</title><link>{BASE}/ns</link><description>modules</description>
<item><title>{RSS2_NS_TITLE}</title><link>{BASE}/ns/1</link><guid>{BASE}/ns/1</guid>
<description>Short description</description>
<content:encoded><![CDATA[<p>The <b>full text</b> of an item in a namespaced RSS 2.0 feed.</p>]]></content:encoded>
<dc:date>2024-05-02T09:30:00Z</dc:date></item>
</channel></rss>
""".encode()


def rss20_ten() -> bytes:
    """RSS 2.0 with ten items (a channel of short stories), each with a body."""
    items = "\n".join(
        f"<item><title>{title}</title><link>{BASE}/stories/{n}</link><guid>{BASE}/stories/{n}</guid>"
        f"<pubDate>Mon, 0{1 + n % 9} Jan 2024 10:00:00 GMT</pubDate>"
        f"<description>Story {n} tells of a lighthouse keeper who counted {n} ships.</description></item>"
        for n, title in enumerate(TEN_TITLES, start=1)
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Ten stories</title><link>{BASE}/stories</link>
<description>ten items</description>
{items}
</channel></rss>
""".encode()


def atom10() -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
<title>{ATOM_TITLE}</title><subtitle>For documentation only</subtitle>
<link rel="alternate" type="text/html" href="{BASE}/"/><id>tag:example.org,2005:feed</id>
<updated>2005-11-09T11:56:34Z</updated><author><name>Test Author</name></author>
<entry><title>{ATOM_ENTRY}</title><link rel="alternate" type="text/html" href="{BASE}/entry/3"/>
<link rel="enclosure" type="audio/mpeg" length="1337" href="{BASE}/audio/ph34r_my_podcast.mp3"/>
<id>tag:example.org,2005:3</id><updated>2005-11-09T11:56:34Z</updated>
<summary>Watch out for nasty tricks</summary>
<content type="xhtml" xml:base="{BASE}/entry/3"><div xmlns="http://www.w3.org/1999/xhtml">
<p>Watch out for <span style="background: url(javascript:window.location='{BASE}/')">nasty
tricks</span> in the body of an entry.</p><script>alert()</script></div></content></entry>
</feed>
""".encode()


def atom03() -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed version="0.3" xmlns="http://purl.org/atom/ns#" xml:lang="en">
<title>{ATOM_TITLE}</title><link rel="alternate" type="text/html" href="{BASE}/"/>
<modified>2005-11-09T11:56:34Z</modified><author><name>Test Author</name></author>
<entry><title>{ATOM_ENTRY}</title><link rel="alternate" type="text/html" href="{BASE}/entry/3"/>
<id>tag:example.org,2005:3</id><issued>2005-11-09T11:56:34Z</issued><modified>2005-11-09T11:56:34Z</modified>
<summary>Watch out for nasty tricks</summary>
<content type="text/html" mode="escaped">&lt;p&gt;Watch out for nasty tricks.&lt;/p&gt;</content></entry>
</feed>
""".encode()


def json_feed() -> bytes:
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1",
            "title": "My Example Feed",
            "home_page_url": f"{BASE}/",
            "feed_url": f"{BASE}/feed.json",
            "items": [
                {"id": "2", "title": "post 2", "content_text": "This is a second item.", "url": f"{BASE}/second-item"},
                {"id": "1", "content_html": f"<p>{JSON_FIRST_TEXT}</p>", "url": f"{BASE}/initial-post"},
            ],
        },
        indent=1,
    ).encode()


BLOG_SENTENCES = (
    "Just by tuning the inference parameters, the same model solved twice as many puzzles.",
    "When there are choices beyond the inference parameters, a smaller model can win on cost.",
)
BLOG_BOILERPLATE = ("Skip to main content", "Recent posts", "Privacy and Cookies")


def blog_page() -> bytes:
    """An article page with a site's navigation, sidebar and footer around it (for text-from-page)."""
    body = "".join(
        f"<p>{sentence} {filler}</p>"
        for sentence in BLOG_SENTENCES
        for filler in (
            "We measured every setting on a held-out set of questions, repeated each run three times and kept "
            "the median, so that a lucky draw would not decide the comparison between the two configurations.",
        )
    )
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Does Model and Inference Parameter Matter</title></head><body>
<a href="#main">{BLOG_BOILERPLATE[0]}</a>
<header><nav><a href="/">Home</a> <a href="/blog">Blog</a> <a href="/about">About</a></nav></header>
<main id="main"><article><h1>Does Model and Inference Parameter Matter</h1>
<p class="byline">By Test Author, 9 May 2023</p>{body}
<p>In short: measure first, then pick the model and its parameters together.</p></article></main>
<aside><h2>{BLOG_BOILERPLATE[1]}</h2><ul><li><a href="/blog/1">Another post</a></li>
<li><a href="/blog/2">Yet another post</a></li></ul></aside>
<footer><a href="/privacy">{BLOG_BOILERPLATE[2]}</a> · Copyright Example Org</footer>
</body></html>""".encode()
