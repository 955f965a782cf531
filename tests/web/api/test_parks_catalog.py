"""Parks and the reference catalogue through the API: happy paths, 401/403/404/409/422."""
from __future__ import annotations


def test_parks_list_and_get(api):
    res = api.get("parks", "e2")
    assert res.status_code == 200 and [p["code"] for p in res.json["items"]] == ["BH", "NK"]
    assert api.get("parks/NK", "e2").json["name"] == "南港工业区"
    assert api.get("parks/ZZ", "e2").status_code == 404
    assert api.get("parks").status_code == 401


def test_park_create_is_admin_only_and_validated(api):
    body = {"code": "XQ", "name": "西青开发区", "lat": 39.1, "lon": 117.0}
    assert api.post("parks", "coord", json=body).status_code == 403
    assert api.post("parks", "admin", json=body).status_code == 201
    assert api.post("parks", "admin", json=body).status_code == 409
    bad = api.post("parks", "admin", json={"code": "bad code!", "name": "", "lat": 91})
    assert bad.status_code == 422 and set(bad.json["errors"]["json"]) == {"code", "name", "lat"}


def test_coordinator_edits_only_own_park(api):
    ok = api.patch("parks/BH", "coord", json={"hw_max_distance_km": 80})
    assert ok.status_code == 200 and ok.json["hw_max_distance_km"] == 80
    assert api.patch("parks/NK", "coord", json={"hw_max_distance_km": 80}).status_code == 403
    assert api.patch("parks/BH", "e1", json={"hw_max_distance_km": 80}).status_code == 403
    assert api.patch("parks/ZZ", "admin", json={"name": "x"}).status_code == 404
    assert api.patch("parks/BH", "coord", json={"hw_max_distance_km": -1}).status_code == 422


def test_catalogue_search_in_chinese_english_and_code(api):
    zh = api.get("catalog/codes", "e2", query_string={"search": "废矿物油"})
    assert zh.status_code == 200 and zh.json["total"] >= 1
    assert all(c["category"] == "HW08" for c in zh.json["items"])
    by_code = api.get("catalog/codes", "e2", query_string={"search": "900-214"}).json["items"]
    assert "900-214-08" in {c["code"] for c in by_code}
    assert api.get("catalog/codes/900-214-08", "e2").json["hazards"] == ["T", "I"]
    # As a Chinese input method types it, or as a PDF's dashes copy
    typed = api.get("catalog/codes", "e2", query_string={"search": "９００－２１４"}).json["items"]
    assert "900-214-08" in {c["code"] for c in typed}
    assert api.get("catalog/codes/900–214–08", "e2").json["code"] == "900-214-08"
    assert api.get("catalog/codes/999-999-99", "e2").status_code == 404
    assert api.get("catalog/codes", "e2", query_string={"category": "oil"}).status_code == 422
    assert api.get("catalog/codes", "e2", query_string={"per_page": 0}).status_code == 422
    cats = api.get("catalog/categories", "e2", query_string={"per_page": 100}).json
    assert cats["total"] == 46


def test_catalogue_chemical_and_exemptions(api):
    lead = api.get("catalog/chemicals/7439-92-1", "e1")
    assert lead.status_code == 200 and lead.json["name_zh"] == "铅"
    bad = api.get("catalog/chemicals/7439-92-2", "e1")
    assert bad.status_code == 422 and "query" in bad.json["errors"]
    assert api.get("catalog/chemicals/no-such-substance-xyz", "e1").status_code == 404
    assert api.get("catalog/exemptions", "e1").status_code == 200


def test_openapi_document_lists_security_and_error_shape(api):
    doc = api.get("/api/v1/openapi.json").json
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert set(doc["components"]["schemas"]["Error"]["properties"]) == {"code", "status", "message", "errors"}
    assert doc["paths"]["/api/v1/auth/token"]["post"]["security"] == []
