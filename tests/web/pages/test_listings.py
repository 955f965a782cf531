"""Listing pages: the dashboard, posting and editing offers and needs, status changes, one-click matching."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from marketplace.models import Listing

# What must never reach another enterprise before both sides accept: E-1's and E-4's name, refs, licences.
E1_SECRETS = ("滨海再生资源有限公司", "E-1", "N-1", "TJ-HW-0001")
E4_SECRETS = ("南港水泥有限公司", "E-4", "N-2", "TJ-HW-0002")
CSRF_FIELD = re.compile(r'name="csrf_token" value="[^"]+"')


def listing_id(session, ref: str) -> int:
    return session.scalar(select(Listing.id).where(Listing.ref == ref))


def count_listings(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Listing))


def offer_form(**overrides: str) -> dict[str, str]:
    """A waste-oil offer as the form sends it (Chinese title only, tonnes, two composition rows)."""
    form = {"kind": "offer", "title_zh": "废机油（二号车间）", "title": "", "waste_code": "900-214-08",
            "ewc_code": "", "description": "", "quantity": "150", "unit": "t", "period": "year",
            "available_from": "2026-01-01", "available_to": "", "price_cny_per_t": "-500", "form": "liquid",
            "current_route": "incineration",
            "composition.0.name": "基础油", "composition.0.cas": "64742-54-7", "composition.0.pct": "85",
            "composition.1.name": "", "composition.1.cas": "", "composition.1.pct": "",
            "composition.2.name": "水", "composition.2.cas": "7732-18-5", "composition.2.pct": "5"}
    form.update(overrides)
    return form


def test_the_dashboard_shows_the_enterprise_and_its_listings(pages):
    pages.sign_in("e2")
    html = pages.text("/dashboard")
    assert "开发区汽车维修中心" in html and "/listings/new?kind=offer" in html and "/listings/new?kind=need" in html
    assert "300" in html  # O-1: 300 t a year


def test_posting_an_offer_in_chinese_with_its_composition(pages):
    pages.sign_in("e2")
    form = pages.text("/listings/new?kind=offer")
    assert 'name="composition.4.pct"' in form and "listing-form.js" in form  # five blank rows without scripts
    before = count_listings(pages.session)
    res = pages.post("/listings/new", offer_form(unit="kg", quantity="150000"))
    assert res.status_code == 302, res.get_data(as_text=True)[:1500]
    assert count_listings(pages.session) == before + 1
    new = pages.session.scalar(select(Listing).where(Listing.title_zh == "废机油（二号车间）"))
    assert res.headers["Location"].endswith(f"/listings/{new.id}/matches")
    assert new.title is None and new.quantity_t == 150 and new.enterprise.ref == "E-2"
    # The blank middle row is dropped; percentages become mass fractions.
    assert [(c.cas, round(c.fraction, 6)) for c in new.components_in("composition")] == [
        ("64742-54-7", 0.85), ("7732-18-5", 0.05)]


def test_a_refused_form_keeps_everything_typed_and_saves_nothing(pages):
    pages.sign_in("e2")
    before = count_listings(pages.session)
    res = pages.post("/listings/new", offer_form(**{"composition.2.cas": "7732-18-6", "composition.0.pct": "120",
                                                     "price_cny_per_t": "cheap"}))
    assert res.status_code == 422
    html = res.get_data(as_text=True)
    assert count_listings(pages.session) == before
    assert 'value="废机油（二号车间）"' in html and 'value="7732-18-6"' in html and 'value="120"' in html
    assert 'value="cheap"' in html and 'value="基础油"' in html
    # The kept rows are renumbered without the blank one, and their errors sit on their fields.
    assert 'id="composition-1-cas"' in html and 'aria-describedby="composition-1-cas-error"' in html
    assert 'id="composition-0-pct-error"' in html and 'id="price_cny_per_t-error"' in html
    assert "请更正下列标出的字段" in html


def test_the_chinese_title_is_required_in_chinese_and_optional_in_english(pages):
    pages.sign_in("e2")
    res = pages.post("/listings/new", offer_form(title_zh="", title="Spent oil, workshop 2"))
    assert res.status_code == 422 and 'id="title_zh-error"' in res.get_data(as_text=True)
    pages.language("en")
    res = pages.post("/listings/new", offer_form(title_zh="", title="Spent oil, workshop 2"))
    assert res.status_code == 302
    assert pages.session.scalar(select(Listing.id).where(Listing.title == "Spent oil, workshop 2"))


def test_posting_a_need_with_forms_purpose_and_limits(pages):
    pages.sign_in("e1")
    form = {"kind": "need", "title_zh": "废溶剂回收", "quantity": "20", "unit": "t", "period": "month",
            "forms": ["liquid", "paste"], "purpose": "recycle", "max_distance_km": "80",
            "wanted.0.name": "甲苯", "wanted.0.cas": "108-88-3", "wanted.0.pct": "60",
            "limits.0.name": "", "limits.0.cas": "7439-92-1", "limits.0.pct": "0.1",
            "form": "solid", "current_route": "landfill"}  # offer-only fields of the hidden section are ignored
    res = pages.post("/listings/new", form)
    assert res.status_code == 302, res.get_data(as_text=True)[:1500]
    need = pages.session.scalar(select(Listing).where(Listing.title_zh == "废溶剂回收"))
    assert need.kind == "need" and need.forms == ["liquid", "paste"] and need.period == "month"
    assert need.form is None and need.current_route is None
    assert [(c.cas, round(c.fraction, 6)) for c in need.components_in("limit")] == [("7439-92-1", 0.001)]
    res = pages.post("/listings/new", {**form, "forms": [], "purpose": ""})
    html = res.get_data(as_text=True)
    assert res.status_code == 422 and 'id="forms-error"' in html and 'id="purpose-error"' in html


def test_editing_keeps_the_listing_whole_and_others_listings_are_404(pages):
    pages.sign_in("e2")
    o1 = listing_id(pages.session, "O-1")
    form = pages.text(f"/listings/{o1}/edit")
    assert 'value="64742-54-7"' in form and 'value="85"' in form and 'value="300"' in form
    res = pages.post(f"/listings/{o1}/edit", offer_form(title_zh="废机油", title="Used engine oil", quantity="250",
                                                        **{"composition.1.name": "添加剂", "composition.1.pct": "3"}))
    assert res.status_code == 302 and res.headers["Location"].endswith(f"/listings/{o1}")
    pages.session.expire_all()
    o1_row = pages.session.get(Listing, o1)
    assert o1_row.quantity_t == 250 and len(o1_row.components_in("composition")) == 3
    res = pages.post(f"/listings/{o1}/edit", offer_form(quantity="-3"))
    assert res.status_code == 422 and 'value="-3"' in res.get_data(as_text=True)
    n1 = listing_id(pages.session, "N-1")
    for path in (f"/listings/{n1}", f"/listings/{n1}/edit", f"/listings/{n1}/matches", "/listings/999999"):
        pages.text(path, 404)
    assert pages.post(f"/listings/{n1}/edit", offer_form()).status_code == 404
    assert pages.post(f"/listings/{n1}/pause").status_code == 404


def test_pause_resume_close(pages):
    pages.sign_in("e2")
    o1 = listing_id(pages.session, "O-1")
    for action, status in (("pause", "paused"), ("resume", "active"), ("close", "closed")):
        res = pages.post(f"/listings/{o1}/{action}")
        assert res.status_code == 302
        pages.session.expire_all()
        assert pages.session.get(Listing, o1).status == status
    res = pages.post(f"/listings/{o1}/resume")  # closed is final: refused with a message
    assert res.status_code == 302
    assert "不允许" in pages.text(res.headers["Location"])
    assert pages.client.get(f"/listings/{o1}/edit").status_code == 302


def test_find_matches_shows_every_check_and_never_the_partner(pages):
    pages.sign_in("e2")
    o1 = listing_id(pages.session, "O-1")
    html = pages.text(f"/listings/{o1}/matches?top=10")
    assert "废矿物油再生" in html and "危险废物经营许可证" in html and "禁忌混合" in html  # names, never the keys
    assert "hw_licence" not in html and "incompatible_mix" not in html
    assert "接受此合作方" in html and "全部检查项" in html
    text = CSRF_FIELD.sub("", html)  # the token is random: it could spell anything
    for secret in E1_SECRETS + E4_SECRETS:
        assert secret not in text, secret


def test_role_guard_and_csrf(pages):
    assert pages.client.get("/listings").status_code == 302  # signed out: to the sign-in form
    pages.sign_in("coord")
    pages.text("/listings", 403)
    pages.text("/dashboard", 403)
    pages.sign_in("e2")
    res = pages.client.post("/listings/new", data=offer_form())
    assert res.status_code == 400


def test_the_pages_in_english(pages):
    pages.sign_in("e2")
    pages.language("en")
    o1 = listing_id(pages.session, "O-1")
    assert "Active offers" in pages.text("/dashboard")
    assert "Post an offer" in pages.text("/listings?kind=offer&status=active")
    html = pages.text(f"/listings/{o1}")
    assert "Find matches" in html and "Used engine oil" in html
    assert "Title in English" in pages.text("/listings/new?kind=need")
    assert "Every check" in pages.text(f"/listings/{o1}/matches")
