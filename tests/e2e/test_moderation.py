"""A coordinator moderates a listing in a real browser (Debian's Chromium, headless), through the pages only.

The coordinator of park CH opens an offer of the pharmaceutical plant (E-022) from the park's listings,
holds it paused with a reason and flags an implausible quantity; the plant finds the notice, sees the hold
and the flag on its listing and is not offered a Resume; the coordinator resumes it and clears the flag.
Every page is watched: no request to another host, no console error.
"""
from __future__ import annotations

import re

PLANT, COORDINATOR = "e022@wastematch.example", "coord-ch@wastematch.example"
REASON = "每年 1e9 吨不合理，请核对单位"


def test_a_coordinator_holds_and_flags_a_listing_and_its_enterprise_sees_why(sign_in, live_demo):
    base = live_demo.url
    plant = sign_in(PLANT)
    ppage = plant.page
    ppage.goto(f"{base}/listings?status=active")
    href = ppage.locator("tbody tr a[href*='/listings/']").first.get_attribute("href")
    listing_id = int(re.search(r"/listings/(\d+)", href).group(1))

    coord = sign_in(COORDINATOR)
    page = coord.page
    page.locator("header nav a", has_text="园区供需信息").click()
    page.wait_for_url(re.compile(r"/park/listings"))
    assert page.locator("tbody tr").count() > 0
    page.goto(f"{base}/park/listings/{listing_id}")
    assert "E-022" in page.locator("main").inner_text()

    page.fill("#hold-reason", REASON)
    page.locator("#moderate button.danger").click()
    page.wait_for_load_state("load")
    assert "仅园区管理者可恢复" in page.locator("#held").inner_text()
    page.select_option("#flag-reason", "implausible_quantity")
    page.fill("#flag-text", "1e9 t")
    page.locator("form[action$='/flag'] button[type=submit]").click()
    page.wait_for_load_state("load")
    assert "数量不合理" in page.locator("#flags").inner_text()

    ppage.goto(f"{base}/notifications")
    assert "园区管理者标记了问题" in ppage.locator("main").inner_text()
    ppage.goto(f"{base}/listings/{listing_id}")
    assert REASON in ppage.locator("#held").inner_text() and "数量不合理" in ppage.locator("#flags").inner_text()
    assert ppage.locator(f"form[action$='/listings/{listing_id}/resume']").count() == 0

    page.goto(f"{base}/park/listings/{listing_id}")
    page.locator("form[action$='/release'] button[type=submit]").click()
    page.wait_for_load_state("load")
    page.locator("#flags form button[type=submit]").first.click()
    page.wait_for_load_state("load")
    assert page.locator("#held").count() == 0 and page.locator("#flags").count() == 0
