"""The annual chemical survey in a real browser (Debian's Chromium, headless), through the pages only.

A pharmaceutical plant (E-022) fills in its declaration in Chinese (two substances, the second through the
CAS lookup), saves a draft and submits it; the park coordinator returns it with a reason on one row; the
plant sees the reason beside that field and a notification, corrects the figure and resubmits; the
coordinator accepts. The form is also opened on a phone-sized screen (390×844): its rows become stacked
cards and the page does not scroll sideways. Every page is watched: no request to another host, no console
error.
"""
from __future__ import annotations

import datetime as dt
import re

from marketplace.demo.accounts import DEMO_PASSWORD
from tests.e2e.conftest import Watch

PLANT, COORDINATOR = "e022@wastematch.example", "coord-ch@wastematch.example"
REASON = "丙酮用量与台账相差较大，请核对单位（吨）"


def _free_year(page, base: str) -> int:
    """A survey year the plant has not started (the demo may carry declarations of some years)."""
    this = dt.date.today().year
    for year in (this - 1, this, this - 2, this - 3, this - 4, this - 5):
        page.goto(f"{base}/survey?year={year}")
        if page.locator("#survey-status").inner_text().strip() == "尚未填报":
            return year
    raise AssertionError("every survey year offered already has a declaration in the demo")


def _flash(page) -> str:
    return page.locator("p.flash").first.inner_text()


def test_survey_filled_in_chinese_returned_corrected_and_accepted(sign_in, live_demo, browser, tmp_path):
    shots = tmp_path / "shots"
    base = live_demo.url

    # --- E-022 fills in its survey in Chinese ----------------------------------------------------------------
    plant = sign_in(PLANT)
    page = plant.page
    page.locator("header nav a", has_text="化学物质调查").click()
    page.wait_for_url(re.compile(r"/survey"))
    year = _free_year(page, base)
    assert f"{year} 年化学物质环境信息调查" in page.locator("h1").inner_text()

    page.fill("#substances-0-name", "乙醇")
    page.fill("#substances-0-cas", "64-17-5")
    page.select_option("#substances-0-role", "use")
    page.fill("#substances-0-quantity_t", "12.5")
    page.fill("#substances-0-use", "清洗溶剂")
    # The second row through the CAS lookup: leaving the field looks the number up; the name fills itself in.
    page.fill("#substances-1-cas", "67-64-1")
    with page.expect_response(lambda r: "/lookup/chemicals" in r.url and "67-64-1" in r.url, timeout=30_000):
        page.press("#substances-1-cas", "Tab")
    found = page.locator("#row-1 output.chem")
    found.filter(has_text=re.compile("丙酮")).wait_for(timeout=10_000)
    page.wait_for_function("() => document.getElementById('substances-1-name').value !== ''")
    assert "丙酮" in page.input_value("#substances-1-name")
    page.select_option("#substances-1-role", "use")
    page.fill("#substances-1-quantity_t", "3200")
    page.fill("#substances-1-use", "萃取溶剂")
    page.fill("#substances-1-stock_t", "0.5")

    # "20,500" (20.5 or 20500?) is refused with both readings, everything typed kept (the refused page comes back
    # as 422); "20,5" would be read as 20.5, as on the listing form.
    plant.watch.allow("status of 422")
    page.fill("#substances-0-quantity_t", "20,500")
    page.click("#save-draft")
    page.wait_for_load_state("load")
    assert page.input_value("#substances-0-quantity_t") == "20,500"
    assert "可能是 20.5，也可能是 20500" in page.locator("#substances-0-quantity_t-error").inner_text()
    assert "丙酮" in page.input_value("#substances-1-name")
    page.fill("#substances-0-quantity_t", "12.5")
    page.click("#save-draft")
    page.wait_for_load_state("load")
    assert "草稿已保存" in _flash(page)
    assert page.locator("#survey-status").inner_text() == "草稿"
    page.screenshot(path=str(shots / "1-survey-draft.png"), full_page=True)
    page.click("#submit-survey")
    page.wait_for_load_state("load")
    assert "申报已提交" in _flash(page)
    assert page.locator("#survey-status").inner_text() == "已提交"
    assert page.locator("#survey-form").count() == 0  # read-only until returned

    # --- the coordinator returns it with a reason on the acetone row ---------------------------------------------
    coord = sign_in(COORDINATOR)
    cpage = coord.page
    cpage.locator("header nav a", has_text="化学物质调查审核").click()
    cpage.wait_for_url(re.compile(r"/surveys"))
    cpage.goto(f"{base}/surveys?year={year}&status=submitted")
    cpage.locator("table a", has_text="苏州澄湖药业").first.click()
    cpage.wait_for_url(re.compile(r"/surveys/\d+$"))
    review_url = cpage.url
    assert "已提交" in cpage.locator("#survey-status").inner_text()
    assert "丙酮" in cpage.locator("#row-1").inner_text()
    cpage.select_option("#reason_field-1", "quantity_t")
    cpage.fill("#reason-1", REASON)
    cpage.click("#return-survey")
    cpage.wait_for_load_state("load")
    assert "退回企业" in _flash(cpage)
    assert "已退回修改" in cpage.locator("#survey-status").inner_text()

    # --- the plant sees the reason beside the field, and a notification; corrects and resubmits ---------------------
    page.goto(f"{base}/notifications")
    assert "退回" in page.locator("ol.notices").first.inner_text()
    page.goto(f"{base}/survey?year={year}")
    assert "已退回修改" in page.locator("#survey-status").inner_text()
    cell = page.locator("td.quantity_t", has=page.locator("#substances-1-quantity_t"))
    assert REASON in cell.inner_text()
    page.fill("#substances-1-quantity_t", "3.2")
    page.click("#submit-survey")
    page.wait_for_load_state("load")
    assert page.locator("#survey-status").inner_text() == "已重新提交"

    # --- the coordinator accepts -----------------------------------------------------------------------------------
    cpage.goto(review_url)
    assert "3.200" in cpage.locator("#row-1").inner_text()
    cpage.click("#accept-survey")
    cpage.wait_for_load_state("load")
    assert "审核通过" in _flash(cpage)
    assert "已通过" in cpage.locator("#survey-status").inner_text()
    page.goto(f"{base}/survey?year={year}")
    assert page.locator("#survey-status").inner_text() == "已通过"

    # --- the form on a phone: stacked cards, no sideways scrolling ------------------------------------------------------
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                device_scale_factor=2)
    watch = Watch(base)
    phone.on("request", watch.request)
    try:
        ppage = phone.new_page()
        ppage.on("console", watch.console)
        ppage.on("pageerror", lambda e: watch.problems.append(f"page error: {e}"))
        ppage.goto(f"{base}/signin")
        ppage.fill("#email", PLANT)
        ppage.fill("#password", DEMO_PASSWORD)
        ppage.click("form.stack button[type=submit]")
        ppage.wait_for_load_state("load")
        free = _free_year(ppage, base)
        ppage.fill("#substances-0-name", "乙醇")
        assert ppage.locator("table.survey-rows thead").is_hidden()  # rows are cards: labels sit in each card
        assert ppage.locator("label[for='substances-0-quantity_t']").is_visible()
        box = ppage.locator("#row-0").bounding_box()
        assert box and box["width"] <= 390
        assert ppage.evaluate("() => document.documentElement.scrollWidth") <= 390
        ppage.screenshot(path=str(shots / "2-survey-phone.png"), full_page=True)
        assert free
    finally:
        phone.close()
    assert watch.foreign == [] and watch.problems == [], (watch.foreign, watch.problems)
