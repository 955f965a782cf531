"""The listing form and page: a name typed without a CAS number is shown with what it resolved to, in the page's
language; "not this substance" refuses it; "composition declared complete" is a checkbox (issue 16)."""
from __future__ import annotations

import html as htmllib

from sqlalchemy import select

from marketplace.models import Listing
from marketplace.services.listings.resolution import REJECTED
from tests.web.pages.test_listings import offer_form

ACID = {"title_zh": "富余硫酸", "waste_code": "", "ewc_code": "", "current_route": "",
        "composition.0.name": "硫酸", "composition.0.cas": "", "composition.0.pct": "70",
        "composition.1.name": "C2H6O", "composition.1.cas": "", "composition.1.pct": "1",
        "composition.2.name": "水", "composition.2.cas": "7732-18-5", "composition.2.pct": "29"}


def _post_acid(pages, **extra: str) -> Listing:
    res = pages.post("/listings/new", offer_form(**ACID, **extra))
    assert res.status_code == 302, res.get_data(as_text=True)[:1500]
    pages.session.expire_all()
    return pages.session.scalar(select(Listing).where(Listing.title_zh == "富余硫酸"))


def _text(pages, path: str) -> str:
    return htmllib.unescape(pages.text(path))


def test_a_posted_name_is_stored_resolved_and_shown_in_both_languages(pages):
    pages.sign_in("e2")
    listing = _post_acid(pages)
    acid, formula, water = listing.components_in("composition")
    assert (acid.cas, acid.resolved_cas, acid.resolved_by) == (None, "7664-93-9", "zh_name")
    assert formula.resolved_ambiguous is True and water.resolved_by is None
    zh = _text(pages, f"/listings/{listing.id}")
    assert "硫酸 → 7664-93-9 硫酸（按中文名称识别）" in zh and "请核对" in zh and "7732-18-5" in zh
    assert "成分未声明已全部申报" in zh
    pages.language("en")
    en = _text(pages, f"/listings/{listing.id}")
    assert "硫酸 → 7664-93-9 sulfuric acid (from the Chinese name)" in en and "please check" in en
    assert "(from the formula)" in en and "按中文名称识别" not in en and "请核对" not in en
    assert "Composition not declared complete" in en


def test_not_this_substance_keeps_the_name_and_sticks_until_unticked(pages):
    pages.sign_in("e2")
    listing = _post_acid(pages)
    form = _text(pages, f"/listings/{listing.id}/edit")
    assert "硫酸 → 7664-93-9 硫酸（按中文名称识别）" in form and 'name="composition.0.reject"' in form
    assert "不是该物质" in form and 'name="composition.2.reject"' not in form  # a row with a CAS has nothing to refuse
    assert 'data-fill-cas="no"' in form  # the form's script shows a name's resolution, never types a CAS for it

    res = pages.post(f"/listings/{listing.id}/edit", offer_form(**ACID, **{"composition.0.reject": "1"}))
    assert res.status_code == 302, res.get_data(as_text=True)[:1500]
    pages.session.expire_all()
    acid = pages.session.get(Listing, listing.id).components_in("composition")[0]
    assert (acid.resolved_cas, acid.resolved_by) == (None, REJECTED)
    form = pages.text(f"/listings/{listing.id}/edit")
    assert 'name="composition.0.reject" value="1" data-key="reject" checked' in form
    assert "未识别" in htmllib.unescape(form)
    assert "未识别" in _text(pages, f"/listings/{listing.id}")

    # Saved again with the box still ticked: still refused. Unticked: resolved again.
    pages.post(f"/listings/{listing.id}/edit", offer_form(**ACID, **{"composition.0.reject": "1"}, quantity="160"))
    pages.session.expire_all()
    assert pages.session.get(Listing, listing.id).components_in("composition")[0].resolved_by == REJECTED
    pages.post(f"/listings/{listing.id}/edit", offer_form(**ACID))
    pages.session.expire_all()
    assert pages.session.get(Listing, listing.id).components_in("composition")[0].resolved_cas == "7664-93-9"


def test_a_refused_form_previews_each_names_resolution(pages):
    pages.sign_in("e2")
    pages.language("en")
    res = pages.post("/listings/new", offer_form(**ACID, quantity="-1"))
    assert res.status_code == 422
    html = htmllib.unescape(res.get_data(as_text=True))
    assert "硫酸 → 7664-93-9 sulfuric acid (from the Chinese name)" in html and "Not this substance" in html


def test_composition_declared_complete_is_a_checkbox_of_the_form(pages):
    pages.sign_in("e2")
    blank = pages.text("/listings/new?kind=offer")
    assert 'name="composition_complete"' in blank and "成分已全部申报" in blank
    listing = _post_acid(pages, composition_complete="1")
    assert listing.composition_complete is True
    assert 'name="composition_complete" id="composition_complete" value="1" checked' in pages.text(
        f"/listings/{listing.id}/edit")
    assert "成分已全部申报：已列出全部成分。" in _text(pages, f"/listings/{listing.id}")
    res = pages.post(f"/listings/{listing.id}/edit", offer_form(**ACID))  # unticked
    assert res.status_code == 302
    pages.session.expire_all()
    assert pages.session.get(Listing, listing.id).composition_complete is False


def test_the_forms_lookup_resolves_a_name_as_saving_does(pages):
    assert pages.get("/listings/substance?q=硫酸").status_code == 401
    pages.sign_in("e2")
    pages.language("en")
    body = pages.get("/listings/substance?q=H2SO4").get_json()
    assert body["found"] and body["cas"] == "7664-93-9" and body["resolved_by"] == "formula"
    assert body["how"] == "from the formula" and body["ambiguous"] is False
    assert pages.get("/listings/substance?q=C2H6O").get_json()["ambiguous"] is True
    assert pages.get("/listings/substance?q=mixed sludge").get_json() == {"found": False}
    by_cas = pages.get("/listings/substance?q=7664-93-9").get_json()
    assert by_cas["found"] and by_cas["cas"] == "7664-93-9" and "resolved_by" not in by_cas
    assert pages.get("/listings/substance?q=7664-93-8").get_json()["found"] is False
