"""``/surveys``: the whole cycle draft → submitted → returned (the enterprise told why) → resubmitted →
accepted; who may do what (another enterprise 404, an enterprise reviewing 403, another park's coordinator
404); row validation by field; the import (all or nothing, every error by path) and the template."""
from __future__ import annotations

import io

from openpyxl import load_workbook

HBCDD = {"cas": "25637-99-4", "name": "HBCDD", "role": "use", "quantity_t": 1.5, "use": "EPS flame retardant",
         "stock_t": 0.2, "released_t": 0.0}


def _ok(r, status=200):
    assert r.status_code == status, r.json
    return r.json


def _submitted(api):
    decl = _ok(api.post("surveys", "e2", json={"year": 2025}))
    _ok(api.call("PUT", f"surveys/{decl['id']}/substances", "e2", json={"substances": [HBCDD]}))
    return _ok(api.post(f"surveys/{decl['id']}/submit", "e2"))


def test_whole_cycle(api):
    decl = _ok(api.post("surveys", "e2", json={"year": 2025}))
    assert decl["status"] == "draft" and decl["enterprise"]["ref"] == "E-2"
    assert _ok(api.post("surveys", "e2", json={"year": 2025}))["id"] == decl["id"]
    did = decl["id"]
    r = _ok(api.call("PUT", f"surveys/{did}/substances", "e2", json={"substances": [HBCDD]}))
    assert r["substances"][0]["controlled"]["key"] == "hbcdd"
    r = _ok(api.post(f"surveys/{did}/submit", "e2"))
    assert r["status"] == "submitted" and r["submitted_at"]
    coord_notes = _ok(api.get("notifications", "coord"))["items"]
    assert any(n["kind"] == "survey_transition" for n in coord_notes)

    r = _ok(api.post(f"surveys/{did}/return", "coord",
                     json={"reasons": {"substances.0.quantity_t": ["kg or t?"], "general": ["stamp it"]}}))
    assert r["status"] == "returned" and r["returned_reasons"]["substances.0.quantity_t"] == ["kg or t?"]
    told = [n for n in _ok(api.get("notifications", "e2"))["items"] if n["kind"] == "survey_transition"]
    assert len(told) == 1 and told[0]["data"]["reasons"]["general"] == ["stamp it"]
    assert "kg or t?" in told[0]["message"]
    assert _ok(api.get(f"surveys/{did}", "e2"))["returned_reasons"]["general"] == ["stamp it"]

    _ok(api.call("PUT", f"surveys/{did}/substances", "e2", json={"substances": [dict(HBCDD, quantity_t=1.2)]}))
    assert _ok(api.post(f"surveys/{did}/submit", "e2"))["status"] == "resubmitted"
    assert _ok(api.post(f"surveys/{did}/accept", "coord"))["status"] == "accepted"
    told = [n for n in _ok(api.get("notifications", "e2"))["items"] if n["kind"] == "survey_transition"]
    assert len(told) == 2
    page = _ok(api.get("surveys", "coord", query_string={"status": "accepted", "year": 2025}))
    assert [d["id"] for d in page["items"]] == [did] and page["total"] == 1
    audit = _ok(api.get("audit", "admin", query_string={"entity_type": "survey_declaration"}))
    assert {e["action"] for e in audit["items"]} >= {"survey.create", "survey.submit", "survey.return",
                                                       "survey.accept"}


def test_permissions(api):
    did = _submitted(api)["id"]
    assert api.get(f"surveys/{did}", "e3").status_code == 404          # another enterprise
    assert api.get(f"surveys/{did}", "coord_nk").status_code == 404    # another park's coordinator
    assert api.post(f"surveys/{did}/accept", "coord_nk").status_code == 404
    for path, body in ((f"surveys/{did}/accept", None), (f"surveys/{did}/return", {"reasons": {"general": ["x"]}})):
        r = api.post(path, "e2", json=body)
        assert r.status_code == 403 and set(r.json) == {"code", "status", "message", "errors"}
    assert api.call("PUT", f"surveys/{did}/substances", "coord", json={"substances": [HBCDD]}).status_code == 403
    assert api.call("PUT", f"surveys/{did}/substances", "e2", json={"substances": [HBCDD]}).status_code == 409
    assert api.post("surveys", "e2", json={"enterprise": "E-3", "year": 2025}).status_code == 403
    assert api.post("surveys", "coord", json={"enterprise": "E-4", "year": 2025}).status_code == 404
    assert _ok(api.get("surveys", "e3"))["total"] == 0
    assert api.get("surveys", "coord_nk", query_string={"park": "BH"}).status_code == 403
    assert api.get("surveys").status_code == 401


def test_rows_errors_by_field(api):
    did = _ok(api.post("surveys", "e2", json={"year": 2025}))["id"]
    r = api.call("PUT", f"surveys/{did}/substances", "e2", json={"substances": [
        dict(HBCDD, cas="25637-99-5"), {"role": "use", "quantity_t": -1}]})
    assert r.status_code == 422
    assert {"substances.0.cas", "substances.1.cas", "substances.1.quantity_t"} <= set(r.json["errors"])
    r = api.post(f"surveys/{did}/submit", "e2")
    assert r.status_code == 422 and "substances" in r.json["errors"]
    assert _ok(api.get(f"surveys/{did}", "e2"))["substances"] == []


def test_import_all_or_nothing(api):
    doc = {"format": "wastematch.survey.v1", "year": 2025, "declarations": [
        {"enterprise": "E-2", "substances": [dict(HBCDD, cas="25637-99-5")]},
        {"enterprise": "E-3", "substances": [{"name": "乙醇", "role": "use", "quantity_t": -4}]},
        {"enterprise": "E-404", "substances": [{"name": "x", "role": "use", "quantity_t": 1}]}]}
    r = api.post("surveys/import", "admin", json=doc)
    assert r.status_code == 422
    assert set(r.json["errors"]) == {"$.declarations[0].substances[0].cas",
                                     "$.declarations[1].substances[0].quantity_t", "$.declarations[2].enterprise"}
    assert _ok(api.get("surveys", "admin"))["total"] == 0
    doc["declarations"] = [{"enterprise": "E-2", "substances": [HBCDD]}]
    r = _ok(api.post("surveys/import", "coord", json=doc))
    assert r["created"] == 1 and r["by_status"] == {"submitted": 1}
    assert api.post("surveys/import", "e3", json=doc).status_code == 422  # not its own enterprise


def test_template(api):
    r = api.get("surveys/template", "e2")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    assert load_workbook(io.BytesIO(r.data)).sheetnames == ["说明 README", "declarations", "substances"]


def test_documented(api):
    spec = api.get("/api/v1/openapi.json").json
    assert {"/api/v1/surveys", "/api/v1/surveys/{declaration_id}/return", "/api/v1/surveys/import",
            "/api/v1/surveys/template"} <= set(spec["paths"])
