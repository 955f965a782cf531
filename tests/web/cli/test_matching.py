"""``wastematch recommend | match | matches expire | model``: the engine, its workflow job and the ranking model."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from marketplace.db import make_engine
from marketplace.models import AuditEvent, Match
from tests.conftest import DEMO_PARK
from tests.marketplace.services.matching.test_learning import by_distance, decide

from .conftest import init
from .runner import chinese_words, english_sentences, run, run_in, run_json


@pytest.fixture()
def demo_url(backend, database_copy):
    return database_copy(backend, "init+demo", lambda url: init(url, str(DEMO_PARK)))[0]


def _lp_optimum(doc: dict) -> float:
    """An independent LP (SciPy HiGHS) over the reported candidates and capacities."""
    import numpy as np
    from scipy.optimize import linprog
    from scipy.sparse import lil_matrix

    cands, caps = doc["candidates"], doc["capacities"]
    rows = [("offer", r) for r in caps["offers"]] + [("need", r) for r in caps["needs"]] + \
        [("licence", r) for r in caps["licences"]]
    index = {key: i for i, key in enumerate(rows)}
    a = lil_matrix((len(rows), len(cands)))
    for k, c in enumerate(cands):
        a[index[("offer", c["offer"])], k] = 1
        a[index[("need", c["need"])], k] = 1
        if c["licence"]:
            a[index[("licence", c["licence"])], k] = 1
    b = [caps["offers"][r] for r in caps["offers"]] + [caps["needs"][r] for r in caps["needs"]] + \
        [caps["licences"][r] for r in caps["licences"]]
    res = linprog(-np.array([c["weight"] for c in cands], dtype=float), A_ub=a.tocsr(), b_ub=b,
                  bounds=[(0, c["max_t"]) for c in cands], method="highs")
    assert res.status == 0
    return -res.fun


def test_match_contract_objective_and_independent_lp(demo_url):
    doc = run_json(demo_url, "match", "--with-candidates", "--today", "2026-11-23")
    assert doc["status"] == "OPTIMAL" and isinstance(doc["run"], int)
    assert doc["objective"] == pytest.approx(sum(m["weight"] * m["quantity_t"] for m in doc["matches"]), rel=1e-9)
    assert doc["objective"] == pytest.approx(_lp_optimum(doc), rel=1e-6)
    arcs = {(c["offer"], c["need"]) for c in doc["candidates"]}
    for m in doc["matches"]:
        assert (m["offer"], m["need"]) in arcs
        assert {"code", "passed", "hard", "detail"} <= set(m["checks"][0])
    assert set(doc["unmatched"]) == {"offers", "needs"}
    again = run_json(demo_url, "match", "--today", "2026-11-23")
    assert again["run"] == doc["run"] + 1 and "candidates" not in again


def test_match_exact_mode_reports_gap(demo_url):
    doc = run_json(demo_url, "match", "--exact", "--time-limit", "5", "--min-lot", "5", "--max-suppliers", "3",
                   "--park", "JC", "--today", "2026-11-23")
    assert doc["status"] in ("OPTIMAL", "FEASIBLE") and doc["solver"]["gap"] is not None
    assert all(m["quantity_t"] >= 5 - 1e-9 for m in doc["matches"])
    # Issue 17: the baseline beside it solves the same problem (10 kg, the same lot and suppliers' cap).
    b = doc["baseline"]
    assert doc["greedy_objective"] == b["objective"] <= doc["objective"] + 1e-6
    assert b["same_problem"] and b["side_constraints"] and b["resolution_t"] == 0.01
    assert doc["totals"]["pairs"] == len(doc["matches"])
    assert doc["totals"]["tonnes"] == pytest.approx(sum(m["quantity_t"] for m in doc["matches"]))


def test_match_summary_leads_with_tonnes_pairs_and_value(demo_url):
    first = run_in("en", demo_url, "match", "--today", "2026-11-23").output  # its lines, one language each
    lead = next(line for line in first.splitlines() if line.startswith("run "))
    assert " t matched in " in lead and " pairs, value created " in lead and "CNY a year" in lead
    assert "objective" not in lead and "first run of this scope" in lead
    again = run_in("en", demo_url, "match", "--exact", "--time-limit", "3", "--today", "2026-11-23").output
    lead = next(line for line in again.splitlines() if line.startswith("run "))
    assert "vs run " in lead
    details = next(line for line in again.splitlines() if line.startswith("details: "))
    assert "what the optimiser maximises" in details and "greedy baseline of the same problem" in details


def test_match_recommend_and_their_jobs_in_chinese_and_in_english(demo_url):
    """A park coordinator reads every line in Chinese (values in 元, the checks by their names); ``--lang en``
    gives the same lines in English only."""
    commands = [("match", "--today", "2026-11-23"), ("match", "--today", "2026-11-23", "--with-candidates"),
                ("recommend", "O-057", "N-006", "N-024", "O-025", "--top", "3", "--today", "2026-11-23"),
                ("matches", "expire")]
    for args in commands:
        zh = run_in("zh", demo_url, *args)
        assert english_sentences(zh.stderr + zh.stdout) == [], (args, zh.output)
        en = run_in("en", demo_url, *args)
        assert chinese_words(en.stderr) == [], (args, en.stderr)
    zh = run_in("zh", demo_url, "match", "--today", "2026-11-23")
    lead = next(line for line in zh.stderr.splitlines() if line.startswith("运行 "))
    assert " t，共 " in lead and "元/年（与运行 " in lead, lead
    assert any(line.startswith("详情：最优；目标函数 ") and "贪心基线" in line for line in zh.stderr.splitlines())
    assert "闭环机会：" in zh.stderr and "元/t = " in zh.stdout
    zh = run_in("zh", demo_url, "recommend", "N-024", "O-025", "--top", "3", "--today", "2026-11-23")
    assert "N-024（需求）：1 条推荐 — 仅 1 个伙伴" in zh.stdout
    assert "未推荐 O-093 [E-038]（5.4 km）的原因：" in zh.stdout
    assert "O-025（供给）：" in zh.stdout
    approval = ("--producer", "E-022", "--receiver", "E-039", "--code", "900-402-06", "--valid-from", "2026-01-01")
    zh = run_in("zh", demo_url, "approvals", "add", "PTP-1", *approval)
    assert "已登记点对点定向利用批复 PTP-1：E-022 → E-039，900-402-06" in zh.stderr and not english_sentences(zh.stderr)
    en = run_in("en", demo_url, "approvals", "add", "PTP-2", *approval)
    assert "registered point-to-point approval PTP-2" in en.stderr and not chinese_words(en.stderr)


def test_recommend_contract_and_errors(demo_url):
    doc = run_json(demo_url, "recommend", "O-025", "N-024", "--top", "3", "--today", "2026-11-23")
    assert [r["listing"] for r in doc["results"]] == ["O-025", "N-024"]
    first = doc["results"][0]["recommendations"][0]
    assert first.keys() >= {"listing", "enterprise", "score", "distance_km", "quantity_t", "checks", "reasons"}
    human = run(demo_url, "recommend", "O-025", "--today", "2026-11-23")
    assert "O-025" in human.stdout
    missing = run_json(demo_url, "recommend", "O-999", ok=False)
    assert missing["code"] == 404 and "refs" in missing["errors"]


# ---- matches expire ----------------------------------------------------------------------------------

def _count(url: str, stmt) -> int:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return session.scalar(stmt)
    finally:
        engine.dispose()


def test_expire_lapses_only_overdue_proposals(demo_url):
    run(demo_url, "match", "--today", "2026-11-23")
    proposed = _count(demo_url, select(func.count()).select_from(Match).where(Match.status == "proposed"))
    assert proposed > 30
    assert run_json(demo_url, "matches", "expire") == {"expired": 0}  # fresh proposals run 30 days
    engine = make_engine(demo_url)
    try:  # a month passes for three of them
        with Session(engine) as session, session.begin():
            ids = list(session.scalars(select(Match.id).where(Match.status == "proposed").order_by(Match.id)))[:3]
            session.execute(update(Match).where(Match.id.in_(ids)).values(
                expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)))
    finally:
        engine.dispose()
    trail = select(func.count()).select_from(AuditEvent).where(
        AuditEvent.entity_type == "match", AuditEvent.action == "transition",
        AuditEvent.entity_key.in_([str(i) for i in ids]))
    before = _count(demo_url, trail)
    assert run_json(demo_url, "matches", "expire") == {"expired": 3}
    assert _count(demo_url, select(func.count()).select_from(Match).where(Match.status == "expired")) == 3
    assert _count(demo_url, trail) == before + 3  # each expiry is in the audit trail
    assert "0 match(es) expired" in run(demo_url, "matches", "expire").output


# ---- model train | show ------------------------------------------------------------------------------

def _decide(url: str, n: int) -> None:
    engine = make_engine(url)
    try:
        with Session(engine) as session, session.begin():
            matches = list(session.scalars(select(Match).where(Match.status == "proposed").order_by(Match.id)))[:n]
            decide(session, matches, by_distance(matches))
    finally:
        engine.dispose()


def test_train_and_show(db_url):
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
    # In Chinese and in English: the model's lines, its features by their names in the model (data).
    zh = run_in("zh", db_url, "model", "train")
    assert "使用的决策：40 条（批准 " in zh.stdout and "已保存为排序模型 #3" in zh.stderr
    assert english_sentences(zh.stdout + zh.stderr) == [], zh.output
    en = run_in("en", db_url, "model", "show")
    assert "decisions on record now: 40" in en.stdout and chinese_words(en.stdout + en.stderr) == [], en.output


def test_refusal_as_json(db_url):
    result = run(db_url, "model", "train", "--json", ok=False)
    assert result.exit_code == 1
    body = json.loads(result.stdout)
    assert body["code"] == 409 and "decisions" in body["errors"]
