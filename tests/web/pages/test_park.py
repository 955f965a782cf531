"""The park overview: KPI cards and compliance from the park report, what waits for the coordinator,
the charts as inline SVG, the choice of park and period, and who may see it."""
from __future__ import annotations

from tests.web.pages.test_approvals import accepted


def test_the_coordinator_lands_on_the_overview_of_their_park(pages):
    accepted(pages)
    pages.sign_in("coord")
    assert pages.get("/").headers["Location"] == "/park"
    page = pages.text("/park")
    assert "园区总览" in page and "滨海新区 (BH)" in page and "南港工业区" not in page  # only their park
    assert "供给量" in page and "资源化利用率" in page and "减排二氧化碳当量" in page and "未办结联单" in page
    # One accepted match waits for approval, linked to the queue of the park.
    assert 'href="/approvals?park=BH">1</a>' in page
    assert page.count("<svg") == 2 and "每月转移吨数" in page and "各等级企业数" in page
    assert "/reports/view?park=BH" in page
    assert "数据截至 " in page and "他人的更改半分钟内显示" in page  # when the (possibly kept) figures were made


def test_admins_choose_any_park_and_coordinators_only_theirs(pages):
    pages.sign_in("admin")
    page = pages.text("/park?park=NK")
    assert "南港工业区" in page and 'value="NK" selected' in page
    pages.sign_in("coord")
    res = pages.get("/park?park=NK")
    assert res.status_code == 403 and "非所辖园区" in res.get_data(as_text=True)


def test_a_bad_period_is_shown_with_what_was_typed(pages):
    pages.sign_in("coord")
    res = pages.get("/park?from=2026-13-01")
    page = res.get_data(as_text=True)
    assert res.status_code == 422 and 'value="2026-13-01"' in page and 'aria-invalid="true"' in page
    res = pages.get("/park?from=2026-05-01&to=2026-01-01")
    assert res.status_code == 422 and "报告期起止有误" in res.get_data(as_text=True)


def test_enterprise_users_are_refused_every_coordinator_page(pages):
    pages.sign_in("e1")
    for path in ("/park", "/runs", "/approvals", "/ratings"):
        assert pages.get(path).status_code == 403, path
    pages.client.post("/signout", data={"csrf_token": pages.csrf("/park")})
    assert pages.get("/park").headers["Location"].startswith("/signin")


def test_the_overview_in_english(pages):
    pages.sign_in("coord")
    pages.language("en")
    page = pages.text("/park")
    assert "Zero-waste KPIs" in page and "Binhai New Area (BH)" in page and "Utilisation rate" in page
    assert "Matches awaiting approval" in page and "Transferred tonnes per month" in page
    assert "Figures as of " in page and "changes by others show within half a minute" in page


def test_the_overview_has_a_row_per_waste_stream_in_both_languages(pages):
    pages.sign_in("coord")
    page = pages.text("/park")
    assert "按废物种类" in page and "资源化利用率" in page and "匹配量 (t/a)" in page
    for name in ("一般工业固体废物及富余化学品", "危险废物", "生活垃圾", "建筑垃圾", "农业废弃物"):
        assert name in page
    # the API park offers hazardous waste only: the other streams have no rate, not a division by zero
    household = page.split('data-stream="household"')[1].split("</tr>")[0]
    assert household.count("—") == 2
    pages.language("en")
    page = pages.text("/park")
    assert "By waste stream" in page and "Construction waste" in page and "Matched (t/a)" in page


def test_the_overview_counts_the_years_hw_management_plans(pages):
    """The plans on file of the year's HW producers, from the report's compliance figures (filed / producers)."""
    pages.sign_in("coord")
    page = pages.text("/park")
    assert "已备案危废管理计划" in page and "危废产生单位" in page
    pages.language("en")
    page = pages.text("/park")
    assert "HW management plans filed" in page and "HW producers" in page
