"""``/ranking-model``: the current re-ranking model, and training it from coordinators' decisions."""
from __future__ import annotations

import json

from sqlalchemy import select

from marketplace.models import Match
from marketplace.services.listings.interchange import import_document
from marketplace.services.matching.runs import run_matching
from tests.conftest import DEMO_PARK
from tests.marketplace.services.matching.test_learning import SETTINGS, by_distance, decide


def _decisions(api, n: int) -> None:
    """The demo park beside the API fixture, a match run, and ``n`` coordinator decisions."""
    import_document(api.session, json.loads(DEMO_PARK.read_text(encoding="utf-8")), actor="test")
    run, _ = run_matching(api.session, park=None, actor="test", settings=SETTINGS)
    matches = list(api.session.scalars(select(Match).where(Match.run_id == run.id).order_by(Match.id)))[:n]
    decide(api.session, matches, by_distance(matches))
    api.session.commit()


def test_train_then_show(api):
    _decisions(api, 36)
    res = api.post("ranking-model/train", as_="coord", json={"folds": 4})
    assert res.status_code == 201, res.json
    doc = res.json
    assert doc["active"] and doc["decisions"] == 36 and doc["approved"] + doc["rejected"] == 36
    assert doc["metric"]["name"] == "roc_auc" and 0.5 < doc["metric"]["value"] <= 1.0
    assert len(doc["metric"]["folds"]) == 4 and doc["metric"]["sd"] >= 0
    assert 0 < doc["base_rate"] < 1
    assert {f["name"] for f in doc["features"]} >= {"similarity", "distance_km", "weight", "hazardous"}
    shown = api.get("ranking-model", as_="e2")  # every signed-in user may read it: it names nobody
    assert shown.status_code == 200 and shown.json["id"] == doc["id"] and shown.json["trained_at"]
    assert "coord-bh@wm.test" not in json.dumps(shown.json)
    again = api.post("ranking-model/train", as_="admin")  # no body: default folds
    assert again.status_code == 201 and len(again.json["metric"]["folds"]) == 5
    assert api.get("ranking-model", as_="coord").json["id"] == again.json["id"] != doc["id"]


def test_too_few_decisions_is_a_conflict_naming_the_counts(api):
    res = api.post("ranking-model/train", as_="coord")
    assert res.status_code == 409
    assert "decisions" in res.json["errors"] and "have 0 (0 approved, 0 rejected)" in res.json["errors"]["decisions"][0]
    assert api.get("ranking-model", as_="coord").status_code == 404  # nothing was stored


def test_no_model_is_not_found(api):
    res = api.get("ranking-model", as_="e1")
    assert res.status_code == 404 and "ranking_model" in res.json["errors"]


def test_validation_errors_name_the_field(api):
    res = api.post("ranking-model/train", as_="coord", json={"folds": 1})
    assert res.status_code == 422 and "folds" in json.dumps(res.json["errors"])
    res = api.post("ranking-model/train", as_="coord", json={"folds": "many"})
    assert res.status_code == 422 and "folds" in json.dumps(res.json["errors"])


def test_roles(api):
    assert api.get("ranking-model").status_code == 401
    assert api.post("ranking-model/train").status_code == 401
    for key in ("e1", "e2"):
        res = api.post("ranking-model/train", as_=key, json={"folds": 1})  # 403 before 422
        assert res.status_code == 403 and "role" in res.json["errors"], key


def test_documented_in_openapi(api):
    paths = api.get("/api/v1/openapi.json").json["paths"]
    train = paths["/api/v1/ranking-model/train"]["post"]["responses"]
    assert {"201", "401", "403", "409", "422"} <= set(train)
    assert {"200", "401", "404"} <= set(paths["/api/v1/ranking-model"]["get"]["responses"])
