"""The public disclosure pages of the demo park in a real browser, signed out (Debian's Chromium, headless).

An anonymous visitor opens /public/disclosures, finds the two disclosures the demo published (the EPS
board maker with its banned HBCDD use, the pharmaceutical plant with its overdue audit), opens one in
Chinese, switches to English, and looks at both pages on a phone (390×844) without scrolling sideways.
What the demo keeps confidential is collected from its database first — listing titles and prices,
matches, the other enterprises (partners) by name, every account's email, every site's coordinates —
and none of it may appear on any public page. Every link on the public pages must open without signing
in, and no page may ask another host for anything. The phone screenshot is kept (``public-phone.png``).
"""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.db import make_engine
from marketplace.models import AnnualDisclosure, Enterprise, Listing, Match, Park, User
from tests.e2e.conftest import LiveApp, Watch

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
PRICE_WORDS = ("元/吨", "价格", "CNY", "price", "Price")


def _demo_facts(url: str) -> tuple[dict[str, int], list[str]]:
    """The published disclosures ({enterprise name: id}) and the strings no public page may show."""
    engine = make_engine(url)
    try:
        with Session(engine) as s:
            published = {d.enterprise.name: d.id for d in s.scalars(
                select(AnnualDisclosure).where(AnnualDisclosure.status == "published").order_by(AnnualDisclosure.id))}
            secrets = [t for lst in s.scalars(select(Listing)) for t in (lst.title, lst.title_zh) if t and len(t) >= 4]
            secrets += [f"{p:.2f}" for p in s.scalars(select(Listing.price_cny_per_t)) if p]
            secrets += [name for name in s.scalars(select(Enterprise.name)) if name not in published]
            secrets += list(s.scalars(select(User.email)))
            for lat, lon in [*s.execute(select(Enterprise.lat, Enterprise.lon)), *s.execute(select(Park.lat, Park.lon))]:
                secrets += [repr(v) for v in (lat, lon) if v is not None and len(repr(v).split(".")[-1]) >= 3]
            assert s.scalars(select(Match.id)).first() is not None  # the demo has matches to keep secret
    finally:
        engine.dispose()
    return published, secrets


def _anonymous(browser, live_demo: LiveApp, **options):
    context = browser.new_context(locale="zh-CN", **options)
    watch = Watch(live_demo.url)
    context.on("request", watch.request)
    page = context.new_page()
    page.on("console", watch.console)
    page.on("pageerror", lambda e: watch.problems.append(f"page error: {e}"))
    page.set_default_timeout(15_000)
    return context, page, watch


def _links(page) -> list[str]:
    return page.eval_on_selector_all("a[href], link[href], form[action]",
                                     "els => els.map(e => e.getAttribute('href') || e.getAttribute('action'))")


def test_public_disclosures_open_signed_out_in_both_languages_and_on_a_phone_and_leak_nothing(browser, live_demo,
                                                                                              tmp_path):
    published, secrets = _demo_facts(live_demo.database_url)
    assert len(published) == 2 and "苏州澄石新型建材有限公司" in published and "苏州澄湖药业有限公司" in published
    context, page, watch = _anonymous(browser, live_demo, viewport={"width": 1280, "height": 900})
    seen: dict[str, str] = {}
    links: set[str] = set()

    def keep() -> None:
        seen[page.url] = page.content()
        links.update(urljoin(page.url, link) for link in _links(page) if not link.startswith(("#", "data:")))

    # The list, in Chinese: the two published disclosures and nothing else.
    page.goto(f"{live_demo.url}/public/disclosures")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    cards = page.locator("ul.cards li.card")
    assert cards.count() == 2
    assert sorted(cards.locator("a strong").all_inner_texts()) == sorted(published)
    keep()

    # One disclosure: the EPS board maker's banned HBCDD use, in Chinese.
    page.locator("ul.cards a", has_text="苏州澄石新型建材有限公司").click()
    page.wait_for_url(re.compile(rf"/public/disclosures/{published['苏州澄石新型建材有限公司']}$"))
    body = page.inner_text("main")
    assert "苏州澄石新型建材有限公司" in page.locator("h1").inner_text()
    assert "25637-99-4" in body and "六溴环十二烷" in body
    keep()

    # The language switch: the same disclosure in English.
    page.locator("header .lang a", has_text="English").click()
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == "en"
    assert urlsplit(page.url).path == f"/public/disclosures/{published['苏州澄石新型建材有限公司']}"
    assert "annual environmental disclosure" in page.inner_text("h1") and "25637-99-4" in page.inner_text("main")
    keep()
    page.locator("main a", has_text="All published disclosures").click()
    page.wait_for_url(re.compile(r"/public/disclosures$"))
    page.locator("ul.cards a", has_text="苏州澄湖药业有限公司").click()
    page.wait_for_url(re.compile(rf"/public/disclosures/{published['苏州澄湖药业有限公司']}$"))
    assert "75-09-2" in page.inner_text("main")
    keep()

    # Every link of the public pages opens signed out, on this host, never at the sign-in page.
    for link in sorted(links):
        parts = urlsplit(link)
        assert f"{parts.scheme}://{parts.netloc}" == live_demo.url, f"a public page links to another host: {link}"
        res = context.request.get(link)
        assert res.ok, (link, res.status)
        final = urlsplit(res.url).path
        assert not final.startswith(("/signin", "/signout")), f"{link} needs signing in ({res.url})"
        assert final.startswith(("/public/", "/static/")), f"{link} led to {res.url}, not a public page"

    # On a phone: the list and a disclosure fit the screen (tables become cards), in Chinese.
    phone, ppage, pwatch = _anonymous(browser, live_demo, viewport={"width": 390, "height": 844}, is_mobile=True,
                                      has_touch=True, device_scale_factor=2)
    for path in ("/public/disclosures", f"/public/disclosures/{published['苏州澄湖药业有限公司']}"):
        ppage.goto(f"{live_demo.url}{path}")
        assert ppage.evaluate("() => document.documentElement.scrollWidth") <= 390, path
        seen[ppage.url] = ppage.content()
    assert "六溴环十二烷" not in ppage.inner_text("main") and "二氯甲烷" in ppage.inner_text("main")
    ppage.screenshot(path=str(tmp_path / "public-phone.png"), full_page=True)

    # Nothing confidential on any page: listings, prices, matches, partners, emails, coordinates.
    for url, html in seen.items():
        assert not EMAIL.search(html), (url, EMAIL.search(html))
        assert "/matches" not in html and "匹配" not in html, url
        assert not any(word in html for word in PRICE_WORDS), url
        for secret in secrets:
            assert secret not in html, f"{secret!r} on {url}: {html[max(0, html.find(secret) - 120):][:200]}"

    phone.close()
    context.close()
    for w in (watch, pwatch):
        assert w.foreign == [], f"pages asked other hosts: {w.foreign}"
        assert w.problems == [], w.problems
    png = (tmp_path / "public-phone.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
