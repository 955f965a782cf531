"""Nothing about another enterprise leaks to an enterprise user, through any endpoint.

The crawl walks the OpenAPI document: every GET operation is called as an enterprise
user with every id the database holds substituted into its path (its own, other
enterprises', unknown ones), and every write operation is attempted on other
enterprises' resources to harvest the error responses too. Each response body must
be free of the other enterprises' names, refs, licence numbers, listing refs and
exact coordinates, unless mutual acceptance of a match has disclosed them.
"""
from __future__ import annotations

import itertools
import json
import re
from typing import Any

from sqlalchemy import select

from marketplace.models import Enterprise, Listing, Match, MatchRun, Notification, User
from marketplace.services.accounts.disclosure import coarse_position
from tests.factories import NEED, OFFER

PARAM = re.compile(r"\{(\w+)\}")
CJK = re.compile(r"[\u3400-\u9fff]")


def secrets_hidden_from(api, enterprise_ref: str, disclosed: set[str] = frozenset()) -> dict[str, Any]:
    """What enterprise ``enterprise_ref`` must not see: per other enterprise its name, ref, licences,
    listing refs and site — except the enterprises in ``disclosed``."""
    words, sites = set(), set()
    for ent in api.session.scalars(select(Enterprise)):
        if ent.ref == enterprise_ref or ent.ref in disclosed:
            continue
        words |= {ent.name, ent.ref, *(lic.number for lic in ent.licences)}
        words |= set(api.session.scalars(select(Listing.ref).where(Listing.enterprise_id == ent.id)))
        # A site on the coarse grid is what an anonymised view shows by design (the map's cells,
        # distance probes); it is a secret only where it says more than its grid cell.
        if (ent.lat, ent.lon) != coarse_position(ent.lat, ent.lon):
            sites.add((ent.lat, ent.lon))
    return {"words": words, "sites": sites}


def leaks(body: Any, secrets: dict[str, Any]) -> list[str]:
    """Secret words found in the JSON text (as whole tokens) and secret sites found as lat/lon pairs."""
    text = json.dumps(body, ensure_ascii=False)
    # Chinese names are looked for anywhere (no word boundaries); refs and numbers as whole tokens.
    found = [w for w in secrets["words"]
             if (w in text if CJK.search(w) else re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text))]

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if (value.get("lat"), value.get("lon")) in secrets["sites"]:
                found.append(f"site {value.get('lat')},{value.get('lon')}")
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
    walk(body)
    return found


def _busy_park(api) -> None:
    """Proposals from a park-wide run and a one-click request, a new listing (notifications), a decision."""
    assert api.post("match-runs", "admin", json={}).status_code == 201
    new = dict(OFFER, ref="O-9", enterprise="E-4", title="Spent lube oil from kiln gearboxes",
               title_zh="南港水泥有限公司废齿轮油")  # the owner's name in its own title: must be scrubbed for others
    new.pop("kind")
    res = api.post("listings", "e4", json={**new, "kind": "offer"})
    assert res.status_code == 201, res.json


def _ids(api) -> dict[str, list[Any]]:
    s = api.session
    return {
        "listing_id": list(s.scalars(select(Listing.id))) + [999_999],
        "match_id": list(s.scalars(select(Match.id))) + [999_999],
        "run_id": list(s.scalars(select(MatchRun.id))) + [999_999],
        "notification_id": list(s.scalars(select(Notification.id))) + [999_999],
        "user_id": list(s.scalars(select(User.id))) + [999_999],
        "ref": list(s.scalars(select(Enterprise.ref))) + ["E-404"],
        "number": ["TJ-HW-0001", "TJ-HW-0002", "NOPE"],
        "code": ["BH", "NK", "900-214-08", "ZZ"],
        "query": ["7439-92-1"],
    }


def _crawl(api, as_: str) -> list[tuple[str, int, Any]]:
    doc = api.get("/api/v1/openapi.json").json
    ids = _ids(api)
    out = []
    for path, ops in doc["paths"].items():
        params = PARAM.findall(path)
        for combo in itertools.product(*(ids.get(p, ["x"]) for p in params)):
            url = path
            for name, value in zip(params, combo):
                url = url.replace("{" + name + "}", str(value))
            for method in ops:
                if method == "get":
                    res = api.get(url, as_, query_string={"per_page": 100})
                elif method == "delete":
                    continue  # signing out would end the crawl
                else:
                    # Empty and junk bodies on other people's resources: harvest the refusals.
                    res = api.call(method.upper(), url, as_, json={"action": "approve", "reason": "x"})
                    out.append((f"{method.upper()} {url}", res.status_code, res.get_json(silent=True)))
                    continue
                out.append((f"GET {url}", res.status_code, res.get_json(silent=True)))
    return out


def test_nothing_leaks_to_an_enterprise_user_through_any_endpoint(api):
    _busy_park(api)
    secrets = secrets_hidden_from(api, "E-2")
    assert {"滨海再生资源有限公司", "E-4", "TJ-HW-0002", "N-1"} <= secrets["words"]
    responses = _crawl(api, "e2")
    assert len(responses) > 150
    assert all(code < 500 for _, code, _ in responses), [r[:2] for r in responses if r[1] >= 500]
    found = {what: leaks(body, secrets) for what, _, body in responses if leaks(body, secrets)}
    assert found == {}
    # The detector is not blind: the park's coordinator is shown exactly these secrets.
    assert leaks(api.get("listings", "coord", query_string={"per_page": 100}).json, secrets)
    # The crawl did see other enterprises' listings, only anonymised.
    seen = api.get("listings", "e2", query_string={"per_page": 100}).json["items"]
    assert any(not x["identified"] for x in seen) and all("enterprise" not in x for x in seen if not x["identified"])


def test_recommendations_for_an_enterprise_are_anonymised(api):
    o1 = api.session.scalar(select(Listing.id).where(Listing.ref == "O-1"))
    res = api.get(f"listings/{o1}/recommendations", "e2")
    assert res.status_code == 200 and res.json
    recs = [r for result in (res.json if isinstance(res.json, list) else [res.json]) for r in
            (result.get("recommendations") or result.get("items") or [])]
    assert recs, res.json
    assert leaks(res.json, secrets_hidden_from(api, "E-2")) == []
    # The coordinator of the park sees who the counterparts are.
    coord = api.get(f"listings/{o1}/recommendations", "coord").json
    assert "E-1" in json.dumps(coord, ensure_ascii=False)


def test_mutual_acceptance_discloses_both_parties_to_each_other_only(api):
    o1 = api.session.scalar(select(Listing.id).where(Listing.ref == "O-1"))
    n1 = api.session.scalar(select(Listing.id).where(Listing.ref == "N-1"))
    made = api.post("matches", "e2", json={"offer": o1, "need": n1})
    assert made.status_code == 201, made.json
    match_id = made.json["id"]
    assert leaks(api.get(f"matches/{match_id}", "e2").json, secrets_hidden_from(api, "E-2")) == []
    for who in ("e2", "e1"):
        res = api.post(f"matches/{match_id}/decisions", who, json={"action": "accept"})
        assert res.status_code == 200, res.json
    view = json.dumps(api.get(f"matches/{match_id}", "e2").json, ensure_ascii=False)
    assert "滨海再生资源有限公司" in view  # E-1 is now known to E-2 …
    assert leaks(api.get(f"listings/{n1}", "e2").json, secrets_hidden_from(api, "E-2", {"E-1"})) == []
    # … but not to E-3, a bystander.
    hidden_from_e3 = secrets_hidden_from(api, "E-3")
    found = {what: leaks(body, hidden_from_e3) for what, _, body in _crawl(api, "e3") if leaks(body, hidden_from_e3)}
    assert found == {}


# --- inference: what anonymised views show must not link a hidden listing to a known party (issue 18) ---------

SIGNATURE = ("province", "district", "industry", "industry_name", "distance_km", "distance_band")
FIGURES = re.compile(r"\d{4}-\d{2}-\d{2}|\d+(?:\.\d+)? ?(?:t|吨)(?![\w-])")


def _signature(view: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(view.get(k) for k in SIGNATURE)


def _disclose_e1_to_e2(api) -> tuple[int, int]:
    """E-2 and E-1 accept a match (O-1 → N-1), and E-1 posts a second need that stays undisclosed."""
    o1 = api.session.scalar(select(Listing.id).where(Listing.ref == "O-1"))
    n1 = api.session.scalar(select(Listing.id).where(Listing.ref == "N-1"))
    match_id = api.post("matches", "e2", json={"offer": o1, "need": n1}).json["id"]
    for who in ("e2", "e1"):
        assert api.post(f"matches/{match_id}/decisions", who, json={"action": "accept"}).status_code == 200
    second = {k: v for k, v in NEED.items() if k != "ref"}
    made = api.post("listings", "e1", json={**second, "title": "Spent solvent oil", "title_zh": "废溶剂油"})
    assert made.status_code == 201, made.json
    return n1, made.json["id"]


def test_an_undisclosed_listing_is_not_linkable_to_its_disclosed_owner(api):
    n1, hidden = _disclose_e1_to_e2(api)
    known = api.get(f"listings/{n1}", "e2").json
    assert known["identified"] and known["enterprise"]["ref"] == "E-1"
    seen = api.get("listings", "e2", query_string={"per_page": 100, "within_km": 500}).json["items"]
    view = next(x for x in seen if x["id"] == hidden)
    assert not view["identified"]
    # What the hidden listing shows is what another enterprise's listing shows too: place, industry and
    # distance cannot tell E-1's second need from E-3's offer (both "5–10 km" from E-2, the same province).
    others = [x for x in seen if not x["identified"] and x["id"] != hidden]
    assert _signature(view) in {_signature(x) for x in others}, (_signature(view), [_signature(x) for x in others])
    # Nor does it repeat the identified view's exact figures.
    assert view["distance_km"] != known["distance_km"] and view["distance_band"] == "5–10 km"
    assert view["industry"] != known["industry"]


def test_licence_figures_of_undisclosed_partners_are_not_shown(api):
    o1 = api.session.scalar(select(Listing.id).where(Listing.ref == "O-1"))
    doc = api.get(f"listings/{o1}/recommendations", "e2", query_string={"top": 10}).json
    partners = [r for r in doc["recommendations"] + doc["excluded"] if r["enterprise"] is None]
    assert partners, doc
    licence_checks = [c for r in partners for c in r["checks"] if c["code"] in ("hw_licence", "licence_capacity")]
    assert licence_checks
    # Validity dates and capacities would tell two recommendations of one licence holder apart from others'.
    assert [c["detail"] for c in licence_checks if FIGURES.search(c["detail"])] == []
    assert any("[规模]" in c["detail"] or "[日期]" in c["detail"] for c in licence_checks)
    # The distance check says the band, not the distance to 0.1 km.
    details = [c["detail"] for r in partners for c in r["checks"] if c["code"] == "distance"]
    assert details and all(re.match(r"运输距离 (<|>)?[\d–]+ km", d) for d in details), details
    assert all("distance_band" in r for r in partners)
    # Nor does the transport cost (distance × a known rate): no term, and its reason line gives the band.
    recs = [r for r in doc["recommendations"] if r["enterprise"] is None]
    assert recs and all("transport" not in r["terms"] for r in recs)
    assert all(any(re.fullmatch(r"运输 (<|>)?[\d–]+ km / Transport (<|>)?[\d–]+ km", x) for x in r["reasons"])
               for r in recs), [r["reasons"] for r in recs]
    # The coordinator still sees every figure.
    coord = api.get(f"listings/{o1}/recommendations", "coord", query_string={"top": 10}).json
    assert any(FIGURES.search(c["detail"]) for r in coord["recommendations"] for c in r["checks"]
               if c["code"] in ("hw_licence", "licence_capacity"))


def test_an_enterprise_cannot_take_the_name_of_another_in_its_park(api):
    taken = api.patch("enterprises/E-2", "e2", json={"name": "滨海再生资源有限公司"})  # E-1's, park BH
    assert taken.status_code == 409 and "name" in taken.json["errors"], taken.json
    assert "园区内已有同名企业" in taken.json["message"]
    spaced = api.patch("enterprises/E-2", "e2", json={"name": " 滨海再生资源有限公司 "})
    assert spaced.status_code == 409
    # A coordinator adding an enterprise under an existing name of the park is refused too.
    new = {"ref": "E-9", "name": "开发区汽车维修中心", "park": "BH", "lat": 39.1, "lon": 117.6}
    assert api.post("enterprises", "coord", json=new).status_code == 409
    # Its own name again, or a name free in its park, is fine.
    assert api.patch("enterprises/E-2", "e2", json={"name": "开发区汽车维修服务中心"}).status_code == 200
