"""``/enterprises`` and their licences through the API: scope, 401/403/404/409/422, audit."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from marketplace.models import AuditEvent, Listing, Match

NEW = {"ref": "E-9", "name": "新材料科技有限公司", "park": "BH", "industry": "2614", "lat": 39.1, "lon": 117.6}
LICENCE = {"number": "TJ-HW-0100", "kind": "hw_comprehensive", "categories": ["HW08"],
           "activities": ["collect", "store", "utilise"], "annual_capacity_t": 300, "valid_from": "2025-01-01",
           "valid_to": "2027-12-31"}


def _refs(res) -> list[str]:
    assert res.status_code == 200, res.json
    return [e["ref"] for e in res.json["items"]]


def test_list_is_scoped_by_role(api):
    assert _refs(api.get("enterprises", "admin")) == ["E-1", "E-2", "E-3", "E-4"]
    assert _refs(api.get("enterprises", "coord")) == ["E-1", "E-2", "E-3"]
    assert _refs(api.get("enterprises", "e2")) == ["E-2"]
    assert _refs(api.get("enterprises", "admin", query_string={"park": "NK"})) == ["E-4"]
    assert _refs(api.get("enterprises", "coord", query_string={"search": "再生"})) == ["E-1"]
    page = api.get("enterprises", "admin", query_string={"per_page": 3, "page": 2}).json
    assert page["total"] == 4 and page["pages"] == 2 and len(page["items"]) == 1
    assert api.get("enterprises").status_code == 401
    bad = api.get("enterprises", "admin", query_string={"per_page": 0})
    assert bad.status_code == 422 and "per_page" in bad.json["errors"]["query"]
    assert api.get("enterprises", "admin", query_string={"park": "ZZ"}).status_code == 404


def test_get_one_hides_what_the_caller_may_not_see(api):
    own = api.get("enterprises/E-1", "e1")
    assert own.status_code == 200 and own.json["licences"][0]["number"] == "TJ-HW-0001"
    hidden, missing = api.get("enterprises/E-1", "e2"), api.get("enterprises/E-404", "e2")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json == missing.json  # the same answer: existence is not revealed
    assert api.get("enterprises/E-4", "coord").status_code == 404
    assert api.get("enterprises/E-4", "coord_nk").json["park"] == "NK"
    assert api.get("enterprises/E-1").status_code == 401


def test_create(api):
    res = api.post("enterprises", "coord", json={**NEW, "licences": [LICENCE]})
    assert res.status_code == 201 and res.json["park"] == "BH" and res.json["licences"][0]["number"] == "TJ-HW-0100"
    event = api.session.scalars(select(AuditEvent).where(AuditEvent.entity_key == "E-9")).one()
    assert event.park_id is not None and event.actor == "coordinator:coord-bh@wm.test"
    assert api.post("enterprises", "coord", json=NEW).status_code == 409
    assert api.post("enterprises", "coord", json={**NEW, "ref": "E-10", "park": "NK"}).status_code == 403
    assert api.post("enterprises", "e2", json={**NEW, "ref": "E-10"}).status_code == 403
    assert api.post("enterprises", json=NEW).status_code == 401
    bad = api.post("enterprises", "admin", json={"ref": "E-11", "lat": 120, "industry": "cement"})
    assert bad.status_code == 422 and set(bad.json["errors"]["json"]) == {"name", "lat", "lon", "industry"}
    no_park = api.post("enterprises", "coord", json={**NEW, "ref": "E-12", "park": None})
    assert no_park.status_code == 422 and "park" in no_park.json["errors"]
    bad_licence = api.post("enterprises", "admin", json={**NEW, "ref": "E-13", "licences": [
        {**LICENCE, "categories": ["HW99"]}]})
    assert bad_licence.status_code == 422 and "categories" in bad_licence.json["errors"]["json"]["licences"]["0"]


def test_patch(api):
    res = api.patch("enterprises/E-2", "e2", json={"name": "开发区汽车维修服务中心", "district": "塘沽"})
    assert res.status_code == 200 and res.json["district"] == "塘沽"
    moved = api.patch("enterprises/E-2", "e2", json={"park": "NK"})
    assert moved.status_code == 403 and "park" in moved.json["errors"]
    assert api.patch("enterprises/E-1", "e2", json={"name": "x"}).status_code == 404
    bad = api.patch("enterprises/E-2", "e2", json={"lat": 100, "ref": "E-99"})
    assert bad.status_code == 422 and set(bad.json["errors"]["json"]) == {"lat", "ref"}
    assert api.patch("enterprises/E-2", json={"name": "x"}).status_code == 401
    assert api.patch("enterprises/E-2", "coord", json={"park": "NK"}).status_code == 403
    assert api.patch("enterprises/E-2", "admin", json={"park": "NK"}).json["park"] == "NK"
    assert api.get("enterprises/E-2", "coord").status_code == 404  # no longer in the coordinator's park


def test_patch_refuses_a_self_move_of_the_site_and_overlong_text(api):
    ids = dict(api.session.execute(select(Listing.ref, Listing.id)).all())
    before = api.get(f"listings/{ids['N-1']}", "e2").json["distance_km"]
    moved = api.patch("enterprises/E-2", "e2", json={"lat": 39.3, "lon": 117.9})
    assert moved.status_code == 403 and set(moved.json["errors"]) == {"lat", "lon"}
    assert api.get(f"listings/{ids['N-1']}", "e2").json["distance_km"] == before  # no new vantage point
    assert api.patch("enterprises/E-2", "coord", json={"lat": 39.06}).json["lat"] == 39.06
    long = api.patch("enterprises/E-2", "e2", json={"district": "x" * 101})
    assert long.status_code == 422 and "district" in long.json["errors"]["json"]  # not a 500 on PostgreSQL
    new = api.post("enterprises", "admin", json={**NEW, "province": "p" * 51})
    assert new.status_code == 422 and "province" in new.json["errors"]["json"]


def test_licences(api):
    assert [x["number"] for x in api.get("enterprises/E-1/licences", "e1").json["items"]] == ["TJ-HW-0001"]
    assert api.get("enterprises/E-1/licences", "e2").status_code == 404
    assert api.get("enterprises/E-1/licences").status_code == 401
    res = api.post("enterprises/E-3/licences", "coord", json=LICENCE)
    assert res.status_code == 201 and res.json["valid_to"] == "2027-12-31"
    assert api.post("enterprises/E-3/licences", "coord", json=LICENCE).status_code == 409
    assert api.post("enterprises/E-1/licences", "e1", json={**LICENCE, "number": "X-1"}).status_code == 403
    assert api.post("enterprises/E-4/licences", "coord", json={**LICENCE, "number": "X-1"}).status_code == 404
    bad = api.post("enterprises/E-3/licences", "coord", json={**LICENCE, "number": "X-2", "kind": "other"})
    assert bad.status_code == 422 and set(bad.json["errors"]["json"]) == {"kind"}
    empty = api.post("enterprises/E-3/licences", "coord", json={**LICENCE, "number": "X-2", "categories": []})
    assert empty.status_code == 422 and set(empty.json["errors"]["json"]) == {"categories"}
    event = api.session.scalars(select(AuditEvent).where(AuditEvent.entity_key == "TJ-HW-0100")).one()
    assert event.park_id is not None


def test_licence_patch(api):
    ok = api.patch("enterprises/E-1/licences/TJ-HW-0001", "coord", json={"annual_capacity_t": 4000})
    assert ok.status_code == 200 and ok.json["annual_capacity_t"] == 4000
    bad = api.patch("enterprises/E-1/licences/TJ-HW-0001", "coord", json={"valid_to": "2020-01-01"})
    assert bad.status_code == 422 and "valid_to" in bad.json["errors"]
    neg = api.patch("enterprises/E-1/licences/TJ-HW-0001", "coord", json={"annual_capacity_t": -5})
    assert neg.status_code == 422 and "annual_capacity_t" in neg.json["errors"]["json"]
    assert api.patch("enterprises/E-1/licences/TJ-HW-0002", "coord", json={"annual_capacity_t": 1}).status_code == 404
    assert api.patch("enterprises/E-1/licences/TJ-HW-0001", "e1", json={"annual_capacity_t": 1}).status_code == 403
    assert api.patch("enterprises/E-1/licences/TJ-HW-0001", json={"annual_capacity_t": 1}).status_code == 401
    ids = dict(api.session.execute(select(Listing.ref, Listing.id)).all())
    api.session.add(Match(offer_id=ids["O-1"], need_id=ids["N-1"], source="run", status="approved", quantity_t=250,
                          weight=100, score=25000, distance_km=9, similarity=0.8, licence_number="TJ-HW-0001",
                          checks=[], reasons=[], terms={}, approved_at=dt.datetime.now(dt.timezone.utc)))
    api.session.commit()
    over = api.patch("enterprises/E-1/licences/TJ-HW-0001", "coord", json={"annual_capacity_t": 100})
    assert over.status_code == 409 and "annual_capacity_t" in over.json["errors"]


def test_openapi_lists_the_enterprise_endpoints(api):
    paths = api.get("/api/v1/openapi.json").json["paths"]
    assert set(paths["/api/v1/enterprises"]) >= {"get", "post"}
    assert set(paths["/api/v1/enterprises/{ref}"]) >= {"get", "patch"}
    assert set(paths["/api/v1/enterprises/{ref}/licences"]) >= {"get", "post"}
    assert "patch" in paths["/api/v1/enterprises/{ref}/licences/{number}"]


def test_nul_characters_are_a_422_or_unknown(api):
    res = api.get("enterprises", "e2", query_string={"search": "a\x00"})
    assert res.status_code == 422 and "search" in res.json["errors"]["query"]
    res = api.patch("enterprises/E-2", "e2", json={"district": "a\x00"})
    assert res.status_code == 422 and "district" in res.json["errors"]["json"]
    res = api.post("enterprises", "admin", json={**NEW, "licences": [{**LICENCE, "number": "X\x00"}]})
    assert res.status_code == 422 and "licences" in res.json["errors"]["json"]
    res = api.post("enterprises/E-3/licences", "coord", json={**LICENCE, "number": "X\x00"})
    assert res.status_code == 422 and "number" in res.json["errors"]["json"]
    assert api.get("enterprises/E-%002", "e2").status_code == 404  # a ref in the path: unknown, not a 500
