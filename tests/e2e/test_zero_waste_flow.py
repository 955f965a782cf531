"""The zero-waste city's field work in a real browser (Debian's Chromium, headless), on the demo park, as the
park coordinator uses it (issue 20): the waste streams on the park overview, the pooled collection round on the
map beside its nearest-neighbour round and its manifests, the two weighbridges that disagree and the track that
leaves its corridor (each an alert, opened to the shipment page with both weights and the track drawn), in
Chinese, in English and on a phone. Every page is watched: no request to another host, no console error.
"""
from __future__ import annotations

import re

COORDINATOR = "coord-ch@wastematch.example"


def _number(text: str) -> float:
    return float(text.replace(",", "").strip())


def test_streams_round_scales_and_track_in_chinese(sign_in, live_demo):
    coord = sign_in(COORDINATOR)
    page = coord.page
    base = live_demo.url

    # The park overview shows every stream with what it offered.
    page.goto(f"{base}/park")
    streams = page.locator("body").inner_text()
    for word in ("建筑垃圾", "生活垃圾", "农业废弃物", "危险废物"):
        assert word in streams, word

    # The round: reached from the menu, shorter than nearest neighbour, drawn, every pick-up with its manifest.
    page.locator("header nav a", has_text="集中收集").click()
    page.wait_for_url(re.compile(r"/collection-rounds$"))
    page.locator("#rounds a").first.click()
    page.wait_for_url(re.compile(r"/collection-rounds/\d+$"))
    assert page.locator("#round-status").inner_text() == "已开具联单"
    assert _number(page.locator("#round-km").inner_text()) < _number(page.locator("#baseline-km").inner_text())
    assert page.locator("figure.round-map circle.stop").count() == 9
    assert page.locator("figure.round-map path.route").count() == 1
    manifests = page.locator("#stops a[href*='/shipments/']")
    assert manifests.count() == 9
    assert "不满足法规硬性检查" in page.locator("#unserved").inner_text()  # who was left out, and why
    manifests.first.click()
    page.wait_for_url(re.compile(r"/shipments/\d+$"))
    assert "苏E·S1021" in page.locator("main").inner_text()

    # The alerts of the scales and the track, each opened to its shipment.
    page.goto(f"{base}/alerts?kind=scale_mismatch")
    row = page.locator("tr", has_text="两端地磅重量不符").first
    assert "16.04" in row.inner_text() and "15.12" in row.inner_text()
    row.locator("a[href*='/shipments/']").click()
    page.wait_for_url(re.compile(r"/shipments/\d+$"))
    devices = page.locator("section.devices")
    assert "16.040 t" in devices.inner_text() and "15.120 t" in devices.inner_text()
    assert devices.locator(".diff.bad").count() == 1
    assert devices.locator("svg.track circle.off").count() >= 1  # the points off the corridor, in red
    assert "偏离规划路线" in devices.inner_text()  # the same load's other alert, listed for the coordinator
    page.goto(f"{base}/alerts?kind=route_deviation")
    assert "偏离规划路线" in page.locator("main").inner_text()
    assert coord.watch.foreign == [] and coord.watch.problems == []


def test_the_round_in_english_and_on_a_phone(browser, live_demo, sign_in):
    coord = sign_in(COORDINATOR, lang="en")
    page = coord.page
    page.goto(f"{live_demo.url}/collection-rounds")
    page.locator("#rounds a").first.click()
    page.wait_for_url(re.compile(r"/collection-rounds/\d+$"))
    assert page.locator("#round-status").inner_text() == "Manifests written"
    assert "nearest-neighbour" in page.locator("main").inner_text()
    url = page.url
    cookies = coord.context.cookies()
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    try:
        phone.add_cookies(cookies)
        ppage = phone.new_page()
        ppage.goto(url)
        assert ppage.evaluate("() => document.documentElement.scrollWidth") <= 390
        ppage.goto(f"{live_demo.url}/alerts")
        assert ppage.evaluate("() => document.documentElement.scrollWidth") <= 390
    finally:
        phone.close()
