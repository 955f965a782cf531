"""``/listings`` through the API: every endpoint's happy path, 401/403/404/409/422, and confidentiality."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select

from marketplace.models import Listing, Match

OFFER = {"kind": "offer", "title": "Spent solvent", "title_zh": "废有机溶剂", "waste_code": "900-402-06",
         "form": "liquid", "quantity_t": 40, "composition": [{"name": "toluene", "cas": "108-88-3", "fraction": 0.7}]}
NEED = {"kind": "need", "title_zh": "废矿物油再生原料", "forms": ["liquid"], "purpose": "recycle", "quantity_t": 500,
        "max_distance_km": 100, "wanted": [{"cas": "64742-54-7", "min_fraction": 0.5}]}


def _ids(api) -> dict[str, int]:
    return dict(api.session.execute(select(Listing.ref, Listing.id)).all())


def _match(api, offer: str, need: str, status: str, tonnes: float = 100.0) -> None:
    ids = _ids(api)
    api.session.add(Match(offer_id=ids[offer], need_id=ids[need], source="run", status=status, quantity_t=tonnes,
                          weight=100, score=100 * tonnes, distance_km=9, similarity=0.8, checks=[], reasons=[],
                          terms={}, approved_at=dt.datetime.now(dt.timezone.utc) if status == "approved" else None))
    api.session.commit()


# --- POST /listings ------------------------------------------------------------------------

def test_post_listing(api):
    res = api.post("listings", "e2", json=OFFER)
    assert res.status_code == 201, res.json
    assert res.json["identified"] and res.json["enterprise"]["ref"] == "E-2" and res.json["ref"].startswith("O-")
    assert res.json["hw_category"] == "HW06" and res.json["composition"][0]["cas"] == "108-88-3"
    assert dt.datetime.fromisoformat(res.json["created_at"]).tzinfo is not None
    assert all(dt.datetime.fromisoformat(x["created_at"]).tzinfo for x in api.get("listings", "e2").json["items"])
    need = api.post("listings", "coord", json={**NEED, "ref": "N-BH-7", "enterprise": "E-1"})
    assert need.status_code == 201 and need.json["ref"] == "N-BH-7"
    assert api.get(f"listings/{res.json['id']}", "e2").status_code == 200


def test_post_listing_refusals(api):
    assert api.post("listings", json=OFFER).status_code == 401
    assert api.post("listings", "e2", json={**OFFER, "enterprise": "E-1"}).status_code == 403
    assert api.post("listings", "coord", json={**OFFER, "enterprise": "E-4"}).status_code == 403
    assert api.post("listings", "e2", json={**OFFER, "ref": "N-1"}).status_code == 409
    bad = api.post("listings", "e2", json={**OFFER, "quantity_t": -1, "form": "slurry", "waste_code": "9-9"})
    assert bad.status_code == 422 and set(bad.json["errors"]["json"]) == {"quantity_t", "form", "waste_code"}
    need = api.post("listings", "e2", json={"kind": "need", "quantity_t": 3})
    assert need.status_code == 422 and {"title", "forms", "purpose"} <= set(need.json["errors"]["json"])
    unknown = api.post("listings", "e2", json={**OFFER, "colour": "black"})
    assert unknown.status_code == 422 and "colour" in unknown.json["errors"]["json"]
    no_owner = api.post("listings", "coord", json=OFFER)
    assert no_owner.status_code == 422 and "enterprise" in no_owner.json["errors"]
    assert api.session.scalar(select(Listing).where(Listing.title == "Spent solvent")) is None


# --- GET /listings -------------------------------------------------------------------------

def test_search(api):
    res = api.get("listings", "e2")
    assert res.status_code == 200 and res.json["total"] == 4
    assert [x["identified"] for x in res.json["items"]].count(True) == 1
    q = lambda **kw: api.get("listings", "e2", query_string=kw).json  # noqa: E731
    assert q(kind="need")["total"] == 2
    assert q(park="NK")["total"] == 1
    assert q(waste_code="900-214-08")["total"] == 2
    assert q(category="hw08")["total"] == 2
    assert q(q="润滑")["total"] == 1
    assert [x["ref"] for x in q(mine="true")["items"]] == ["O-1"]
    assert q(enterprise="E-2")["total"] == 1
    near = q(within_km=8)
    # Anonymised listings show their distance band (E-3 at 5.5 km, E-1 at 9 km: both "5–10 km") and a radius
    # finds them as their band reaches into it, so radii cannot measure them more finely (issue 18).
    assert [x["distance_km"] for x in near["items"]] == [0.0, 10.0, 10.0]
    assert [x.get("distance_band") for x in near["items"]] == [None, "5–10 km", "5–10 km"]
    assert q(within_km=5.4)["total"] == q(within_km=9.9)["total"]
    by_point = api.get("listings", "coord", query_string={"near": "38.76,117.52"}).json["items"]
    assert by_point[0]["park"] == "NK"
    assert q(per_page=1, page=3)["items"][0]["id"] and q(per_page=1)["pages"] == 4


def test_search_refusals(api):
    assert api.get("listings").status_code == 401
    for args, field in (({"category": "oil"}, "category"), ({"near": "north"}, "near"), ({"near": "91,0"}, "near"),
                        ({"within_km": -1}, "within_km"), ({"kind": "swap"}, "kind"), ({"status": "gone"}, "status"),
                        ({"per_page": 101}, "per_page")):
        res = api.get("listings", "e2", query_string=args)
        assert res.status_code == 422 and field in res.json["errors"]["query"], args
    assert api.get("listings", "e2", query_string={"park": "ZZ"}).status_code == 422
    assert api.get("listings", "coord", query_string={"within_km": 5}).status_code == 422
    assert api.get("listings", "coord", query_string={"mine": "true"}).status_code == 422
    assert api.get("listings", "e2", query_string={"enterprise": "E-1"}).status_code == 403
    assert api.get("listings", "coord", query_string={"enterprise": "E-4"}).status_code == 403


# --- GET/PATCH /listings/<id> --------------------------------------------------------------

def test_get_one(api):
    ids = _ids(api)
    mine = api.get(f"listings/{ids['O-1']}", "e2")
    assert mine.status_code == 200 and mine.json["ref"] == "O-1" and mine.json["price_cny_per_t"] == -800
    other = api.get(f"listings/{ids['N-1']}", "e2")
    assert other.status_code == 200 and not other.json["identified"] and "price_cny_per_t" not in other.json
    assert api.get(f"listings/{ids['N-1']}").status_code == 401
    assert api.get("listings/999999", "e2").status_code == 404
    assert api.get(f"listings/{2**70}", "e2").status_code == 404  # beyond the id column: still a plain 404
    api.post(f"listings/{ids['N-1']}/pause", "e1")
    assert api.get(f"listings/{ids['N-1']}", "e2").status_code == 404
    assert api.get(f"listings/{ids['N-1']}", "coord").json["status"] == "paused"


def test_patch(api):
    o1 = _ids(api)["O-1"]
    res = api.patch(f"listings/{o1}", "e2", json={"quantity_t": 320, "title_zh": "废发动机油"})
    assert res.status_code == 200 and res.json["quantity_t"] == 320 and res.json["title_zh"] == "废发动机油"
    assert api.patch(f"listings/{o1}", json={"quantity_t": 1}).status_code == 401
    assert api.patch(f"listings/{o1}", "e3", json={"quantity_t": 1}).status_code == 403
    assert api.patch("listings/999999", "e2", json={"quantity_t": 1}).status_code == 404
    bad = api.patch(f"listings/{o1}", "e2", json={"quantity_t": 0, "kind": "need"})
    assert bad.status_code == 422 and set(bad.json["errors"]["json"]) == {"quantity_t", "kind"}
    whole = api.patch(f"listings/{o1}", "e2", json={"form": None})
    assert whole.status_code == 422 and "form" in whole.json["errors"]
    _match(api, "O-1", "N-1", "approved", tonnes=200)
    short = api.patch(f"listings/{o1}", "e2", json={"quantity_t": 150})
    assert short.status_code == 409 and "quantity_t" in short.json["errors"]
    api.post(f"listings/{o1}/close", "e2")
    assert api.patch(f"listings/{o1}", "e2", json={"quantity_t": 400}).status_code == 409


# --- pause / resume / close ----------------------------------------------------------------

def test_status_changes(api):
    o1 = _ids(api)["O-1"]
    _match(api, "O-1", "N-1", "proposed")
    paused = api.post(f"listings/{o1}/pause", "e2", json={"reason": "maintenance"})
    assert paused.status_code == 200 and paused.json["status"] == "paused" and paused.json["cancelled_matches"] == 1
    assert api.session.scalar(select(Match.status).where(Match.offer_id == o1)) == "cancelled"
    assert api.post(f"listings/{o1}/pause", "e2").status_code == 409
    assert api.post(f"listings/{o1}/resume", "e2").json["status"] == "active"
    assert api.post(f"listings/{o1}/resume", "e2").status_code == 409
    assert api.post(f"listings/{o1}/close", "coord").json["status"] == "closed"
    for action in ("pause", "resume", "close"):
        assert api.post(f"listings/{o1}/{action}", "e2").status_code == 409
        assert api.post(f"listings/{o1}/{action}").status_code == 401
        assert api.post(f"listings/999999/{action}", "e2").status_code == 404
    n1 = _ids(api)["N-1"]
    assert api.post(f"listings/{n1}/pause", "e2").status_code == 403
    assert api.post(f"listings/{n1}/pause", "coord_nk").status_code == 403
    long = api.post(f"listings/{n1}/pause", "e1", json={"reason": "x" * 501})
    assert long.status_code == 422 and "reason" in long.json["errors"]["json"]


# --- recommendations -----------------------------------------------------------------------

def test_recommendations(api):
    ids = _ids(api)
    res = api.get(f"listings/{ids['O-1']}/recommendations", "e2", query_string={"top": 3})
    assert res.status_code == 200 and res.json["listing"] == ids["O-1"] and res.json["kind"] == "offer"
    recs = res.json["recommendations"]
    assert 1 <= len(recs) <= 3 and recs[0]["listing"] == ids["N-1"]
    assert {"listing", "enterprise", "score", "distance_km", "quantity_t", "checks", "reasons", "weight",
            "similarity", "terms", "counterpart"} <= set(recs[0])
    assert all(c["passed"] for c in recs[0]["checks"] if c["hard"])  # never a pair failing a hard check
    assert api.get(f"listings/{ids['O-1']}/recommendations").status_code == 401
    assert api.get(f"listings/{ids['O-1']}/recommendations", "e3").status_code == 403
    assert api.get("listings/999999/recommendations", "e2").status_code == 404
    for top in (0, 51, "many"):
        bad = api.get(f"listings/{ids['O-1']}/recommendations", "e2", query_string={"top": top})
        assert bad.status_code == 422 and "top" in bad.json["errors"]["query"]
    api.post(f"listings/{ids['O-2']}/pause", "e3")
    assert api.get(f"listings/{ids['O-2']}/recommendations", "e2").status_code == 404
    api.post(f"listings/{ids['O-1']}/close", "e2")
    assert api.get(f"listings/{ids['O-1']}/recommendations", "e2").status_code == 409


def test_openapi_lists_the_listing_endpoints(api):
    paths = api.get("/api/v1/openapi.json").json["paths"]
    assert set(paths["/api/v1/listings"]) >= {"get", "post"}
    assert set(paths["/api/v1/listings/{listing_id}"]) >= {"get", "patch"}
    for action in ("pause", "resume", "close"):
        assert "post" in paths[f"/api/v1/listings/{{listing_id}}/{action}"]
    assert "get" in paths["/api/v1/listings/{listing_id}/recommendations"]


# --- confidentiality -----------------------------------------------------------------------

OTHERS_SECRETS = ("滨海再生资源有限公司", "滨海机动车检测维修有限公司", "南港水泥有限公司", "E-1", "E-3", "E-4",
                  "TJ-HW-0001", "TJ-HW-0002", "N-1", "O-2", "N-2")
# Exact sites of E-1 (39.0, 117.7), E-3 (39.08, 117.68) and E-4 (38.76, 117.52).
OTHERS_SITES = {(39.0, 117.7), (39.08, 117.68), (38.76, 117.52)}


def _sites(value: Any) -> set[tuple[float, float]]:
    """Every (lat, lon) pair anywhere in a JSON value."""
    out: set[tuple[float, float]] = set()
    if isinstance(value, dict):
        if "lat" in value and "lon" in value:
            out.add((value["lat"], value["lon"]))
        for v in value.values():
            out |= _sites(v)
    elif isinstance(value, list):
        for v in value:
            out |= _sites(v)
    return out


def _assert_nothing_leaks(responses: list, secrets=OTHERS_SECRETS, sites=OTHERS_SITES) -> None:
    for res in responses:
        text = json.dumps(res.json, ensure_ascii=False)
        for secret in secrets:
            assert secret not in text, (secret, res.request.path, text[:500])
        for number in ("39.08", "117.68", "38.76", "117.52"):
            assert number not in text, (number, res.request.path)
        assert not (_sites(res.json) & sites), res.request.path


def test_an_enterprise_user_learns_nothing_about_others(api):
    ids = _ids(api)
    # Titles and component names that carry the owner's name and refs must be scrubbed too.
    api.patch(f"listings/{ids['N-1']}", "e1", json={"title": "滨海再生资源有限公司 N-1 intake (licence TJ-HW-0001)"})
    api.post(f"listings/{ids['O-2']}/pause", "e3")
    responses = [api.get("listings", "e2", query_string={"per_page": 100})]
    for args in ({"kind": "need"}, {"within_km": 100}, {"near": "38.76,117.52"}, {"q": "intake"},
                 {"category": "HW08"}, {"park": "NK"}):
        responses.append(api.get("listings", "e2", query_string=args))
    for ref in ("N-1", "N-2", "O-2"):
        responses.append(api.get(f"listings/{ids[ref]}", "e2"))
        responses.append(api.get(f"listings/{ids[ref]}/recommendations", "e2"))
        responses.append(api.patch(f"listings/{ids[ref]}", "e2", json={"quantity_t": 1}))
        responses.append(api.post(f"listings/{ids[ref]}/close", "e2"))
    responses.append(api.get(f"listings/{ids['O-1']}/recommendations", "e2", query_string={"top": 50}))
    responses += [api.get("enterprises", "e2"), api.get("enterprises/E-1", "e2"), api.get("enterprises/E-4", "e2"),
                  api.get("enterprises/E-1/licences", "e2"), api.patch("enterprises/E-3", "e2", json={"name": "x"}),
                  api.post("listings", "e2", json={**OFFER, "enterprise": "E-1"}),
                  api.post("listings", "e2", json={**OFFER, "ref": "N-1"}),
                  api.get("listings", "e2", query_string={"enterprise": "E-1"})]
    assert {r.status_code for r in responses} == {200, 403, 404, 409}
    recs = responses[-9].json["recommendations"]
    assert recs and all(r["enterprise"] is None and not r["counterpart"]["identified"] for r in recs)
    _assert_nothing_leaks(responses)


def test_mutual_acceptance_discloses_the_partner_only(api):
    ids = _ids(api)
    _match(api, "O-1", "N-1", "accepted")
    view = api.get(f"listings/{ids['N-1']}", "e2").json
    assert view["identified"] and view["enterprise"]["ref"] == "E-1"
    recs = api.get(f"listings/{ids['O-1']}/recommendations", "e2").json["recommendations"]
    by_id = {r["listing"]: r for r in recs}
    assert by_id[ids["N-1"]]["enterprise"] == "E-1"
    _assert_nothing_leaks([api.get("listings", "e2"), api.get(f"listings/{ids['O-1']}/recommendations", "e2")],
                          secrets=("南港水泥有限公司", "E-3", "E-4", "TJ-HW-0002", "O-2", "N-2"),
                          sites={(39.08, 117.68), (38.76, 117.52)})


def test_a_coordinator_sees_names_in_their_park_only(api):
    ids = _ids(api)
    search = api.get("listings", "coord", query_string={"per_page": 100}).json["items"]
    shown = {x["id"]: x for x in search}
    for ref in ("O-1", "N-1", "O-2"):
        assert shown[ids[ref]]["identified"] and shown[ids[ref]]["ref"] == ref
    assert not shown[ids["N-2"]]["identified"]
    recs = api.get(f"listings/{ids['O-1']}/recommendations", "coord", query_string={"top": 10}).json
    by_id = {r["listing"]: r for r in recs["recommendations"]}
    assert by_id[ids["N-1"]]["enterprise"] == "E-1" and by_id[ids["N-1"]]["licence"] == "TJ-HW-0001"
    responses = [api.get("listings", "coord", query_string={"park": "NK"}),
                 api.get(f"listings/{ids['N-2']}", "coord"),
                 api.get(f"listings/{ids['N-2']}/recommendations", "coord"),
                 api.get("enterprises/E-4", "coord")]
    # The NK kiln is a counterpart in another park: anonymised, its licence number scrubbed from every check.
    assert by_id[ids["N-2"]]["enterprise"] is None and not by_id[ids["N-2"]]["counterpart"]["identified"]
    assert by_id[ids["N-2"]]["licence"] == "[许可证] ([licence])"
    text = json.dumps(by_id[ids["N-2"]], ensure_ascii=False)
    assert "TJ-HW-0002" not in text and "南港水泥有限公司" not in text and "E-4" not in text
    _assert_nothing_leaks(responses, secrets=("南港水泥有限公司", "E-4", "TJ-HW-0002", "N-2"),
                          sites={(38.76, 117.52)})


def test_an_admin_sees_everything(api):
    ids = _ids(api)
    items = api.get("listings", "admin").json["items"]
    assert all(x["identified"] for x in items)
    assert {x["enterprise"]["ref"] for x in items} == {"E-1", "E-2", "E-3", "E-4"}
    recs = api.get(f"listings/{ids['O-1']}/recommendations", "admin").json["recommendations"]
    assert recs and all(r["enterprise"] is not None and r["counterpart"]["identified"] for r in recs)


def test_nul_characters_are_a_422_naming_the_field(api):
    # PostgreSQL refuses NUL in text and JSON: without the check these were 500s there.
    res = api.get("listings", "e2", query_string={"q": "oil\x00"})
    assert res.status_code == 422 and "q" in res.json["errors"]["query"]
    res = api.post("listings", "e2", json={**OFFER, "composition": [{"name": "tol\x00uene", "fraction": 0.5}]})
    assert res.status_code == 422 and "composition" in res.json["errors"]["json"]
    o1 = _ids(api)["O-1"]
    res = api.patch(f"listings/{o1}", "e2", json={"title": "a\x00b"})
    assert res.status_code == 422 and "title" in res.json["errors"]["json"]
    res = api.post(f"listings/{o1}/pause", "e2", json={"reason": "x\x00"})
    assert res.status_code == 422 and "reason" in res.json["errors"]["json"]
    assert api.get(f"listings/{o1}", "e2").json["status"] == "active"
