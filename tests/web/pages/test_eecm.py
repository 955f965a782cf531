"""EECM pages: the enterprise fills in, saves and submits its self-assessment; a coordinator lists and scores it;
both languages, names not codes, CSRF, and who may open what."""
from __future__ import annotations

import re

from catalog.eecm import DEFAULT_TREE

LEAVES = [leaf.code for leaf in DEFAULT_TREE.leaves()]


def _form(value: str = "1", text: str = "evidence", codes=LEAVES, **extra) -> dict:
    form = {f"score-{c}": value for c in codes}
    form.update({f"text-{c}": text for c in codes})
    form.update({"year": "2025", **extra})
    return form


def _submitted(pages) -> None:
    pages.sign_in("e2")
    res = pages.post("/eecm", _form(action="submit"))
    assert res.status_code == 302, res.get_data(as_text=True)[:600]
    pages.client.post("/signout", data={"csrf_token": pages.csrf("/eecm")})


def test_self_assessment_page_shows_the_tree_in_words_in_both_languages(pages):
    pages.sign_in("e2")
    html = pages.text("/eecm?year=2025")
    assert "物质健康" in html and "化学品台账完整性" in html and "全部品种，数量闭合并按月更新" in html
    assert "EECM 自评" in html and "MH1.1" not in html.replace('name="score-MH1.1"', "").replace(
        'name="text-MH1.1"', "").replace('id="leaf-MH1.1"', "")
    pages.language("en")
    html = pages.text("/eecm?year=2025")
    assert "Material health" in html and "Completeness of the chemical ledger" in html and "Submit for scoring" in html


def test_save_then_submit_and_refusals(pages):
    pages.sign_in("e2")
    res = pages.post("/eecm", _form(codes=LEAVES[:3], action="save"))
    assert res.status_code == 302
    html = pages.text("/eecm?year=2025")
    assert "草稿" in html and html.count("checked") == 3
    res = pages.post("/eecm", _form(codes=LEAVES[:3], action="submit"))       # 24 leaves still missing
    assert res.status_code == 422 and "尚有指标未自评" in res.get_data(as_text=True)
    res = pages.post("/eecm", _form(value="0.3", codes=["MH1.1"], action="save"))
    assert res.status_code == 422
    res = pages.post("/eecm", _form(action="submit"))
    assert res.status_code == 302
    html = pages.text("/eecm?year=2025")
    assert "已提交" in html and "不能再修改" in html
    assert pages.client.post("/eecm", data=_form(action="save")).status_code in (400, 403)   # no CSRF token


def test_coordinator_lists_and_scores(pages):
    _submitted(pages)
    pages.sign_in("coord")
    html = pages.text("/eecm/assessments")
    assert "开发区汽车维修中心" in html and "已提交" in html

    aid = int(re.search(r"/eecm/assessments/(\d+)", html).group(1))
    html = pages.text(f"/eecm/assessments/{aid}")
    assert "企业自评" in html and "evidence" in html and "保存评分" in html
    res = pages.post(f"/eecm/assessments/{aid}/score", _form(value="0.5", text="checked"))
    assert res.status_code == 302
    html = pages.text(f"/eecm/assessments/{aid}")
    assert "已评分" in html and "50.0" in html and "0.025" in html
    res = pages.post(f"/eecm/assessments/{aid}/score", _form(value="7"))
    assert res.status_code == 422 and "部分评分有误" in res.get_data(as_text=True)
    pages.language("en")
    assert "result (of 100)" in pages.text(f"/eecm/assessments/{aid}")


def test_who_may_open_what(pages):
    _submitted(pages)
    pages.sign_in("coord_nk")
    html = pages.text("/eecm/assessments")
    assert "开发区汽车维修中心" not in html
    pages.text("/eecm/assessments/2147483647", status=404)
    pages.client.post("/signout", data={"csrf_token": pages.csrf("/eecm/assessments")})
    pages.sign_in("e3")
    pages.text("/eecm/assessments", status=403)
    pages.text("/eecm?year=2025")
