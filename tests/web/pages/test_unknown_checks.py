"""One-click matching shows an unknown check as such (issue 16), in Chinese and English: not passed, not a red
failure, "needs an analysis report"; accepting such a partner is refused with what to do."""
from __future__ import annotations

from tests.web.pages.test_listings import listing_id, offer_form

# E-1's need limits lead to 0.1 %: E-2's oil offer declares it (20 mg/kg) in a row of its own
LEAD_ROW = {"composition.3.name": "铅", "composition.3.cas": "7439-92-1", "composition.3.pct": "0.002"}


def test_an_unknown_check_is_shown_and_the_partner_cannot_be_accepted(pages):
    pages.sign_in("e2")
    res = pages.post("/listings/new", offer_form(title_zh="废机油（未检测）"))  # no lead row, not complete
    assert res.status_code == 302, res.get_data(as_text=True)[:1500]
    finder = res.headers["Location"]
    n1 = listing_id(pages.session, "N-1")
    html = pages.text(finder)
    assert 'class="badge s-unknown">? 待核实：需提供检测报告' in html and '<tr class="unknown">' in html
    # the checks table shows the page's half of the bilingual detail
    assert "<td>铅 7439-92-1 未申报，需提供检测报告（限值 0.1%）</td>" in html
    assert "该配对所检查的物质在供给中未申报" in html
    assert f'name="partner" value="{n1}"' not in html  # no accept button for it
    # posted anyway (an old page, a script): refused, saying what to do
    res = pages.post(finder, {"partner": str(n1)})
    assert res.status_code == 302 and res.headers["Location"].endswith(finder)
    html = pages.text(finder)
    assert "需提供检测报告：供给未申报7439-92-1，请在供给中申报其检测含量" in html
    pages.language("en")
    html = pages.text(finder)
    assert "? Unknown: needs an analysis report" in html
    assert "<td>7439-92-1 not declared: needs an analysis report (limit 0.1%)</td>" in html
    assert "Declare it with its measured fraction" in html


def test_a_declared_substance_shows_in_the_pages_language(pages):
    pages.sign_in("e2")
    res = pages.post("/listings/new", offer_form(title_zh="废机油（已检测）", **LEAD_ROW))
    finder = res.headers["Location"]
    assert "<td>铅 20 mg/kg ≤ 限值 0.1%</td>" in pages.text(finder)
    pages.language("en")
    assert "<td>7439-92-1 20 mg/kg ≤ limit 0.1%</td>" in pages.text(finder)
