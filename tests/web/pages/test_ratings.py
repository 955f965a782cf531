"""Enterprise ratings: grades with indicators and reasons from the park report, the grade filter,
the thresholds explained, bad filters shown, English."""
from __future__ import annotations


def test_the_ratings_of_the_park_with_their_reasons_and_thresholds(pages):
    pages.sign_in("coord")
    page = pages.text("/ratings")
    assert "企业分级评价" in page and "滨海新区" in page
    # The garages offer waste oil: rated; the handler has only a need: not rated.
    assert "开发区汽车维修中心" in page and "综合得分" in page and "资源化利用率" in page
    assert "评级规则" in page and "综合得分不低于 0.85" in page and "管控物质无许可" in page
    assert page.count("<svg") == 1
    rated = pages.text("/ratings?grade=none")
    assert "滨海再生资源有限公司" in rated and "开发区汽车维修中心" not in rated
    assert "本期无供给、转移或台账记录" in rated


def test_bad_filters_and_scopes(pages):
    pages.sign_in("coord")
    res = pages.get("/ratings?grade=E")
    assert res.status_code == 422 and "无此等级" in res.get_data(as_text=True)
    res = pages.get("/ratings?to=yesterday")
    assert res.status_code == 422 and 'value="yesterday"' in res.get_data(as_text=True)
    assert pages.get("/ratings?park=NK").status_code == 403
    pages.sign_in("coord_nk")
    assert "南港水泥有限公司" in pages.text("/ratings")
    pages.sign_in("e4")
    assert pages.get("/ratings").status_code == 403


def test_the_ratings_in_english(pages):
    pages.sign_in("admin")
    pages.language("en")
    page = pages.text("/ratings?park=BH&grade=none")
    assert "Enterprise ratings" in page and "not rated" in page and "How grades are given" in page
    assert "no offers, transfers or ledger entries in the period" in page
