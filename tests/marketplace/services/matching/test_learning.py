"""Learning from coordinators' decisions: the dataset, training, the active model, and re-ranking.

Decisions are made the way users make them: a run proposes matches, both parties
accept, a coordinator approves or rejects with a reason (``workflow.decide``).
"""
from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from sqlalchemy import func, select

from marketplace.errors import Conflict, ValidationFailed
from marketplace.models import AuditEvent, Match, RankingModel
from marketplace.services.matching import learning, workflow
from marketplace.services.accounts.users import Principal
from marketplace.services.listings.interchange import import_document
from marketplace.services.matching.engine_input import build_problem, proposal_dict
from marketplace.services.matching.recommendations import recommend
from marketplace.services.matching.runs import run_matching
from matching.pipeline import Recommender, _proposals
from matching.problem import Settings
from matching.reranker import MIN_DECISIONS, Candidate, DecisionModel, feature_matrix
from matching.rules import HARD_CODES, evaluate_rules
from matching.scoring import score
from tests.conftest import DEMO_PARK, savepoint_session, shared_data

SETTINGS = Settings(today=dt.date(2026, 11, 23))


def _matched(session) -> int:
    import_document(session, json.loads(DEMO_PARK.read_text(encoding="utf-8")), actor="test")
    run, _ = run_matching(session, park=None, actor="test", settings=SETTINGS)
    return run.id


@pytest.fixture(scope="module")
def matched(engine):
    """The demo park and one match run, once for the module; each test reads them in its own savepoint."""
    with shared_data(engine, _matched) as shared:
        yield shared


@pytest.fixture()
def demo(matched):
    """The demo park with one match run's proposals (oldest first)."""
    conn, run_id = matched
    with savepoint_session(conn) as session:
        matches = list(session.scalars(select(Match).where(Match.run_id == run_id).order_by(Match.id)))
        assert len(matches) >= 60
        yield session, matches


def _party(match: Match, side: str) -> Principal:
    ent = (match.offer if side == "offer" else match.need).enterprise
    return Principal(user_id=None, email=f"{side}@{ent.ref}.test", role="enterprise", enterprise_id=ent.id,
                     enterprise_ref=ent.ref)


def _coordinator(match: Match) -> Principal:
    return Principal(user_id=None, email="coordinator@park.test", role="coordinator",
                     park_ids=frozenset({match.offer.enterprise.park_id, match.need.enterprise.park_id}))


def decide(session, matches: list[Match], approve) -> tuple[int, int]:
    """Both parties accept each match; the coordinator approves it if ``approve(match)``, else rejects it."""
    counts = [0, 0]
    for m in matches:
        workflow.decide(session, _party(m, "offer"), m.id, "accept")
        workflow.decide(session, _party(m, "need"), m.id, "accept")
        if approve(m):
            workflow.decide(session, _coordinator(m), m.id, "approve", "fits our plan", settings=SETTINGS)
            counts[0] += 1
        else:
            workflow.decide(session, _coordinator(m), m.id, "reject", f"haul of {m.distance_km:.0f} km too short")
            counts[1] += 1
    return counts[0], counts[1]


def by_distance(matches: list[Match]):
    median = float(np.median([m.distance_km for m in matches]))
    return lambda m: m.distance_km > median  # coordinators (oddly) prefer long hauls: easy to learn


def test_dataset_reads_decisions_from_the_matches_table(demo):
    session, matches = demo
    approved, rejected = decide(session, matches[:12], by_distance(matches[:12]))
    ds = learning.decisions(session)
    assert len(ds) == 12 and sum(d.approved for d in ds) == approved and approved and rejected
    d = next(d for d in ds if not d.approved)
    m = session.get(Match, d.match_id)
    assert d.status == "rejected" and d.reason == m.status_reason and "too short" in d.reason
    assert d.candidate.distance_km == m.distance_km and d.candidate.weight == m.weight
    assert d.candidate.similarity_blocks == m.terms["similarity_blocks"]
    assert d.candidate.purpose == m.need.purpose
    # undecided proposals are not decisions; a match moved on to a transfer still counts as approved
    moving = session.get(Match, next(x.match_id for x in ds if x.approved))
    workflow.decide(session, _coordinator(moving), moving.id, "start_transfer")
    assert len(learning.decisions(session)) == 12
    assert learning.decision_counts(session)["rejected"] == rejected


def test_training_refuses_too_few_decisions_with_the_counts(demo):
    session, matches = demo
    approved, rejected = decide(session, matches[:10], by_distance(matches[:10]))
    with pytest.raises(Conflict) as exc:
        learning.train(session, "coordinator:c@park.test")
    assert exc.value.status == 409
    assert f"have 10 ({approved} approved, {rejected} rejected)" in exc.value.errors["decisions"][0]
    assert str(MIN_DECISIONS) in exc.value.message
    assert session.scalar(select(func.count()).select_from(RankingModel)) == 0
    assert learning.active_model(session) is None
    with pytest.raises(ValidationFailed) as bad:
        learning.train(session, "t", folds=1)
    assert "folds" in bad.value.errors


def test_training_stores_validates_and_activates(demo):
    session, matches = demo
    chosen = matches[:40]
    approved, rejected = decide(session, chosen, by_distance(chosen))
    first = learning.train(session, "coordinator:c@park.test")
    assert first.active and first.decisions == 40 and (first.approved, first.rejected) == (approved, rejected)
    assert first.metric_name == "roc_auc" and first.metric_value > 0.8  # the preference is learnable
    assert first.metrics["base_rate"] == pytest.approx(approved / 40, abs=1e-4)
    assert len(first.metrics["folds"]) == 5 and first.metrics["sd"] >= 0
    json.dumps(first.parameters)  # plain JSON
    model = DecisionModel.from_params(first.parameters)
    assert model.coefficients()["distance_km"] > 0
    doc = learning.model_dict(first)
    assert doc["decisions"] == 40 and doc["metric"]["value"] == first.metric_value
    assert {f["name"] for f in doc["features"]} == set(model.features)
    second = learning.train(session, "coordinator:c@park.test", folds=3)
    session.refresh(first)
    assert not first.active and second.active and len(second.metrics["folds"]) == 3
    assert learning.active_model(session).id == second.id
    assert session.scalar(select(func.count()).select_from(RankingModel).where(RankingModel.active.is_(True))) == 1
    trail = session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "ranking_model",
                                                    AuditEvent.entity_key == str(second.id)))
    assert trail.action == "train" and trail.changes["decisions"] == [None, 40]


def test_recommendations_are_reordered_not_replaced(demo):
    session, matches = demo
    decide(session, matches[:40], by_distance(matches[:40]))
    learning.train(session, "t")
    model = learning.active_decision_model(session)
    assert model is learning.active_decision_model(session)  # parsed once
    candidates = [f"O-0{i:02d}" for i in range(1, 41)] + [f"N-0{i:02d}" for i in range(1, 21)]
    wide = recommend(session, candidates, top=5 * learning.POOL_FACTOR, settings=SETTINGS, learned=False)
    refs = [r["listing"] for r in wide["results"] if len(r["recommendations"]) >= 6]
    assert len(refs) >= 5
    learned = recommend(session, refs, top=5, settings=SETTINGS)
    pool = recommend(session, refs, top=5 * learning.POOL_FACTOR, settings=SETTINGS, learned=False)
    reordered = 0
    for mine, engine in zip(learned["results"], pool["results"]):
        recs = mine["recommendations"]
        legal = {(r["offer"], r["need"]) for r in engine["recommendations"]}
        assert recs and {(r["offer"], r["need"]) for r in recs} <= legal
        assert all(0.0 <= r["approval_probability"] <= 1.0 for r in recs)
        assert [r["rank_score"] for r in recs] == sorted((r["rank_score"] for r in recs), reverse=True)
        assert all(c["passed"] for r in recs for c in r["checks"] if c["hard"])
        plain = [(r["offer"], r["need"]) for r in engine["recommendations"][:len(recs)]]
        reordered += plain != [(r["offer"], r["need"]) for r in recs]
    assert reordered  # the model changed something


def test_rerank_is_a_permutation_of_its_input(demo):
    session, matches = demo
    decide(session, matches[:40], by_distance(matches[:40]))
    learning.train(session, "t")
    model = learning.active_decision_model(session)
    problem = build_problem(session, settings=SETTINGS)
    recs = recommend(session, ["O-004"], top=10, settings=SETTINGS, learned=False)["results"][0]["recommendations"]
    out = learning.rerank(model, recs, problem)
    assert sorted((r["offer"], r["need"]) for r in out) == sorted((r["offer"], r["need"]) for r in recs)
    assert learning.rerank(model, [], problem) == []
    assert learning.rerank(None, recs, problem) == recs


def _candidate(problem, doc) -> Candidate:
    hazardous, purpose = learning.candidate_context(problem, doc["offer"], doc["need"])
    return Candidate.from_proposal(doc, hazardous=hazardous, purpose=purpose)


def _illegal_candidates(problem, refs):
    """Candidates the engine looked at and removed for failing a hard check, with what the model would see."""
    rec = Recommender(problem)
    out = []
    for ref in refs:
        arcs = rec.index.needs_for_offers(np.array([problem.o.ref_index[ref]]), top_k=40)
        evaluate_rules(problem, arcs)
        score(problem, arcs)
        bad = np.flatnonzero(~arcs.passed_hard(HARD_CODES))
        for p in _proposals(problem, rec.model, arcs, bad, np.maximum(arcs.max_t[bad], 1.0)):
            out.append(((p.offer, p.need), _candidate(problem, proposal_dict(p))))
    return out


def test_a_model_that_loves_illegal_pairs_cannot_make_them_eligible(demo):
    """Train on decisions that favour exactly what illegal pairs look like; they still never appear."""
    session, matches = demo
    problem = build_problem(session, settings=SETTINGS)
    offers = [r for r in problem.o.refs if r.startswith("O-0")][:30]
    illegal = _illegal_candidates(problem, offers)
    legal_pool = recommend(session, offers, top=15, settings=SETTINGS, learned=False)
    legal = [(r["offer"], r["need"], r) for res in legal_pool["results"] for r in res["recommendations"]]
    assert len(illegal) > 50 and legal
    # A probe learns what separates illegal from legal candidates; coordinators then approve what looks illegal.
    x_legal = feature_matrix(_candidate(problem, r) for _, _, r in legal)
    x_illegal = feature_matrix(c for _, c in illegal)
    probe = DecisionModel().fit(np.vstack([x_illegal, x_legal]), [1] * len(x_illegal) + [0] * len(x_legal))
    looks_illegal = {}
    for m in matches:
        looks_illegal[m.id] = float(probe.predict_proba(feature_matrix([learning.match_candidate(
            m, waste_code=m.offer.waste_code, purpose=m.need.purpose)]))[0])
    cut = float(np.median(list(looks_illegal.values())))
    decide(session, matches[:60], lambda m: looks_illegal[m.id] > cut)
    learning.train(session, "t")
    model = learning.active_decision_model(session)
    p_illegal = model.predict_proba(x_illegal)
    p_legal = model.predict_proba(x_legal)
    assert p_illegal.mean() > p_legal.mean()  # the learnt preference points at the illegal pairs
    banned = {pair for pair, _ in illegal}
    doc = recommend(session, offers, top=5, settings=SETTINGS)
    shown = [(r["offer"], r["need"]) for res in doc["results"] for r in res["recommendations"]]
    assert shown and not set(shown) & banned
    engine = recommend(session, offers, top=5 * learning.POOL_FACTOR, settings=SETTINGS, learned=False)
    assert set(shown) <= {(r["offer"], r["need"]) for res in engine["results"] for r in res["recommendations"]}
    for res in doc["results"]:
        for r in res["recommendations"]:
            assert all(c["passed"] for c in r["checks"] if c["hard"]), (r["offer"], r["need"])
            assert "approval_probability" in r

