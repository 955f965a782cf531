"""Manifest corrections and returns on a phone (390 × 844, Chromium headless): the park's coordinator opens a
rejected load, plans its return by tapping and asks for a correction of the return manifest in Chinese; the
admin finds the request with Approve and Reject and approves it in English (the requester never decides).
Nothing scrolls sideways on the way."""
from __future__ import annotations

import re

from tests.e2e.test_phone import WIDEST_JS, WIDTH, phone  # noqa: F401 - the fixture

COORD = "coord-ch@wastematch.example"
ADMIN = "admin@wastematch.example"


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url}: {width} px wide; widest {page.evaluate(WIDEST_JS)}"


def test_return_and_correction_from_a_phone(phone, live_demo):  # noqa: F811
    page = phone(COORD, "zh_CN")
    page.goto(f"{live_demo.url}/shipments?status=rejected")
    links = page.eval_on_selector_all("main a[href^='/shipments/']", "els => els.map(e => e.getAttribute('href'))")
    rejected = [h for h in links if re.fullmatch(r"/shipments/\d+", h)]
    assert rejected, "the demo has a rejected load in park CH"
    page.goto(f"{live_demo.url}{rejected[0]}")
    _fits(page)
    with page.expect_navigation():
        page.tap("#return button[type=submit]")
    assert "退运" in page.content()
    _fits(page)
    back = page.url
    page.fill("[name='fix.driver']", "李师傅")
    page.fill("textarea[name='fix.reason']", "驾驶员姓名录错")
    with page.expect_navigation():
        page.tap("form[action$='/corrections#corrections'] button[type=submit]")
    assert "驾驶员姓名录错" in page.content()
    _fits(page)

    assert page.locator("button[value=approve]").count() == 0
    coord = phone(ADMIN, "en")
    coord.goto(back)
    _fits(coord)
    with coord.expect_navigation():
        coord.tap("button[value=approve]")
    assert "The correction was applied." in coord.content() and "李师傅" in coord.content()
    _fits(coord)
