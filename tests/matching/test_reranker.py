"""The decision model: features, fitting, validation, plain-JSON parameters and the rank score."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

from matching.problem import PURPOSES
from matching.reranker import (
    FEATURES,
    MIN_DECISIONS,
    MIN_PER_CLASS,
    Candidate,
    DecisionModel,
    _estimator,
    feature_matrix,
    rank_score,
    shortfall,
    validate,
)

PROPOSAL = {
    "similarity": 0.8, "distance_km": 12.5, "weight": 420, "quantity_t": 99.0,
    "similarity_blocks": {"composition": 0.9, "text": 0.5},
    "terms": {"quality": 300.0, "hierarchy": 150.0, "diversion": 20.0, "price": -10.0, "transport": -40.0,
              "weight": 420},
    "checks": [{"code": "hw_licence", "passed": True, "hard": True, "detail": ""},
               {"code": "exemption", "passed": False, "hard": False, "detail": "exemption 3 lifts the licence"},
               {"code": "cross_province_transfer", "passed": True, "hard": False, "detail": ""},
               {"code": "distance", "passed": False, "hard": True, "detail": "a failed hard check is no flag"}],
}


def _synthetic(n: int = 120, seed: int = 1, signal: float = 3.0) -> tuple[np.ndarray, np.ndarray]:
    """Candidates whose approval depends on distance and similarity (plus noise)."""
    rng = np.random.default_rng(seed)
    cands, labels = [], []
    for _ in range(n):
        sim, dist = rng.uniform(0.2, 1.0), rng.uniform(1, 150)
        c = Candidate(similarity=sim, distance_km=dist, weight=rng.integers(-50, 900), quantity_t=rng.uniform(1, 500),
                      hazardous=bool(rng.integers(0, 2)), purpose=PURPOSES[int(rng.integers(0, len(PURPOSES)))],
                      similarity_blocks={"composition": sim}, terms={"transport": -dist * 1.5})
        z = signal * (sim - 0.6) * 5 - signal * (dist - 75) / 40 + rng.normal(0, 1)
        cands.append(c)
        labels.append(int(z > 0))
    return feature_matrix(cands), np.array(labels)


def test_features_of_a_proposal():
    c = Candidate.from_proposal(PROPOSAL, hazardous=True, purpose="recycle")
    v = dict(zip(FEATURES, c.vector()))
    assert len(c.vector()) == len(FEATURES) and len(set(FEATURES)) == len(FEATURES)
    assert v["similarity"] == 0.8 and v["block_composition"] == 0.9 and v["block_elements"] == 0.0
    assert v["distance_km"] == 12.5 and v["weight"] == 420 and v["term_transport"] == -40.0
    assert v["hazardous"] == 1.0 and v["purpose_recycle"] == 1.0
    assert sum(v[f"purpose_{p}"] for p in PURPOSES) == 1.0
    # only soft checks that did not pass are flags
    assert v["flag_exemption"] == 1.0 and v["flag_cross_province_transfer"] == 0.0
    assert v["log_quantity_t"] == pytest.approx(math.log1p(99.0))


def test_feature_matrix_of_nothing_has_the_right_width():
    assert feature_matrix([]).shape == (0, len(FEATURES))


def test_shortfall_names_the_counts():
    assert shortfall(MIN_DECISIONS - MIN_PER_CLASS, MIN_PER_CLASS) is None
    msg = shortfall(20, 3)
    assert msg is not None and "23" in msg and "20 approved" in msg and "3 rejected" in msg and "需要" in msg
    assert shortfall(100, MIN_PER_CLASS - 1) is not None  # plenty of decisions, but one class too thin
    assert shortfall(MIN_DECISIONS - 1 - MIN_PER_CLASS, MIN_PER_CLASS) is not None


def test_model_matches_scikit_learn_and_survives_json():
    x, y = _synthetic()
    model = DecisionModel().fit(x, y)
    reference = _estimator(1.0).fit(x, y).predict_proba(x)[:, 1]
    assert np.allclose(model.predict_proba(x), reference, atol=1e-9)
    params = json.loads(json.dumps(model.to_params()))  # plain JSON, nothing pickled
    again = DecisionModel.from_params(params)
    assert np.allclose(again.predict_proba(x), model.predict_proba(x))
    coef = model.coefficients()
    assert coef["distance_km"] < 0 < coef["similarity"]  # it learnt what the decisions say


def test_from_params_refuses_foreign_parameters():
    x, y = _synthetic()
    params = DecisionModel().fit(x, y).to_params()
    with pytest.raises(ValueError, match="kind"):
        DecisionModel.from_params({**params, "kind": "pickle"})
    with pytest.raises(ValueError, match="features"):
        DecisionModel.from_params({**params, "features": params["features"][:-1]})
    with pytest.raises(ValueError, match="parameters"):
        DecisionModel.from_params({**params, "coef": params["coef"][:-1]})


def test_fit_refuses_one_class_and_bad_shapes():
    x, y = _synthetic()
    with pytest.raises(ValueError, match="both"):
        DecisionModel().fit(x, np.ones_like(y))
    with pytest.raises(ValueError, match="must be"):
        DecisionModel().fit(x[:, :3], y)
    with pytest.raises(ValueError, match="labels"):
        DecisionModel().fit(x, y * 2)
    with pytest.raises(RuntimeError):
        DecisionModel().predict_proba(x)


def test_validation_reports_auc_counts_and_base_rate():
    x, y = _synthetic()
    v = validate(x, y)
    assert v.metric == "roc_auc" and len(v.folds) == 5 and v.mean > 0.9 and v.sd >= 0
    assert v.decisions == len(y) and v.approved == int(y.sum()) and v.rejected == len(y) - int(y.sum())
    assert v.base_rate == pytest.approx(y.mean())
    assert v.baseline_weight_auc is not None
    assert json.loads(json.dumps(v.as_dict()))["mean"] == round(v.mean, 4)


def test_validation_of_noise_is_near_chance():
    x, _ = _synthetic(n=200, seed=3)
    y = np.random.default_rng(7).integers(0, 2, size=len(x))
    assert abs(validate(x, y).mean - 0.5) < 0.15


def test_folds_are_capped_by_the_smaller_class():
    x, y = _synthetic(n=60)
    y = np.zeros(len(x), dtype=int)
    y[:3] = 1
    assert len(validate(x, y).folds) == 3
    y[:2] = 0
    with pytest.raises(ValueError, match="two"):
        validate(x, y)


def test_rank_score_rises_with_probability_whatever_the_sign():
    for w in (800, 1, 0, -1, -300):
        scores = [rank_score(w, p) for p in (0.0, 0.25, 0.5, 0.75, 1.0)]
        assert scores == sorted(scores)
        assert rank_score(w, 0.5) == pytest.approx(w)
    assert rank_score(800, 1.0) == pytest.approx(1200) and rank_score(800, 0.0) == pytest.approx(400)
    assert rank_score(-300, 1.0) == pytest.approx(-150)
