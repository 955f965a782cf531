"""The pages on a phone (390 × 844, device scale 3, touch) in Debian's Chromium, headless.

Every page each role reaches (the crawler of ``tests/e2e/crawl.py``: the four demo users and the public
pages signed out), in Chinese and in English, fits the screen's width — nothing scrolls sideways, also
with its closed <details> opened — and its header takes at most 15 % of the screen's height; an
offending page is reported with its width and the element reaching furthest right. The same crawl reads
each page's language (``tests.e2e.language``): a Chinese page shows no English sentence, no page shows a
stored key, and no page logs an error in the browser's console. The enterprise's and
the coordinator's pages fit a tablet (768 px) too, and without JavaScript the page still does not scroll
sideways. A plant's user posts an offer with two composition rows from the phone by tapping, in Chinese,
and finds it on the listings page.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise

import pytest

from marketplace.demo.accounts import DEMO_PASSWORD
from tests.e2e.conftest import Watch
from tests.e2e.crawl import crawl
from tests.e2e.language import VISIBLE_TEXT_JS, internal_keys, offending

WIDTH, HEIGHT = 390, 844
TABLET = (768, 1024)
HEADER_SHARE = 0.15
TOUCH_PX = 44
ROLES = [None, "e022@wastematch.example", "e039@wastematch.example", "coord-ch@wastematch.example",
         "admin@wastematch.example"]
# Signed out, "/" is the parks' overview; the published disclosures are their own site.
PUBLIC_START = ("/", "/signin", "/public/disclosures")

# The element whose right edge is furthest beyond the viewport, as a short CSS path.
WIDEST_JS = """() => {
  const vw = document.documentElement.clientWidth; let worst = null, edge = vw;
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > edge + 0.5) { edge = r.right; worst = el; }
  }
  if (!worst) return '(none)';
  const path = [];
  for (let e = worst; e && e !== document.body && path.length < 5; e = e.parentElement) {
    let s = e.tagName.toLowerCase();
    if (e.id) s += '#' + e.id;
    else if (typeof e.className === 'string' && e.className.trim()) s += '.' + e.className.trim().split(/\\s+/).join('.');
    path.unshift(s);
  }
  return path.join(' > ') + ' (right edge ' + Math.round(edge) + ' px)';
}"""


# Open every closed <details> of the page (tables of data, note forms) and wait until the "toggle" events that
# follow have been handled; true if there was any.
OPEN_DETAILS_JS = """async () => {
  const closed = Array.from(document.querySelectorAll('main details:not([open])'));
  if (!closed.length) return false;
  closed.forEach(d => { d.open = true; });
  await new Promise(done => setTimeout(() => requestAnimationFrame(() => done()), 50));
  return true;
}"""


@pytest.fixture
def phone(browser, live_demo) -> Iterator:
    """``phone(email or None, lang, size, scripts)`` → a page in a phone-sized (or ``size``) touch context, signed in
    when an email is given; ``scripts=False`` turns JavaScript off."""
    contexts: list[tuple[object, Watch]] = []

    def open_phone(email: str | None, lang: str = "zh_CN", size: tuple[int, int] = (WIDTH, HEIGHT),
                   scripts: bool = True):
        context = browser.new_context(viewport={"width": size[0], "height": size[1]}, device_scale_factor=3,
                                      is_mobile=True, has_touch=True, locale="zh-CN", java_script_enabled=scripts)
        watch = Watch(live_demo.url)
        context.on("request", watch.request)
        page = context.new_page()
        page.on("console", watch.console)
        page.on("pageerror", lambda e: watch.problems.append(f"page error: {e}"))
        page.set_default_timeout(15_000)
        contexts.append((context, watch))
        page.goto(f"{live_demo.url}/lang/{lang}")
        if email:
            page.goto(f"{live_demo.url}/signin")
            page.fill("#email", email)
            page.fill("#password", DEMO_PASSWORD)
            with page.expect_navigation():
                page.tap("form.stack button[type=submit]")
            assert "/signin" not in page.url, f"sign-in as {email} failed: {page.url}"
        return page

    yield open_phone
    for context, _ in contexts:
        context.close()
    for context, watch in contexts:
        assert watch.foreign == [], f"pages asked other hosts: {watch.foreign}"
        assert watch.problems == [], watch.problems


def _language(page, lang: str) -> list[str]:
    """What is wrong with the open page's language: not the page's language, English sentences on a Chinese page,
    stored keys on any page."""
    shown = page.evaluate("document.documentElement.lang")
    if not shown.startswith(lang[:2]):
        return [f"the page says lang={shown!r}"]
    if lang == "zh_CN":
        return offending(page)
    return [f"key {k}" for text in page.evaluate(VISIBLE_TEXT_JS) for k in internal_keys(text)]


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@pytest.mark.parametrize("email", ROLES, ids=["public", "e022", "e039", "coord-ch", "admin"])
def test_every_page_fits_a_phone_and_speaks_its_language(phone, live_demo, email, lang):
    page = phone(email, lang)
    visited, too_wide, wrong = [], [], {}
    start = ("/",) if email else PUBLIC_START
    for url in crawl(page, live_demo.url, start=start):
        visited.append(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        header = page.evaluate("(document.querySelector('header.top') || {offsetHeight: 0}).offsetHeight")
        said = _language(page, lang)  # read before the details open: what a user sees first
        if said:
            wrong[url.removeprefix(live_demo.url)] = sorted(set(said))
        if width > WIDTH:
            too_wide.append(f"{url}: {width} px wide; widest {page.evaluate(WIDEST_JS)}")
        elif page.evaluate(OPEN_DETAILS_JS):
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > WIDTH:
                too_wide.append(f"{url}, its details open: {width} px wide; widest {page.evaluate(WIDEST_JS)}")
        if header > HEADER_SHARE * HEIGHT:
            too_wide.append(f"{url}: header {header} px high (> {HEADER_SHARE:.0%} of {HEIGHT})")
    assert len(visited) >= (2 if email is None else 10), visited
    assert not too_wide, f"{len(too_wide)} of {len(visited)} pages do not fit {WIDTH} × {HEIGHT}:\n" + "\n".join(too_wide)
    assert not wrong, f"{len(wrong)} of {len(visited)} pages in {lang} say it wrongly:\n" + "\n".join(
        f"{url}\n    " + "\n    ".join(found) for url, found in wrong.items())


@pytest.mark.parametrize("email", ["e022@wastematch.example", "coord-ch@wastematch.example"], ids=["e022", "coord-ch"])
def test_every_page_fits_a_tablet_screen(phone, live_demo, email):
    """A tablet held upright (768 × 1024), in English (the longer words): the widest tables become cards here too."""
    width = TABLET[0]
    page = phone(email, "en", TABLET)
    offending = []
    for url in crawl(page, live_demo.url):
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            offending.append(f"{url}: {scroll} px wide; widest {page.evaluate(WIDEST_JS)}")
    assert not offending, "\n".join(offending)


def test_without_scripts_the_menu_stays_and_wide_tables_scroll_in_their_own_box(phone, live_demo):
    page = phone("e022@wastematch.example", "en", scripts=False)
    page.goto(f"{live_demo.url}/shipments")
    assert page.locator("#site-nav").is_visible() and not page.locator(".menu-toggle").is_visible()
    assert page.locator("header.top form.signout button").is_visible()
    for path in ("/dashboard", "/listings", "/shipments", "/ledger", "/matches"):
        page.goto(live_demo.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, (path, page.evaluate(WIDEST_JS))


def test_the_menu_button_opens_and_closes_the_navigation(phone, live_demo):
    page = phone("e022@wastematch.example")
    page.goto(f"{live_demo.url}/dashboard")
    nav, toggle = page.locator("#site-nav"), page.locator("header.top .menu-toggle")
    assert toggle.is_visible() and not nav.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.tap()
    assert nav.is_visible() and toggle.get_attribute("aria-expanded") == "true"
    assert page.locator("header.top form.signout button").is_visible()
    # Every menu entry is a touch target.
    heights = page.eval_on_selector_all("#site-nav a", "els => els.map(e => e.getBoundingClientRect().height)")
    assert heights and min(heights) >= TOUCH_PX, heights
    page.locator("#site-nav a[href='/listings']").tap()
    page.wait_for_url(re.compile(r"/listings$"))
    assert not page.locator("#site-nav").is_visible()


def test_a_wide_table_becomes_cards_labelled_by_its_columns(phone, live_demo):
    page = phone("e022@wastematch.example", "en")
    page.goto(f"{live_demo.url}/shipments")
    table = page.locator("main table").first
    assert "cards" in (table.get_attribute("class") or "")
    headings = [t.strip() for t in table.locator("thead th").all_inner_texts()]
    cells = table.locator("tbody tr").first.locator("td")
    labels = [cells.nth(i).get_attribute("data-label") for i in range(cells.count())]
    assert labels == headings[:len(labels)], (labels, headings)
    # The first row is a card: its cells one under another, inside the screen.
    boxes = [box for i in range(cells.count()) if (box := cells.nth(i).bounding_box())]  # empty cells are hidden
    assert all(b["x"] >= 0 and b["x"] + b["width"] <= WIDTH for b in boxes)
    assert all(later["y"] > earlier["y"] for earlier, later in pairwise(boxes))

    # The checks of a match: every explanation wholly on the screen.
    page.goto(f"{live_demo.url}/matches")
    page.locator("main a[href^='/matches/']").first.tap()
    page.wait_for_url(re.compile(r"/matches/\d+$"))
    rights = page.eval_on_selector_all("table.checks-table td", "els => els.map(e => e.getBoundingClientRect().right)")
    assert rights and max(rights) <= WIDTH, max(rights)


def test_an_offer_with_two_components_is_posted_from_a_phone_in_chinese(phone, live_demo):
    title = "富余稀硫酸（手机发布）"
    page = phone("e022@wastematch.example", "zh_CN")
    page.goto(f"{live_demo.url}/dashboard")
    page.locator("main a[href='/listings/new?kind=offer']").tap()
    page.wait_for_url(re.compile(r"/listings/new\?kind=offer"))
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH

    # The composition rows are usable: every field full width under its label, a touch target high.
    for key in ("name", "cas", "pct"):
        box = page.locator(f"#composition-0-{key}").bounding_box()
        assert box["width"] >= 0.7 * WIDTH and box["height"] >= TOUCH_PX, (key, box)
        assert page.locator(f"label[for='composition-0-{key}']").is_visible()
    assert page.locator("#listing-form button[type=submit]").bounding_box()["width"] >= 0.7 * WIDTH

    page.locator("#title_zh").tap()
    page.keyboard.type(title)
    page.locator("#quantity").tap()
    page.keyboard.type("20")
    page.select_option("#form", "liquid")
    rows = [("硫酸", "7664-93-9", "30"), ("水", "7732-18-5", "70")]
    for i, (name, cas, pct) in enumerate(rows):
        for key, value in (("name", name), ("cas", cas), ("pct", pct)):
            field = page.locator(f"#composition-{i}-{key}")
            field.scroll_into_view_if_needed()
            field.tap()
            page.keyboard.type(value)
    page.locator("#composition_complete").tap()
    assert page.is_checked("#composition_complete")
    page.locator("#listing-form button[type=submit]").tap()
    page.wait_for_url(re.compile(r"/listings/\d+/matches"))
    listing = re.search(r"/listings/(\d+)/matches", page.url).group(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH

    # Found on the listings page, reached through the menu.
    page.locator("header.top .menu-toggle").tap()
    page.locator("#site-nav a[href='/listings']").tap()
    page.wait_for_url(re.compile(r"/listings$"))
    link = page.locator(f"main a[href='/listings/{listing}']").first
    assert title in link.inner_text()
    link.tap()
    page.wait_for_url(re.compile(rf"/listings/{listing}$"))
    shown = page.locator("main").inner_text()
    assert "7664-93-9" in shown and "7732-18-5" in shown, shown
