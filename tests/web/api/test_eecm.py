"""``/eecm``: the park's tree (get, put, refusals), self-assess → submit → score through the API, who may do what,
and the error shape."""
from __future__ import annotations

import pytest

from catalog.eecm import DEFAULT_TREE, tree_dict

YEAR = 2025


def scores(value: float = 1.0, key: str = "evidence") -> dict:
    return {leaf.code: {"score": value, key: "seen"} for leaf in DEFAULT_TREE.leaves()}


def _ok(r, status: int = 200):
    assert r.status_code == status, r.json
    return r.json


def test_the_whole_cycle(api):
    a = _ok(api.post("eecm/assessments", "e2", json={"enterprise": "E-2", "year": YEAR,
                                                     "scores": {"MH1.1": {"score": 0.5, "evidence": "ledger"}}}))
    assert a["status"] == "draft" and a["self_scores"]["MH1.1"] == {"score": 0.5, "evidence": "ledger"}
    r = api.post(f"eecm/assessments/{a['id']}/submit", "e2")
    assert r.status_code == 422 and r.json["errors"]["scores.SR2.1"][0].startswith("not assessed yet")
    _ok(api.post("eecm/assessments", "e2", json={"enterprise": "E-2", "year": YEAR, "scores": scores()}))
    assert _ok(api.post(f"eecm/assessments/{a['id']}/submit", "e2"))["status"] == "submitted"
    assert api.post(f"eecm/assessments/{a['id']}/submit", "e2").status_code == 409
    done = _ok(api.post(f"eecm/assessments/{a['id']}/score", "coord", json={"scores": scores(0.5, "note")}))
    assert done["status"] == "scored" and done["total"] == pytest.approx(0.5)
    assert done["bonus"] == pytest.approx(0.025) and done["by_node"]["MH"] == pytest.approx(0.5)
    assert _ok(api.get(f"eecm/assessments/{a['id']}", "e2"))["bonus"] == pytest.approx(0.025)
    notices = _ok(api.get("notifications", "e2"))["items"]
    assert notices[0]["kind"] == "eecm_transition" and "50.0" in notices[0]["message"]


def test_permissions(api):
    a = _ok(api.post("eecm/assessments", "e2", json={"enterprise": "E-2", "year": YEAR, "scores": scores()}))
    assert api.post("eecm/assessments", "e3", json={"enterprise": "E-2", "year": YEAR, "scores": {}}).status_code == 404
    assert api.post("eecm/assessments", "coord", json={"enterprise": "E-2", "year": YEAR,
                                                       "scores": {}}).status_code == 403
    assert api.get(f"eecm/assessments/{a['id']}", "e3").status_code == 404
    assert api.post(f"eecm/assessments/{a['id']}/submit", "coord").status_code == 403
    _ok(api.post(f"eecm/assessments/{a['id']}/submit", "e2"))
    assert api.post(f"eecm/assessments/{a['id']}/score", "e2", json={"scores": {}}).status_code == 403
    assert api.post(f"eecm/assessments/{a['id']}/score", "coord_nk", json={"scores": {}}).status_code == 404
    assert api.get("eecm/assessments", None).status_code == 401
    assert [x["enterprise"]["ref"] for x in _ok(api.get("eecm/assessments", "coord"))["items"]] == ["E-2"]
    assert _ok(api.get("eecm/assessments", "coord_nk"))["items"] == []
    assert _ok(api.get("eecm/assessments", "admin", query_string={"status": "submitted", "year": YEAR}))["total"] == 1


def test_bad_input_is_named_and_changes_nothing(api):
    r = api.post("eecm/assessments", "e2", json={"enterprise": "E-2", "year": YEAR,
                                                 "scores": {"MH1.1": {"score": 0.3}, "ZZ": {"score": 1}}})
    assert r.status_code == 422 and set(r.json["errors"]) == {"scores.MH1.1.score", "scores.ZZ"}
    assert r.json["code"] == 422 and r.json["status"] == "Unprocessable Entity"
    assert api.post("eecm/assessments", "e2", json={"enterprise": "E-2", "year": 1}).status_code == 422
    assert _ok(api.get("eecm/assessments", "e2"))["total"] == 0


def test_park_tree(api):
    got = _ok(api.get("eecm/parks/BH/tree", "e2"))
    assert not got["custom"] and len(got["tree"]["elements"]) == 5
    doc = tree_dict(DEFAULT_TREE)
    doc["elements"][0]["children"][0]["weight"] = 0.9
    r = api.call("PUT", "eecm/parks/BH/tree", "coord", json={"tree": doc})
    assert r.status_code == 422 and "tree.elements[0].children" in r.json["errors"]
    doc = tree_dict(DEFAULT_TREE)
    doc["bonus_max"] = 0.1
    assert _ok(api.call("PUT", "eecm/parks/BH/tree", "coord", json={"tree": doc}))["custom"]
    assert api.call("PUT", "eecm/parks/BH/tree", "coord_nk", json={"tree": None}).status_code == 403
    assert api.call("PUT", "eecm/parks/BH/tree", "e2", json={"tree": None}).status_code == 403
    assert api.get("eecm/parks/BH/tree", "e4").status_code == 403
    assert api.get("eecm/parks/XX/tree", "admin").status_code == 404
    assert not _ok(api.call("PUT", "eecm/parks/BH/tree", "admin", json={"tree": None}))["custom"]
