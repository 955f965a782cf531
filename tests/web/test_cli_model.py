"""``wastematch model train`` and ``wastematch model show`` on each backend."""
from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.db import make_engine
from marketplace.models import Match
from tests.conftest import DEMO_PARK
from tests.marketplace.services.matching.test_learning import by_distance, decide
from tests.web.test_cli import db_url, run, run_json  # noqa: F401 - db_url is a fixture


def _decide(url: str, n: int) -> None:
    engine = make_engine(url)
    try:
        with Session(engine) as session, session.begin():
            matches = list(session.scalars(select(Match).where(Match.status == "proposed").order_by(Match.id)))[:n]
            decide(session, matches, by_distance(matches))
    finally:
        engine.dispose()


def test_train_and_show(db_url):  # noqa: F811
    run(db_url, "import", str(DEMO_PARK))
    run(db_url, "match", "--today", "2026-11-23")
    refused = run(db_url, "model", "train", ok=False)
    assert refused.exit_code == 1 and "have 0 (0 approved, 0 rejected)" in refused.output
    assert "need at least 30 decisions" in refused.output
    missing = run(db_url, "model", "show", ok=False)
    assert missing.exit_code == 1 and "no ranking model" in missing.output
    _decide(db_url, 40)
    human = run(db_url, "model", "train", "--folds", "4")
    assert "decisions used: 40" in human.stdout and "roc_auc" in human.stdout and "±" in human.stdout
    assert "stored as ranking model #1" in human.stderr
    doc = run_json(db_url, "model", "train")
    assert doc["id"] == 2 and doc["decisions"] == 40 and len(doc["metric"]["folds"]) == 5
    assert doc["stored"]["table"] == "ranking_models" and doc["stored"]["id"] == 2
    shown = run_json(db_url, "model", "show")
    assert shown["id"] == 2 and shown["active"] and shown["available"]["decisions"] == 40
    assert "ranking model #2" in run(db_url, "model", "show").stdout
    # recommendations now carry the learnt probability
    refs = [f"O-0{i:02d}" for i in range(1, 21)]
    results = run_json(db_url, "recommend", *refs, "--today", "2026-11-23")["results"]
    recs = [r for res in results for r in res["recommendations"]]
    assert recs and all("approval_probability" in r for r in recs)


def test_refusal_as_json(db_url):  # noqa: F811
    result = run(db_url, "model", "train", "--json", ok=False)
    assert result.exit_code == 1
    body = json.loads(result.stdout)
    assert body["code"] == 409 and "decisions" in body["errors"]
