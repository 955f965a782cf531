"""Typos in the listing form, in a real browser (Debian's Chromium, headless), never stored as nonsense (issue 17).

E-022 (a pharmaceutical plant whose largest spent-acetone offer is 2,000 t a year) types each typo of the
issue into the quantity of a new offer: every one is refused with its reason beside the field and the typed
text kept, or asked about with a box to tick; nothing is stored, so the park's figures (the park overview,
the report's KPIs) and every enterprise's rating are the same afterwards. "20,5" is read as 20.5 t, and the
back button followed by a second "post" returns the listing already created instead of a second one.
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.db import make_engine
from marketplace.models import Enterprise, Listing
from marketplace.services.accounts.users import system_principal
from marketplace.services.reports.document import build_report
from marketplace.services.reports.overview import park_overview

PLANT = "e022@wastematch.example"
TITLE = "废丙酮（端到端输入测试）"
# typed → what the reason beside the field says (Chinese pages)
REFUSED = {
    "20,500": "可能是 20.5，也可能是 20500",
    "1e9": "不接受 1e9 这类指数写法",
    "99999999999999999999": "最多 100,000,000 吨",
    "0.0000001": "不得少于 1 千克",
    "-3": "不能为负数",
    "5 m³": "体积无法在不知密度的情况下换算为吨",
    "": "必填",
}


def _figures(value):
    """``value`` without the moments it was computed at (``as_of``): only the figures are compared."""
    if isinstance(value, dict):
        return {k: _figures(v) for k, v in value.items() if k != "as_of"}
    if isinstance(value, list):
        return [_figures(v) for v in value]
    return value


def snapshot(database_url: str) -> dict:
    """The park's figures as the coordinators see them: the overview, the report's KPIs and ratings."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            report = build_report(session, system_principal("e2e"), park="CH")
            return _figures({"overview": park_overview(session), "kpis": report["kpis"], "ratings": report["ratings"],
                             "listings": session.scalar(select(func.count()).select_from(Listing))})
    finally:
        engine.dispose()


def plant_listings(database_url: str, title: str) -> list[Listing]:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return list(session.scalars(select(Listing).join(Listing.enterprise).where(
                Enterprise.ref == "E-022", Listing.title_zh == title)))
    finally:
        engine.dispose()


def fill_offer(page, base: str, quantity: str, title: str = TITLE) -> None:
    page.goto(f"{base}/listings/new?kind=offer")
    page.fill("#title_zh", title)
    page.fill("#waste_code", "900-402-06")
    page.keyboard.press("Escape")  # close the type-ahead's list
    page.select_option("#form", "liquid")
    page.fill("#quantity", quantity)


def submit(page) -> None:
    with page.expect_navigation():
        page.click("#listing-form button[type=submit]")


def test_typos_are_refused_or_asked_about_and_the_park_figures_do_not_move(sign_in, live_demo):
    before = snapshot(live_demo.database_url)
    user = sign_in(PLANT)
    user.watch.allow("status of 422")  # a refused form comes back as 422
    page = user.page
    for typed, reason in REFUSED.items():
        fill_offer(page, live_demo.url, typed)
        submit(page)
        error = page.locator("#quantity-error")
        assert reason in error.inner_text(), (typed, error.inner_text())
        assert page.input_value("#quantity") == typed and page.input_value("#title_zh") == TITLE
        assert page.get_attribute("#quantity", "aria-invalid") == "true"

    # Plausible but unusual: 30 times the plant's largest spent-acetone offer. Asked, not stored.
    fill_offer(page, live_demo.url, "60000")
    submit(page)
    question = page.locator("#confirm")
    assert "超过本企业同类信息最大量（每年 2,000 吨）的 20 倍" in question.inner_text()
    assert page.input_value("#quantity") == "60000" and not page.is_checked("#confirm-quantity")
    # Changing the value drops the question's answer: 70000 with the box ticked is asked about again.
    page.check("#confirm-quantity")
    page.fill("#quantity", "70000")
    submit(page)
    assert "每年 70,000 吨" in page.locator("#confirm").inner_text()
    assert plant_listings(live_demo.database_url, TITLE) == []

    after = snapshot(live_demo.database_url)
    assert after == before


def test_a_decimal_comma_is_read_and_a_resubmit_creates_no_second_listing(sign_in, live_demo):
    user = sign_in(PLANT)
    user.watch.allow("status of 422")
    page = user.page
    title = "废丙酮（返回键测试）"
    fill_offer(page, live_demo.url, "20,5", title)
    submit(page)
    page.wait_for_url(re.compile(r"/listings/\d+/matches"))
    created = plant_listings(live_demo.database_url, title)
    assert [x.quantity_t for x in created] == [pytest.approx(20.5)]

    page.go_back()  # the browser restores the posted form
    page.wait_for_load_state("load")
    if page.input_value("#title_zh") != title:  # nothing restored: type it again, as a user would
        fill_offer(page, live_demo.url, "20,5", title)
    submit(page)
    # The form's one-time token (put back by listing-form.js): the listing already created, not a second one.
    assert re.search(rf"/listings/{created[0].id}$", page.url), page.url
    assert "此表单已提交：这是它创建的信息。" in page.locator("main").inner_text()
    assert len(plant_listings(live_demo.database_url, title)) == 1

    # A fresh form with the same content is a likely duplicate: asked about, not stored.
    fill_offer(page, live_demo.url, "20,5", title)
    submit(page)
    assert page.locator("#confirm-duplicate").count() == 1
    assert len(plant_listings(live_demo.database_url, title)) == 1


def test_a_confirmed_unusual_quantity_is_stored(sign_in, live_demo):
    user = sign_in(PLANT)
    user.watch.allow("status of 422")
    page = user.page
    title = "废丙酮（确认测试）"
    fill_offer(page, live_demo.url, "６００００", title)  # full-width digits
    submit(page)
    page.check("#confirm-quantity")
    submit(page)
    page.wait_for_url(re.compile(r"/listings/\d+/matches"))
    assert [x.quantity_t for x in plant_listings(live_demo.database_url, title)] == [60000]
