"""Learning from coordinators' decisions: a model of which legal proposals get approved.

Every approved or rejected match is one labelled example, described by what the
engine already explained about it (similarity and its blocks, distance, the weight
and its terms, hazard, the need's purpose, the soft flags, the quantity). A
standardised logistic regression (``class_weight="balanced"``: rejections are
rarer than approvals) gives each new candidate an approval probability, which the
marketplace uses to *reorder* the engine's legal recommendations — never to add one.

Parameters are plain numbers (``to_params``/``from_params``), so a stored model is
readable and loading one never executes code. Scoring is NumPy only.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .problem import PURPOSES
from .similarity import BLOCKS

KIND = "logistic_regression.v1"
# Below this many decisions (or this many of either class) validation means nothing.
MIN_DECISIONS = 30
MIN_PER_CLASS = 5
MAX_FOLDS = 5
TERM_FEATURES = ("hierarchy", "diversion", "price", "transport")
FLAG_FEATURES = ("exemption", "cross_province_transfer")
FEATURES: tuple[str, ...] = (
    ("similarity",)
    + tuple(f"block_{b}" for b in BLOCKS)
    + ("distance_km", "weight")
    + tuple(f"term_{t}" for t in TERM_FEATURES)
    + ("hazardous",)
    + tuple(f"purpose_{p}" for p in PURPOSES)
    + tuple(f"flag_{f}" for f in FLAG_FEATURES)
    + ("log_quantity_t",)
)


@dataclass(frozen=True)
class Candidate:
    """What the model sees of one offer → need pairing (a proposal or a decided match)."""

    similarity: float
    distance_km: float
    weight: float
    quantity_t: float
    hazardous: bool
    purpose: str
    similarity_blocks: Mapping[str, float] = field(default_factory=dict)
    terms: Mapping[str, float] = field(default_factory=dict)
    flags: frozenset[str] = frozenset()  # soft checks that did not pass

    @classmethod
    def from_proposal(cls, doc: Mapping[str, Any], *, hazardous: bool, purpose: str) -> Candidate:
        """From a proposal in the contract's shape (``similarity``, ``terms``, ``checks`` …)."""
        checks = doc.get("checks") or []
        return cls(similarity=float(doc.get("similarity") or 0.0), distance_km=float(doc.get("distance_km") or 0.0),
                   weight=float(doc.get("weight") or 0.0), quantity_t=float(doc.get("quantity_t") or 0.0),
                   hazardous=bool(hazardous), purpose=purpose or "dispose",
                   similarity_blocks=dict(doc.get("similarity_blocks") or {}), terms=dict(doc.get("terms") or {}),
                   flags=frozenset(c["code"] for c in checks if not c.get("passed") and not c.get("hard")))

    def vector(self) -> list[float]:
        """The values of :data:`FEATURES`, in order."""
        out = [self.similarity]
        out += [float(self.similarity_blocks.get(b, 0.0)) for b in BLOCKS]
        out += [self.distance_km, self.weight]
        out += [float(self.terms.get(t, 0.0)) for t in TERM_FEATURES]
        out += [1.0 if self.hazardous else 0.0]
        out += [1.0 if self.purpose == p else 0.0 for p in PURPOSES]
        out += [1.0 if f in self.flags else 0.0 for f in FLAG_FEATURES]
        out += [math.log1p(max(self.quantity_t, 0.0))]
        return out


def feature_matrix(candidates: Iterable[Candidate]) -> np.ndarray:
    """One row per candidate, one column per feature of :data:`FEATURES`."""
    rows = [c.vector() for c in candidates]
    return np.asarray(rows, dtype=float).reshape(len(rows), len(FEATURES))


def shortfall(approved: int, rejected: int) -> str | None:
    """Why there are not enough decisions to train on, or ``None`` when there are."""
    if approved + rejected >= MIN_DECISIONS and min(approved, rejected) >= MIN_PER_CLASS:
        return None
    return (f"需要至少 {MIN_DECISIONS} 个决定（批准与驳回各至少 {MIN_PER_CLASS} 个），现有 {approved + rejected} 个"
            f"（批准 {approved}，驳回 {rejected}） / need at least {MIN_DECISIONS} decisions with at least "
            f"{MIN_PER_CLASS} approved and {MIN_PER_CLASS} rejected; have {approved + rejected} "
            f"({approved} approved, {rejected} rejected)")


def _estimator(c: float):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=c, class_weight="balanced", max_iter=2000))


@dataclass(frozen=True)
class Validation:
    """Stratified k-fold cross-validated ROC AUC, with the data it was measured on."""

    metric: str
    mean: float
    sd: float
    folds: list[float]
    decisions: int
    approved: int
    rejected: int
    base_rate: float  # share of approvals
    baseline_weight_auc: float | None  # how well the engine's weight alone separates the two

    def as_dict(self) -> dict[str, Any]:
        return {"metric": self.metric, "mean": round(self.mean, 4), "sd": round(self.sd, 4),
                "folds": [round(f, 4) for f in self.folds], "decisions": self.decisions, "approved": self.approved,
                "rejected": self.rejected, "base_rate": round(self.base_rate, 4),
                "baseline_weight_auc": None if self.baseline_weight_auc is None else round(self.baseline_weight_auc, 4)}


def _labels(y: Sequence[int] | np.ndarray) -> np.ndarray:
    y = np.asarray(y, dtype=int).ravel()
    if not set(np.unique(y).tolist()) <= {0, 1}:
        raise ValueError("labels must be 0 (rejected) or 1 (approved)")
    return y


def validate(x: np.ndarray, y: Sequence[int] | np.ndarray, *, folds: int = MAX_FOLDS, c: float = 1.0,
             seed: int = 0) -> Validation:
    """Cross-validated ROC AUC of :class:`DecisionModel` (folds capped by the smaller class)."""
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    y = _labels(y)
    approved, rejected = int(y.sum()), int(len(y) - y.sum())
    k = min(folds, approved, rejected)
    if k < 2:
        raise ValueError("validation needs at least two approved and two rejected decisions")
    cv = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    scores = cross_val_score(_estimator(c), np.asarray(x, dtype=float), y, cv=cv, scoring="roc_auc")
    weight = np.asarray(x, dtype=float)[:, FEATURES.index("weight")]
    baseline = float(roc_auc_score(y, weight)) if np.ptp(weight) > 0 else None
    return Validation(metric="roc_auc", mean=float(np.mean(scores)), sd=float(np.std(scores)),
                      folds=[float(s) for s in scores], decisions=len(y), approved=approved, rejected=rejected,
                      base_rate=approved / len(y), baseline_weight_auc=baseline)


class DecisionModel:
    """P(a coordinator approves | candidate): StandardScaler + LogisticRegression, balanced classes."""

    def __init__(self, *, c: float = 1.0, features: Sequence[str] = FEATURES) -> None:
        self.c = c
        self.features = tuple(features)
        self.mean: np.ndarray | None = None
        self.scale: np.ndarray | None = None
        self.coef: np.ndarray | None = None
        self.intercept: float = 0.0

    @property
    def fitted(self) -> bool:
        return self.coef is not None

    def fit(self, x: np.ndarray, y: Sequence[int] | np.ndarray) -> DecisionModel:
        """Fit on the feature matrix ``x`` and labels ``y`` (1 approved, 0 rejected)."""
        x = np.asarray(x, dtype=float)
        y = _labels(y)
        if x.shape != (len(y), len(self.features)):
            raise ValueError(f"x must be {len(y)} × {len(self.features)}, got {x.shape}")
        if len(set(y.tolist())) < 2:
            raise ValueError("training needs both approved and rejected decisions")
        pipe = _estimator(self.c).fit(x, y)
        scaler, lr = pipe[0], pipe[-1]
        self.mean = np.asarray(scaler.mean_, dtype=float)
        self.scale = np.asarray(scaler.scale_, dtype=float)
        self.coef = np.asarray(lr.coef_[0], dtype=float)
        self.intercept = float(lr.intercept_[0])
        return self

    def decision_function(self, x: np.ndarray) -> np.ndarray:
        if not self.fitted:
            raise RuntimeError("the model is not fitted")
        x = np.asarray(x, dtype=float).reshape(-1, len(self.features))
        return ((x - self.mean) / self.scale) @ self.coef + self.intercept

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """The approval probability of each row (a 1-D array, not sklearn's two columns)."""
        z = np.clip(self.decision_function(x), -500, 500)
        return 1.0 / (1.0 + np.exp(-z))

    def coefficients(self) -> dict[str, float]:
        """Per standardised feature: positive values push towards approval."""
        if not self.fitted:
            raise RuntimeError("the model is not fitted")
        return {f: round(float(w), 6) for f, w in zip(self.features, self.coef)}

    def to_params(self) -> dict[str, Any]:
        """Everything needed to score, as plain JSON."""
        if not self.fitted:
            raise RuntimeError("the model is not fitted")
        return {"kind": KIND, "c": self.c, "features": list(self.features), "mean": self.mean.tolist(),
                "scale": self.scale.tolist(), "coef": self.coef.tolist(), "intercept": self.intercept}

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> DecisionModel:
        """The model ``to_params`` described; refuses unknown kinds and mismatched features."""
        if params.get("kind") != KIND:
            raise ValueError(f"unknown model kind {params.get('kind')!r}; expected {KIND!r}")
        features = tuple(params["features"])
        if features != FEATURES:
            raise ValueError("the model was trained on other features than this version computes")
        model = cls(c=float(params.get("c", 1.0)), features=features)
        model.mean = np.asarray(params["mean"], dtype=float)
        model.scale = np.asarray(params["scale"], dtype=float)
        model.coef = np.asarray(params["coef"], dtype=float)
        model.intercept = float(params["intercept"])
        n = len(features)
        if not (model.mean.shape == model.scale.shape == model.coef.shape == (n,)):
            raise ValueError("model parameters do not match its features")
        return model


def rank_score(weight: float, probability: float) -> float:
    """The engine's weight nudged by the approval probability (equal to ``weight`` at p = 0.5).

    ``weight × (0.5 + p)`` for a non-negative weight and ``weight × (1.5 − p)`` for a
    negative one, so that a higher probability always ranks higher.
    """
    return weight * (0.5 + probability) if weight >= 0 else weight * (1.5 - probability)


__all__ = ["FEATURES", "KIND", "MIN_DECISIONS", "MIN_PER_CLASS", "Candidate", "DecisionModel", "Validation",
           "feature_matrix", "rank_score", "shortfall", "validate"]
