"""The enterprise's disclosure pages: generate a year, review, publish; scopes and refusals; the menu entry."""
from __future__ import annotations

import re

from sqlalchemy import select

from marketplace.models.governance import AnnualDisclosure
from tests.marketplace.services.governance.test_disclosures import YEAR, disclosure_world


def _world(pages):
    disclosure_world(pages.session, with_park=False)
    pages.session.commit()


def _current(pages) -> AnnualDisclosure:
    pages.session.expire_all()
    return pages.session.scalars(select(AnnualDisclosure)).one()


def test_the_enterprise_generates_reviews_and_publishes(pages):
    _world(pages)
    pages.sign_in("e2")
    home = pages.text("/disclosures")
    assert "信息披露" in home and 'name="year"' in home
    res = pages.post("/disclosures/generate", {"year": str(YEAR)}, csrf_from="/disclosures")
    assert res.status_code == 302, res.get_data(as_text=True)[:800]
    d = _current(pages)
    assert res.headers["Location"].endswith(f"/disclosures/{d.id}") and d.status == "draft"
    page = pages.text(f"/disclosures/{d.id}")
    assert "25637-99-4" in page and "禁止" in page and "草稿（未公开）" in page
    assert pages.post(f"/disclosures/{d.id}/review", csrf_from="/disclosures").status_code == 302
    assert _current(pages).status == "reviewed"
    assert pages.post(f"/disclosures/{d.id}/publish", csrf_from="/disclosures").status_code == 302
    assert _current(pages).status == "published"
    page = pages.text(f"/disclosures/{d.id}")
    assert f"/public/disclosures/{d.id}" in page and "/review" not in page


def test_refusals_are_shown_and_change_nothing(pages):
    _world(pages)
    pages.sign_in("coord")
    res = pages.post("/disclosures/generate", {"enterprise": "E-2", "year": "1800"}, csrf_from="/disclosures")
    assert res.status_code == 302
    assert "year" in pages.text("/disclosures") or "年份" in pages.text("/disclosures")
    pages.post("/disclosures/generate", {"enterprise": "E-2", "year": str(YEAR)}, csrf_from="/disclosures")
    d = _current(pages)
    pages.post(f"/disclosures/{d.id}/review", csrf_from="/disclosures")  # only the enterprise reviews
    assert _current(pages).status == "draft"
    pages.post(f"/disclosures/{d.id}/publish", csrf_from="/disclosures")  # not reviewed yet
    assert _current(pages).status == "draft"


def test_other_enterprises_do_not_see_it_and_the_menu_has_the_entry(pages):
    _world(pages)
    pages.sign_in("e2")
    pages.post("/disclosures/generate", {"year": str(YEAR)}, csrf_from="/disclosures")
    d = _current(pages)
    pages.client.post("/signout", data={"csrf_token": pages.csrf("/disclosures")})
    pages.sign_in("e3")
    assert pages.get(f"/disclosures/{d.id}").status_code == 404
    assert re.search(r'href="/disclosures"[^>]*>信息披露', pages.text("/disclosures"))
    pages.language("en")
    assert "Disclosure" in pages.text("/disclosures")


def test_signed_out_users_are_sent_to_sign_in(pages):
    res = pages.get("/disclosures")
    assert res.status_code == 302 and "/signin" in res.headers["Location"]
