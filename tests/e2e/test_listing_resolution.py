"""Names typed without a CAS number in a real browser (Debian's Chromium, headless), through the pages only.

E-022 types 硫酸 in a composition row: the form shows what it resolves to (→ 7664-93-9) without typing a CAS
number into the row, and "composition declared complete" is ticked; the listing page shows the stored
resolution; on the edit form "不是该物质 / not this substance" refuses it, and changing the name drops the old
resolution and its box. No other host asked, no console error (the harness watches).
"""
from __future__ import annotations

import re

PLANT = "e022@wastematch.example"
TITLE = "富余硫酸（端到端测试）"


def test_a_typed_name_resolves_in_the_form_is_stored_and_can_be_refused(sign_in, live_demo):
    page = sign_in(PLANT).page
    page.goto(f"{live_demo.url}/listings/new?kind=offer")
    page.fill("#title_zh", TITLE)
    page.fill("#quantity", "50")
    page.select_option("#form", "liquid")
    page.fill("#composition-0-name", "硫酸")
    with page.expect_response(lambda r: "/listings/substance" in r.url, timeout=30_000):
        page.press("#composition-0-name", "Tab")
    page.locator("tr.component output.chem").first.filter(has_text="→ 7664-93-9").wait_for()
    assert page.input_value("#composition-0-cas") == ""  # the name stays the user's word; saving resolves it
    page.fill("#composition-0-pct", "70")
    page.check("#composition_complete")
    page.click("#listing-form button[type=submit]")
    page.wait_for_url(re.compile(r"/listings/\d+/matches"))
    listing = re.search(r"/listings/(\d+)/matches", page.url).group(1)

    page.goto(f"{live_demo.url}/listings/{listing}")
    card = page.locator("section.card", has_text="成分").last
    assert "硫酸 → 7664-93-9 硫酸（按中文名称识别）" in card.inner_text()
    assert "成分已全部申报：已列出全部成分。" in card.inner_text()

    # Not this substance: refused and kept as the name.
    page.goto(f"{live_demo.url}/listings/{listing}/edit")
    assert page.is_checked("#composition_complete")
    row = page.locator("tr.component").first
    assert "→ 7664-93-9" in row.locator(".resolution").inner_text()
    page.check("#composition-0-reject")
    page.click("#listing-form button[type=submit]")
    page.wait_for_url(re.compile(rf"/listings/{listing}$"))
    assert "硫酸：未识别（已标记“不是该物质”）" in page.locator("main").inner_text()

    # A new name: the old resolution and its ticked box are gone, the lookup shows the new answer.
    page.goto(f"{live_demo.url}/listings/{listing}/edit")
    assert page.is_checked("#composition-0-reject")
    page.fill("#composition-0-name", "H2SO4")
    with page.expect_response(lambda r: "/listings/substance" in r.url and "H2SO4" in r.url, timeout=30_000):
        page.press("#composition-0-name", "Tab")
    row.locator("output.chem").filter(has_text="→ 7664-93-9").wait_for()
    assert not page.is_checked("#composition-0-reject") and not row.locator(".resolution").is_visible()
    page.click("#listing-form button[type=submit]")
    page.wait_for_url(re.compile(rf"/listings/{listing}$"))
    assert "H2SO4 → 7664-93-9 硫酸（按化学式识别）" in page.locator("main").inner_text()
