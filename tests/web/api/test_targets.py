"""``/parks/CODE/targets`` (get, put, delete) and ``/parks/CODE/survey-report`` (json, html, xlsx)."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook


def test_put_get_and_delete_a_target(api):
    res = api.call("PUT", "parks/BH/targets/2026/roster_audit_rate", "coord", json={"value": 1.0, "note": "plan"})
    assert res.status_code == 200, res.json
    assert (res.json["key"], res.json["value"], res.json["set_by"]) == ("roster_audit_rate", 1.0,
                                                                       "coordinator:coord-bh@wm.test")
    got = api.get("parks/BH/targets", "coord", query_string={"year": 2026})
    assert got.status_code == 200
    by = {t["key"]: t for t in got.json["targets"]}
    assert by["roster_audit_rate"]["target"] == 1.0 and by["roster_audit_rate"]["actual"] is None
    assert by["hazardous_waste_utilisation_rate"]["actual"] == 0.0
    assert api.delete("parks/BH/targets/2026/roster_audit_rate", "coord").status_code == 204
    assert api.delete("parks/BH/targets/2026/roster_audit_rate", "coord").status_code == 404
    again = api.get("parks/BH/targets", "admin", query_string={"year": 2026}).json
    assert {t["key"]: t["target"] for t in again["targets"]}["roster_audit_rate"] is None


@pytest.mark.parametrize("path, body, field", [
    ("parks/BH/targets/2026/roster_audit_rate", {"value": 1.5}, "value"),
    ("parks/BH/targets/2026/nonsense", {"value": 0.5}, "key"),
    ("parks/BH/targets/1800/roster_audit_rate", {"value": 0.5}, "year"),
])
def test_a_bad_target_is_422_naming_the_field(api, path, body, field):
    res = api.call("PUT", path, "coord", json=body)
    assert res.status_code == 422 and field in res.json["errors"], res.json


@pytest.mark.parametrize("who, status", [("e1", 403), ("coord_nk", 403), ("admin", 200)])
def test_who_may_set_a_target(api, who, status):
    res = api.call("PUT", "parks/BH/targets/2026/roster_audit_rate", who, json={"value": 0.5})
    assert res.status_code == status
    assert api.get("parks/BH/targets", who, query_string={"year": 2026}).status_code == status


def test_the_survey_report_in_three_formats(api):
    doc = api.get("parks/BH/survey-report", "coord", query_string={"year": 2026})
    assert doc.status_code == 200, doc.json
    assert doc.json["coverage"]["enterprises"] == 3 and len(doc.json["targets"]) == 5
    html = api.get("parks/BH/survey-report", "coord", query_string={"year": 2026, "format": "html"})
    assert html.status_code == 200 and html.mimetype == "text/html"
    assert "调查覆盖情况" in html.get_data(as_text=True)
    xlsx = api.get("parks/BH/survey-report", "coord", query_string={"year": 2026, "format": "xlsx"})
    assert xlsx.status_code == 200 and "概况 Coverage" in load_workbook(io.BytesIO(xlsx.data)).sheetnames
    assert api.get("parks/BH/survey-report", "e1", query_string={"year": 2026}).status_code == 403
    assert api.get("parks/ZZ/survey-report", "admin", query_string={"year": 2026}).status_code == 404
    assert api.get("parks/BH/survey-report", "coord", query_string={"year": "x"}).status_code == 422
