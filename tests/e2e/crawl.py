"""Breadth-first crawl of the live app's pages, one page per route shape, for whole-site browser checks.

``crawl(page, base_url)`` visits "/" and follows same-origin ``<a href>`` links (GET only), yielding
each visited URL once its page has loaded, so the caller checks the page in between (text, layout,
overflow …) while it is still open. Each route shape is visited once: numbers and ids in the path and
every query value are collapsed (``/listings/123`` ~ ``/listings/456``, ``/matches?state=open`` ~
``/matches?state=done``), and the crawl stops at ``limit`` pages, so one role's crawl stays well
under a minute (the demo park: 20-40 pages a role, 2-5 s). Sign-out, language switches, downloads,
JSON/report file routes and printable documents are skipped: they are not app pages, and some
would end the session or the language under test. Signed out, pass a fresh page: it crawls the
public pages.
"""
from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator
from urllib.parse import parse_qsl, urldefrag, urljoin, urlsplit

DEFAULT_LIMIT = 80

#: Paths that are not pages to read: they sign out, switch language, answer JSON, download a file or
#: are a standalone printable document (a shipment's manifest and labels: no app chrome, no favicon).
SKIP_PATHS = re.compile(
    r"""^/(?:signout|lang/|reports/view|lookup/|listings/substance|api/|static/|healthz)
        |/(?:manifest|labels)$
        |\.(?:csv|xlsx|xls|json|pdf|html|zip|txt|xml)$""",
    re.VERBOSE,
)
#: A path segment that names one object rather than a route: it holds a digit (ids, HW codes, CAS
#: numbers, dates) or is a long hex/uuid-like token (job ids).
ID_SEGMENT = re.compile(r"\d|^[0-9a-f]{12,}$|^[0-9a-f-]{20,}$", re.IGNORECASE)

#: Pull every link's resolved href from the page (the browser resolves relative links for us).
LINKS_JS = "() => Array.from(document.querySelectorAll('a[href]'), a => a.href)"


def route_shape(url: str) -> str:
    """``url`` with ids in the path and every query value collapsed: two URLs of one shape show one template."""
    parts = urlsplit(url)
    segments = ["{id}" if ID_SEGMENT.search(s) else s for s in parts.path.split("/")]
    keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)})
    query = "&".join(f"{key}=*" for key in keys)
    return "/".join(segments) + (f"?{query}" if query else "")


def is_page_link(url: str, origin: str) -> bool:
    """True for a same-origin http(s) link to a page worth visiting (not a file, sign-out or language switch)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or f"{parts.scheme}://{parts.netloc}" != origin:
        return False
    return not SKIP_PATHS.search(parts.path)


def crawl(page, base_url: str, *, limit: int = DEFAULT_LIMIT, start: Iterable[str] = ("/",),
          timeout_ms: int = 15_000) -> Iterator[str]:
    """Visit the pages reachable from ``start`` breadth-first; yield each URL after its page loaded.

    ``page`` is a (usually signed-in) Playwright page; it stays on the yielded URL until the caller
    asks for the next one. A link answered with an error status (4xx, 5xx) fails the crawl. Responses
    that are not HTML (a download, JSON) are not yielded. A page that redirects (e.g. to sign-in) is
    yielded under the URL it landed on, once per shape.
    """
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(base_url))
    queue: deque[str] = deque(urljoin(base_url, s) for s in start)
    seen: set[str] = {route_shape(u) for u in queue}
    visited = 0
    while queue and visited < limit:
        url = queue.popleft()
        try:
            response = page.goto(url, wait_until="load", timeout=timeout_ms)
        except Exception as error:  # a download aborts navigation: not a page, so not checked
            if "Download is starting" in str(error) or "net::ERR_ABORTED" in str(error):
                continue
            raise
        # A link the app shows leads somewhere: an error answer is a broken page or a link shown to the wrong user.
        assert response is None or response.status < 400, f"{url} answered {response.status}"
        content_type = (response.headers.get("content-type", "") if response else "")
        if response is not None and "text/html" not in content_type:
            continue
        landed = urldefrag(page.url)[0]
        landed_shape = route_shape(landed)
        if landed != url and landed_shape in seen and landed_shape != route_shape(url):
            continue  # redirected to a page of a shape already visited
        seen.add(landed_shape)
        visited += 1
        yield landed
        for href in page.evaluate(LINKS_JS):
            link = urldefrag(href)[0]
            if not is_page_link(link, origin):
                continue
            shape = route_shape(link)
            if shape not in seen:
                seen.add(shape)
                queue.append(link)
