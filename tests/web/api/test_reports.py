"""``/reports``: roles and park scope, the four formats, rating thresholds and the error shape."""
from __future__ import annotations

import io
import json
import zipfile

import pytest
from openpyxl import load_workbook

from marketplace.services.matching.runs import run_matching

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture()
def matched(api):
    run_matching(api.session, park=None, actor="test")
    api.session.commit()
    return api


def test_a_coordinator_gets_the_report_of_their_park(matched):
    r = matched.get("reports", "coord")
    assert r.status_code == 200, r.json
    doc = r.json
    assert doc["format"] == "wastematch.report.v1" and doc["park"]["code"] == "BH"
    assert {"kpis", "chains", "loops", "flows", "ratings"} <= set(doc)
    proposed = [f for f in doc["flows"] if f["basis"] == "proposed"]
    assert proposed and doc["kpis"]["park"]["proposed"]["tonnes"] == pytest.approx(sum(f["tonnes"] for f in proposed))
    assert {r["ref"] for r in doc["ratings"]} >= {"E-1", "E-2"}


def test_enterprise_users_are_refused(matched):
    for method, kwargs in (("GET", {}), ("GET", {"query_string": {"format": "html"}}),
                           ("POST", {"json": {"rating_policy": {"grade_a": 7}}})):
        r = matched.call(method, "reports", "e1", **kwargs)
        assert r.status_code == 403, r.json
        assert set(r.json) == {"code", "status", "message", "errors"}


def test_scope_of_parks(matched):
    assert matched.get("reports", "coord", query_string={"park": "NK"}).status_code == 403
    assert matched.get("reports", "coord_nk").json["park"]["code"] == "NK"
    assert matched.get("reports", "admin").json["park"] is None  # every park
    assert matched.get("reports", "admin", query_string={"park": "XX"}).status_code == 404


def test_bad_arguments_are_422_naming_the_field(matched):
    r = matched.get("reports", "coord", query_string={"from": "2026-12-01", "to": "2026-11-01"})
    assert r.status_code == 422 and "from" in r.json["errors"]
    r = matched.get("reports", "coord", query_string={"format": "pdf"})
    assert r.status_code == 422 and "format" in json.dumps(r.json["errors"])
    r = matched.get("reports", "coord", query_string={"from": "yesterday"})
    assert r.status_code == 422 and "from" in json.dumps(r.json["errors"])
    for bound in ({"to": "9999-12-31"}, {"from": "0001-01-01"}):  # day arithmetic must not overflow (no 500)
        r = matched.get("reports", "coord", query_string=bound)
        assert r.status_code == 422 and set(bound) <= set(r.json["errors"]), r.json
    r = matched.post("reports", "coord", json={"rating_policy": {"grade_a": 2}})
    assert r.status_code == 422 and "rating_policy.grade_a" in r.json["errors"]


def test_rating_thresholds_of_ones_own(matched):
    default = matched.get("reports", "coord").json
    strict = matched.post("reports", "coord", json={"rating_policy": {"grade_a": 1.0, "grade_b": 1.0, "grade_c": 1.0}})
    assert strict.status_code == 200, strict.json
    assert strict.json["rating_policy"]["grade_a"] == 1.0 and default["rating_policy"]["grade_a"] == 0.85
    assert all(r["grade"] in ("D", None) or r["score"] == 1.0 for r in strict.json["ratings"])


def test_the_other_formats(matched):
    html = matched.get("reports", "coord", query_string={"format": "html"})
    assert html.status_code == 200 and html.mimetype == "text/html"
    text = html.get_data(as_text=True)
    assert 'class="report-chart' in text and "<script" not in text
    csv = matched.get("reports", "coord", query_string={"format": "csv"})
    assert csv.status_code == 200 and csv.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(csv.data)).namelist()
    assert {"kpis.csv", "flows.csv", "ratings.csv"} <= set(names)
    xlsx = matched.post("reports", "coord", json={"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.mimetype == XLSX
    assert "attachment" in xlsx.headers["Content-Disposition"]
    assert len(load_workbook(io.BytesIO(xlsx.data)).sheetnames) >= 5


def test_the_report_is_in_the_openapi_document(api):
    spec = api.get("/api/v1/openapi.json").json
    assert {"get", "post"} <= set(spec["paths"]["/api/v1/reports"])


def test_a_park_keeps_its_own_rating_thresholds(matched):
    default = matched.get("parks/BH/rating-policy", "coord")
    assert default.status_code == 200 and default.json["overrides"] == {}
    assert default.json["effective"]["grade_a"] == 0.85
    put = matched.call("PUT", "parks/BH/rating-policy", "coord",
                       json={"overrides": {"grade_a": 0.95, "weights": {"compliance": 0.6}}})
    assert put.status_code == 200, put.json
    assert put.json["effective"]["grade_a"] == 0.95 and put.json["effective"]["weights"]["compliance"] == 0.6
    assert put.json["effective"]["weights"]["utilisation"] == 0.25  # the other weights keep their defaults
    # Every later report of the park uses them; a request's own thresholds go over them.
    assert matched.get("reports", "coord").json["rating_policy"]["grade_a"] == 0.95
    mixed = matched.post("reports", "coord", json={"rating_policy": {"grade_b": 0.8, "weights": {"utilisation": 0.1}}})
    policy = mixed.json["rating_policy"]
    assert (policy["grade_a"], policy["grade_b"]) == (0.95, 0.8)
    assert (policy["weights"]["compliance"], policy["weights"]["utilisation"]) == (0.6, 0.1)
    events = matched.get("audit", "coord", query_string={"entity_type": "park"}).json["items"]
    assert any("rating_policy" in e["changes"] for e in events)
    assert matched.call("PUT", "parks/BH/rating-policy", "coord", json={"overrides": {}}).json["overrides"] == {}
    assert matched.get("reports", "coord").json["rating_policy"]["grade_a"] == 0.85


def test_rating_thresholds_are_validated_and_scoped(matched):
    bad = matched.call("PUT", "parks/BH/rating-policy", "coord", json={"overrides": {"grade_a": 3}})
    assert bad.status_code == 422 and "rating_policy.grade_a" in bad.json["errors"]
    assert matched.get("parks/BH/rating-policy", "coord").json["overrides"] == {}  # nothing stored
    missing = matched.call("PUT", "parks/BH/rating-policy", "coord", json={})
    assert missing.status_code == 422 and "overrides" in missing.json["errors"]["json"]
    assert matched.call("PUT", "parks/BH/rating-policy", "coord_nk", json={"overrides": {}}).status_code == 403
    assert matched.get("parks/BH/rating-policy", "e1").status_code == 403
    assert matched.get("parks/XX/rating-policy", "admin").status_code == 404
