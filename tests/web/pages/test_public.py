"""The public disclosure pages (no sign-in) and the public API: an anonymous crawl of everything reachable
from ``/public/disclosures`` finds only published disclosures, and none of the secrets planted in the park
(listing titles, descriptions, prices, partners' and other enterprises' names, coordinates, emails, an
unpublished enterprise's licence)."""
from __future__ import annotations

import json
import re
from urllib.parse import urljoin, urlsplit

from sqlalchemy import select

from marketplace.models import User
from marketplace.services.accounts.users import principal_of
from marketplace.services.governance import disclosures
from marketplace.services.listings.interchange import import_document
from tests.factories import API_USERS, PARK
from tests.marketplace.services.governance.test_disclosures import YEAR, disclosure_world

# An enterprise whose draft disclosure is never published, and listings with distinctive texts and prices.
SECRET_CO = {"ref": "E-SECRET", "name": "绝密化工SECRETCO有限公司", "park": "BH", "industry": "2614",
             "industry_name": "Organic chemicals", "province": "天津市", "district": "保密区SECRETDISTRICT",
             "lat": 39.0123457, "lon": 117.6543219,
             "licences": [{"number": "LIC-SECRET-777", "kind": "hw_comprehensive", "categories": ["HW06"],
                           "codes": [], "activities": ["collect", "store", "utilise"], "annual_capacity_t": 100,
                           "valid_from": "2025-01-01", "valid_to": "2029-12-31"}]}
SECRET_OFFER = {"ref": "O-SECRET", "kind": "offer", "enterprise": "E-SECRET", "title": "SECRET-TITLE-OFFER",
                "title_zh": "绝密废溶剂甲", "description": "SECRET-DESCRIPTION-XYZ", "waste_code": "900-402-06",
                "form": "liquid", "composition": [{"name": "toluene", "cas": "108-88-3", "fraction": 0.9}],
                "quantity_t": 77.7, "period": "year", "available_from": "2026-01-01", "price_cny_per_t": 9876.5}
SECRETS = ["绝密化工SECRETCO有限公司", "E-SECRET", "SECRETDISTRICT", "39.0123457", "117.6543219", "LIC-SECRET-777",
           "SECRET-TITLE-OFFER", "绝密废溶剂甲", "SECRET-DESCRIPTION-XYZ", "9876.5",
           # the published garage's own listing and its partner (the receiver E-1), prices and the match
           "Used engine oil", "废机油", "Waste oil for re-refining", "废矿物油再生", "滨海再生资源有限公司", "TJ-HW-0001",
           "E-1", "-800", "39.05", "117.65", "match_id", "/matches", "price"] + [email for email, *_ in API_USERS.values()]
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
LINK = re.compile(r'(?:href|src|action)="([^"]*)"')


def _park_with_secrets(pages) -> int:
    """The disclosure park, a secret enterprise with a draft, and E-2's disclosure published; its id."""
    session = pages.session
    import_document(session, {"format": "wastematch.v1", "parks": [PARK], "enterprises": [SECRET_CO],
                              "listings": [SECRET_OFFER]}, actor="test")
    w = disclosure_world(session, with_park=False)
    users = {u.email: u for u in session.scalars(select(User))}
    admin = principal_of(users[API_USERS["admin"][0]])
    disclosures.generate_disclosure(session, admin, "E-SECRET", YEAR)  # a draft: never public
    d = w.published("E-2")
    session.commit()
    return d.id


def _crawl(pages, start: str) -> dict[str, str]:
    """Every page reachable from ``start`` by its links, signed out: {path: html}."""
    seen: dict[str, str] = {}
    todo = [start]
    while todo:
        url = todo.pop()
        parts = urlsplit(url)
        if parts.scheme or parts.netloc:
            raise AssertionError(f"a public page links to another host: {url}")
        key = parts.path + (f"?{parts.query}" if parts.query else "")
        if key in seen or parts.path.startswith("/static/") or not parts.path:
            continue
        res = pages.client.get(key, follow_redirects=True)
        final = res.request.path
        assert res.status_code == 200, (key, res.status_code)
        assert final.startswith("/public/"), f"{key} led to {final}, not a public page"
        html = res.get_data(as_text=True)
        seen[key] = html
        for link in LINK.findall(html):
            link = link.replace("&amp;", "&")
            if link.startswith(("#", "data:")):
                continue
            todo.append(urljoin(key, link))
    return seen


def test_the_public_pages_need_no_sign_in_and_leak_nothing(pages):
    did = _park_with_secrets(pages)
    crawled = _crawl(pages, "/public/disclosures")
    assert f"/public/disclosures/{did}" in crawled
    assert any(k.startswith("/lang/") or "lang" in k for k in crawled) or len(crawled) >= 2
    public_api = pages.client.get("/api/v1/public/disclosures")
    one = pages.client.get(f"/api/v1/public/disclosures/{did}")
    assert public_api.status_code == 200 and one.status_code == 200
    assert [i["id"] for i in public_api.get_json()["items"]] == [did]
    texts = list(crawled.values()) + [json.dumps(public_api.get_json(), ensure_ascii=False),
                                      json.dumps(one.get_json(), ensure_ascii=False)]
    for text in texts:
        assert "signin" not in text and "/signout" not in text
        assert not EMAIL.search(text), EMAIL.search(text)
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} leaked: {text[max(0, text.find(secret) - 150):text.find(secret) + 50]}"
    page = crawled[f"/public/disclosures/{did}"]
    assert "开发区汽车维修中心" in page and "25637-99-4" in page and "HBCDD" in page and "900-214-08" in page


def test_unpublished_and_unknown_disclosures_are_404(pages):
    _park_with_secrets(pages)
    draft = pages.session.scalars(select(disclosures.AnnualDisclosure).where(
        disclosures.AnnualDisclosure.status == "draft")).one()
    assert pages.get(f"/public/disclosures/{draft.id}").status_code == 404
    assert pages.client.get(f"/api/v1/public/disclosures/{draft.id}").status_code == 404
    assert pages.get("/public/disclosures/999999").status_code == 404


def test_the_list_filters_by_park_and_year_and_speaks_english(pages):
    did = _park_with_secrets(pages)
    assert f"/public/disclosures/{did}" in pages.text(f"/public/disclosures?park=BH&year={YEAR}")
    assert f"/public/disclosures/{did}" not in pages.text(f"/public/disclosures?year={YEAR - 1}")
    pages.language("en")
    page = pages.text(f"/public/disclosures/{did}")
    assert "annual environmental disclosure" in page and "banned" in page
    # English only: the substance by its English name, the violation's detail without its Chinese half
    assert "Hexabromocyclododecane" in page or "HBCDD" in page
    assert "六溴环十二烷" not in page and "使用禁用物质" not in page
    assert 'name="viewport"' in page and "table.doc" in page  # tables become cards on a phone
