"""The chemical survey pages: the enterprise's form (save, submit, errors that keep the input, strict numbers),
the coordinators' review (list, one declaration, return with reasons, accept), the guards and both languages."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from marketplace.models import Notification, SurveyDeclaration
from web.pages.surveys import parse_tonnes

YEAR = dt.date.today().year - 1
HBCDD = "25637-99-4"
ETHANOL = "64-17-5"


def _rows(*rows: dict[str, str]) -> dict[str, str]:
    form: dict[str, str] = {}
    for i, row in enumerate(rows):
        for key, value in row.items():
            form[f"substances.{i}.{key}"] = value
    return form


ETHANOL_ROW = {"name": "乙醇", "cas": ETHANOL, "role": "use", "quantity_t": "12.5", "use": "清洗溶剂",
               "stock_t": "1", "released_t": ""}
HBCDD_ROW = {"name": "HBCDD", "cas": HBCDD, "role": "use", "quantity_t": "1.5", "use": "EPS flame retardant",
             "stock_t": "0.2", "released_t": "0"}


def _declaration(pages, ref: str = "E-1") -> SurveyDeclaration | None:
    pages.session.expire_all()
    return next((d for d in pages.session.query(SurveyDeclaration).all()
                 if d.enterprise.ref == ref and d.year == YEAR), None)


def _submitted(pages, *rows: dict[str, str]) -> SurveyDeclaration:
    """E-1's declaration of last year, submitted through the page (the user stays signed in as E-1)."""
    pages.sign_in("e1")
    res = pages.post(f"/survey/{YEAR}", {**_rows(*rows), "action": "submit"})
    assert res.status_code == 302, res.get_data(as_text=True)[:1500]
    decl = _declaration(pages)
    assert decl is not None and decl.status == "submitted"
    return decl


# --- numbers ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "value"), [("20.5", 20.5), ("０．５", 0.5), (" 12 ", 12.0), ("0", 0.0), (".5", 0.5),
                                             ("-0", 0.0), ("20,5", 20.5), ("２０，５", 20.5), ("1,234,567", 1234567.0),
                                             ("300 kg", 0.3), ("1,5吨", 1.5)])
def test_numbers_are_read_as_on_every_page(typed, value):
    """The listing form's reader: a decimal comma, full-width digits and a mass unit are read."""
    assert parse_tonnes(typed) == (pytest.approx(value), None)


@pytest.mark.parametrize("typed", ["1,500", "1e3", "inf", "nan", "-1", "abc", "1e400", "99999999999", "20 5",
                                   "20\u00a05", "20\u202f5", "2 m3"])
def test_ambiguous_commas_exponents_infinities_negatives_and_absurd_figures_are_refused(typed):
    value, reason = parse_tonnes(typed)
    assert value is None and reason


# --- the enterprise's form ---------------------------------------------------------------------------------------

def test_the_form_of_last_year_opens_empty_and_creates_nothing(pages):
    pages.sign_in("e1")
    html = pages.text("/survey")
    assert f"{YEAR} 年化学物质环境信息调查" in html and "尚未填报" in html
    assert 'name="csrf_token"' in html and 'name="substances.0.cas"' in html
    assert "环境排放" in html and "副产" in html  # role labels, not keys
    assert _declaration(pages) is None


def test_save_draft_then_submit_then_read_only(pages):
    pages.sign_in("e1")
    res = pages.post(f"/survey/{YEAR}", {**_rows(ETHANOL_ROW), "action": "save"})
    assert res.status_code == 302
    decl = _declaration(pages)
    assert decl.status == "draft" and [s.cas for s in decl.substances] == [ETHANOL]
    html = pages.text(f"/survey?year={YEAR}")
    assert "草稿" in html and 'value="12.5"' in html
    res = pages.post(f"/survey/{YEAR}", {**_rows(ETHANOL_ROW, HBCDD_ROW), "action": "submit"})
    assert res.status_code == 302
    assert _declaration(pages).status == "submitted"
    html = pages.text(f"/survey?year={YEAR}")
    assert "已提交" in html and 'id="survey-form"' not in html and "EPS flame retardant" in html
    # a post to a submitted declaration is refused and changes nothing
    res = pages.post(f"/survey/{YEAR}", {**_rows(ETHANOL_ROW), "action": "save"})
    assert res.status_code == 409
    assert len(_declaration(pages).substances) == 2


def test_a_refused_save_keeps_everything_typed_with_each_reason(pages):
    pages.sign_in("e1")
    bad = {"name": "苯", "cas": "71-43-3", "role": "use", "quantity_t": "20,500", "use": "溶剂", "stock_t": "abc",
           "released_t": "1e999"}
    res = pages.post(f"/survey/{YEAR}", {**_rows(ETHANOL_ROW, bad), "action": "save"})
    assert res.status_code == 422
    html = res.get_data(as_text=True)
    assert 'value="20,500"' in html and 'value="abc"' in html and 'value="71-43-3"' in html and 'value="苯"' in html
    assert 'value="12.5"' in html  # the good row is kept too
    assert "可能是 20.5，也可能是 20500" in html  # 20.5 or 20500? refused with both readings, never guessed
    for name in ("substances-1-quantity_t", "substances-1-stock_t", "substances-1-released_t", "substances-1-cas"):
        assert f'id="{name}-error"' in html, name
    assert _declaration(pages) is None  # nothing kept, not even the draft


def test_submitting_without_a_row_is_refused(pages):
    pages.sign_in("e1")
    res = pages.post(f"/survey/{YEAR}", {"action": "submit"})
    assert res.status_code == 422
    assert _declaration(pages) is None


def test_a_missing_role_is_named(pages):
    pages.sign_in("e1")
    res = pages.post(f"/survey/{YEAR}", {**_rows({**ETHANOL_ROW, "role": ""}), "action": "save"})
    assert res.status_code == 422
    assert 'id="substances-0-role-error"' in res.get_data(as_text=True)


def test_the_form_in_english(pages):
    pages.sign_in("e1")
    pages.language("en")
    html = pages.text("/survey")
    assert f"Chemical survey {YEAR}" in html and "Release to the environment" in html and "Save draft" in html
    res = pages.post(f"/survey/{YEAR}", {**_rows({**ETHANOL_ROW, "quantity_t": "20,500"}), "action": "save"})
    assert "could be 20.5 or 20500" in res.get_data(as_text=True)


def test_a_bad_year_is_not_a_page(pages):
    pages.sign_in("e1")
    assert pages.post("/survey/1800", {**_rows(ETHANOL_ROW), "action": "save"}).status_code == 404
    assert f"{YEAR} 年" in pages.text("/survey?year=abc")


# --- guards ---------------------------------------------------------------------------------------------------------

def test_another_enterprises_declaration_is_not_found(pages):
    decl = _submitted(pages, ETHANOL_ROW)
    assert pages.get(f"/survey/declarations/{decl.id}").status_code == 302  # its own: to the year's page
    pages.client.post("/signout", data={"csrf_token": pages.csrf("/survey")})
    pages.sign_in("e2")
    assert pages.get(f"/survey/declarations/{decl.id}").status_code == 404
    assert "尚未填报" in pages.text("/survey")  # E-2 sees its own (empty) year, not E-1's


def test_an_enterprise_cannot_open_the_review_pages(pages):
    decl = _submitted(pages, ETHANOL_ROW)
    assert pages.get("/surveys").status_code == 403
    assert pages.get(f"/surveys/{decl.id}").status_code == 403
    assert pages.post(f"/surveys/{decl.id}/accept").status_code == 403
    assert _declaration(pages).status == "submitted"


def test_a_coordinator_of_another_park_does_not_see_it(pages):
    decl = _submitted(pages, ETHANOL_ROW)
    pages.client.post("/signout", data={"csrf_token": pages.csrf("/survey")})
    pages.sign_in("coord_nk")
    assert pages.get(f"/surveys/{decl.id}").status_code == 404
    assert pages.post(f"/surveys/{decl.id}/accept").status_code == 404
    assert "滨海再生资源有限公司" not in pages.text("/surveys")


def test_the_survey_form_is_for_enterprises(pages):
    pages.sign_in("coord")
    assert pages.get("/survey").status_code == 403


# --- the coordinator's review ------------------------------------------------------------------------------------

def _as_coordinator(pages) -> None:
    pages.client.post("/signout", data={"csrf_token": pages.csrf("/survey")})
    pages.sign_in("coord")


def test_the_list_with_filters_and_counts(pages):
    decl = _submitted(pages, ETHANOL_ROW)
    _as_coordinator(pages)
    html = pages.text("/surveys")
    assert "滨海再生资源有限公司" in html and f'/surveys/{decl.id}"' in html and "已提交" in html
    assert 'name="status"' in html and 'name="year"' in html
    html = pages.text("/surveys?status=accepted")
    assert "滨海再生资源有限公司" not in html and "暂无申报" in html
    html = pages.text(f"/surveys?year={YEAR}&status=submitted&park=BH")
    assert f'/surveys/{decl.id}"' in html


def test_one_declaration_flags_the_banned_substance(pages):
    decl = _submitted(pages, ETHANOL_ROW, HBCDD_ROW)
    _as_coordinator(pages)
    html = pages.text(f"/surveys/{decl.id}")
    assert "controlled-ban" in html and "禁止" in html and "六溴环十二烷" in html
    assert "未列入" in html  # ethanol is on no list
    assert "审核通过" in html and 'name="reason.general"' in html and 'name="csrf_token"' in html
    assert "use" not in re.findall(r">([a-z_]+)<", html)  # no raw role key as a cell text


def test_return_without_a_reason_is_refused_and_with_one_notifies(pages):
    decl = _submitted(pages, ETHANOL_ROW, HBCDD_ROW)
    _as_coordinator(pages)
    res = pages.post(f"/surveys/{decl.id}/return", {"reason.general": "", "reason.0": ""})
    assert res.status_code == 422 and "须填写退回理由" in res.get_data(as_text=True)
    assert _declaration(pages).status == "submitted"
    res = pages.post(f"/surveys/{decl.id}/return",
                     {"reason.general": "请补充库存", "reason.1": "数量与台账不符（吨）", "reason_field.1": "quantity_t"})
    assert res.status_code == 302, res.get_data(as_text=True)[:800]
    decl = _declaration(pages)
    assert decl.status == "returned"
    assert decl.returned_reasons == {"general": ["请补充库存"], "substances.1.quantity_t": ["数量与台账不符（吨）"]}
    # the enterprise sees the reasons beside the field and at the top, and a notification
    pages.client.post("/signout", data={"csrf_token": pages.csrf("/surveys")})
    pages.sign_in("e1")
    html = pages.text("/survey")
    assert "园区已退回您的申报" in html and "请补充库存" in html
    cell = html[html.index('id="substances-1-quantity_t"'):]
    assert cell.index("数量与台账不符（吨）") < cell.index("</td>")
    assert any(n.kind == "survey_transition" for n in pages.session.query(Notification).all())
    # corrected and resubmitted
    res = pages.post(f"/survey/{YEAR}", {**_rows(ETHANOL_ROW, {**HBCDD_ROW, "quantity_t": "1.2"}),
                                         "action": "submit"})
    assert res.status_code == 302
    assert _declaration(pages).status == "resubmitted"


def test_accept(pages):
    decl = _submitted(pages, ETHANOL_ROW)
    _as_coordinator(pages)
    res = pages.post(f"/surveys/{decl.id}/accept")
    assert res.status_code == 302
    assert _declaration(pages).status == "accepted"
    html = pages.text(f"/surveys/{decl.id}")
    assert "已通过" in html and "accept-survey" not in html
    res = pages.post(f"/surveys/{decl.id}/accept")  # twice: refused, said on the page
    assert res.status_code == 302
    assert "不可审核" in pages.text(f"/surveys/{decl.id}")


def test_the_review_in_english(pages):
    decl = _submitted(pages, HBCDD_ROW)
    _as_coordinator(pages)
    pages.language("en")
    html = pages.text(f"/surveys/{decl.id}")
    assert "Banned" in html and "Accept the declaration" in html and "Submitted" in html
    assert "Hexabromocyclododecane" in html or "HBCDD" in html


def test_the_whole_cycle_through_the_pages_on_every_backend(pages_on_backend):
    """Draft → submitted → returned (the enterprise told why) → resubmitted → accepted, on SQLite and PostgreSQL."""
    pages = pages_on_backend
    pages.sign_in("e1")
    res = pages.post(f"/survey/{YEAR}", {**_rows(ETHANOL_ROW), "action": "save"})
    assert res.status_code == 302 and _declaration(pages).status == "draft"
    decl = _submitted(pages, ETHANOL_ROW, HBCDD_ROW)
    _as_coordinator(pages)
    res = pages.post(f"/surveys/{decl.id}/return", {"reason.1": "数量与台账不符（吨）", "reason_field.1": "quantity_t"})
    assert res.status_code == 302 and _declaration(pages).status == "returned"
    pages.client.post("/signout", data={"csrf_token": pages.csrf("/surveys")})
    pages.sign_in("e1")
    assert "数量与台账不符（吨）" in pages.text("/survey")
    assert "数量与台账不符（吨）" in pages.text("/notifications")
    res = pages.post(f"/survey/{YEAR}", {**_rows(ETHANOL_ROW, {**HBCDD_ROW, "quantity_t": "1.2"}), "action": "submit"})
    assert res.status_code == 302 and _declaration(pages).status == "resubmitted"
    _as_coordinator(pages)
    assert pages.post(f"/surveys/{decl.id}/accept").status_code == 302
    assert _declaration(pages).status == "accepted"
