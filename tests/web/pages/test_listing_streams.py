"""The listing form's category field and waste-stream select (bilingual), and the type-ahead's categories."""
from __future__ import annotations

from sqlalchemy import select

from marketplace.models import Listing
from tests.web.pages.test_listings import offer_form


def test_the_form_offers_the_five_streams_in_the_page_language(pages):
    pages.sign_in("e2")
    zh = pages.text("/listings/new?kind=offer")
    assert 'name="stream"' in zh and 'name="category"' in zh
    assert all(name in zh for name in ("建筑垃圾", "生活垃圾", "农业废弃物", "危险废物", "按代码或类别自动确定"))
    pages.language("en")
    en = pages.text("/listings/new?kind=offer")
    assert all(name in en for name in ("Construction waste", "Household waste", "Agricultural residues"))


def test_a_category_posted_on_the_form_gives_the_stream(pages):
    pages.sign_in("e2")
    res = pages.post("/listings/new", offer_form(title_zh="装修垃圾（三号楼）", waste_code="", category="cw5",
                                                 form="solid", **{"composition.0.name": "", "composition.0.cas": "",
                                                                  "composition.0.pct": ""}))
    assert res.status_code == 302, res.get_data(as_text=True)[:1500]
    new = pages.session.scalar(select(Listing).where(Listing.title_zh == "装修垃圾（三号楼）"))
    assert (new.stream, new.category, new.waste_code) == ("construction", "CW05", None)
    edit = pages.text(f"/listings/{new.id}/edit")
    assert 'value="CW05"' in edit
    shown = pages.text(f"/listings/{new.id}")
    assert "建筑垃圾 · CW05 装修垃圾" in shown
    pages.language("en")
    assert "Construction waste · CW05 Renovation and decoration waste" in pages.text(f"/listings/{new.id}")


def test_a_stream_contradicting_the_hw_code_is_refused_beside_the_field(pages):
    pages.sign_in("e2")
    res = pages.post("/listings/new", offer_form(title_zh="废机油（四号车间）", stream="household"))
    assert res.status_code == 422
    html = res.get_data(as_text=True)
    assert "900-214-08" in html and "stream-error" in html
    assert pages.session.scalar(select(Listing).where(Listing.title_zh == "废机油（四号车间）")) is None


def test_the_type_ahead_finds_our_categories(pages):
    pages.sign_in("e2")
    items = pages.get("/lookup/codes?q=厨余").json["items"]
    kitchen = next(i for i in items if i["code"] == "HH03")
    assert kitchen["kind"] == "sw" and kitchen["stream"] == "household" and not kitchen["hazardous"]
