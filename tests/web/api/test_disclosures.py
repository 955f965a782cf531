"""``/api/v1/disclosures`` (generate, list, get, review, publish) and the token-free
``/api/v1/public/disclosures``: states, scopes, errors, and what the public JSON holds."""
from __future__ import annotations

import pytest

from tests.marketplace.services.governance.test_disclosures import YEAR, disclosure_world


@pytest.fixture()
def world(api):
    disclosure_world(api.session, with_park=False)
    api.session.commit()
    return api


def generate(api, who: str = "e2", ref: str = "E-2", year: int = YEAR):
    return api.post("disclosures", who, json={"enterprise": ref, "year": year})


def test_the_whole_cycle_to_the_public_json(world):
    api = world
    res = generate(api)
    assert res.status_code == 201, res.get_json()
    doc = res.get_json()
    assert doc["status"] == "draft" and doc["enterprise"] == "E-2"
    assert {"enterprise", "year", "substances", "hazardous_waste", "violations"} <= set(doc["content"])
    did = doc["id"]
    assert api.get(f"/api/v1/public/disclosures/{did}").status_code == 404  # a draft is not public
    assert api.post(f"disclosures/{did}/publish", "coord").status_code == 409  # not reviewed
    assert api.post(f"disclosures/{did}/review", "coord").status_code == 403
    assert api.post(f"disclosures/{did}/review", "e2").get_json()["status"] == "reviewed"
    res = api.post(f"disclosures/{did}/publish", "coord")
    assert res.status_code == 200 and res.get_json()["status"] == "published"
    assert generate(api).status_code == 409  # frozen
    public = api.get("/api/v1/public/disclosures")
    assert public.status_code == 200
    items = public.get_json()["items"]
    assert [i["id"] for i in items] == [did] and items[0]["content"]["enterprise"]["ref"] == "E-2"
    assert set(items[0]) == {"id", "year", "published_at", "enterprise", "park", "content"}
    one = api.get(f"/api/v1/public/disclosures/{did}").get_json()
    assert one["content"]["violations"][0]["code"] == "banned_use"
    assert api.get("/api/v1/public/disclosures?park=NK").get_json()["items"] == []
    assert api.get(f"/api/v1/public/disclosures?year={YEAR - 1}").get_json()["total"] == 0


def test_scopes_and_refusals(world):
    api = world
    assert generate(api, "e3").status_code == 404  # another enterprise's
    assert generate(api, "coord_nk").status_code == 404
    assert api.post("disclosures", json={"enterprise": "E-2", "year": YEAR}).status_code == 401
    res = api.post("disclosures", "e2", json={"enterprise": "E-2", "year": "soon"})
    assert res.status_code == 422 and "year" in str(res.get_json()["errors"])
    did = generate(api, "coord").get_json()["id"]
    assert api.get(f"disclosures/{did}", "e2").status_code == 200
    assert api.get(f"disclosures/{did}", "e3").status_code == 404
    assert api.get(f"disclosures/{did}", "coord_nk").status_code == 404
    assert [d["id"] for d in api.get("disclosures", "coord").get_json()["items"]] == [did]
    assert api.get("disclosures", "e1").get_json()["items"] == []
    assert api.get("disclosures").status_code == 401
    assert api.get("/api/v1/public/disclosures/2147483647").status_code == 404


def test_openapi_marks_the_public_paths_as_needing_no_token(api):
    spec = api.get("/api/v1/openapi.json").get_json()
    assert spec["paths"]["/api/v1/public/disclosures"]["get"]["security"] == []
    assert spec["paths"]["/api/v1/public/disclosures/{disclosure_id}"]["get"]["security"] == []
    assert "security" not in spec["paths"]["/api/v1/disclosures"]["post"]
