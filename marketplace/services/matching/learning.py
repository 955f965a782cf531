"""Learning from coordinators' decisions: train, store and apply the re-ranking model.

A decision is a match a coordinator decided (``decided_by`` set): approved, in
transfer or completed counts as approved, rejected as rejected; the reason given is
kept with it. The model only *reorders* the engine's legal recommendations: the
engine has already removed every pair failing a hard check, and ``rerank`` neither
adds nor drops a candidate.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, aliased

from catalog.waste_codes import is_hw_code
from matching.problem import Problem
from matching.reranker import (
    KIND,
    MAX_FOLDS,
    MIN_DECISIONS,
    MIN_PER_CLASS,
    Candidate,
    DecisionModel,
    feature_matrix,
    rank_score,
    shortfall,
    validate,
)

from ...errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...models import Listing, Match, RankingModel
from ..accounts import audit
from ..accounts.users import Principal

APPROVED_STATUSES = ("approved", "in_transfer", "completed")
REJECTED_STATUSES = ("rejected",)
# recommend() asks the engine for this many times ``top`` legal candidates, so that the model has some to reorder.
POOL_FACTOR = 3
_CACHE: dict[int, tuple[dict[str, Any], DecisionModel]] = {}


@dataclass(frozen=True)
class Decision:
    """One labelled example: the match, its outcome, the coordinator's reason, and what the model sees."""

    match_id: int
    approved: bool
    status: str
    reason: str | None
    decided_by: str
    candidate: Candidate


def match_candidate(match: Match, *, waste_code: str | None, purpose: str | None) -> Candidate:
    """What the model sees of a stored match (its terms, similarity, distance and checks as the engine wrote them)."""
    terms = dict(match.terms or {})
    doc = {"similarity": match.similarity, "distance_km": match.distance_km, "weight": match.weight,
           "quantity_t": match.quantity_t, "similarity_blocks": terms.pop("similarity_blocks", None) or {},
           "terms": terms, "checks": match.checks or []}
    return Candidate.from_proposal(doc, hazardous=bool(waste_code and is_hw_code(waste_code)), purpose=purpose or "")


def decisions(session: Session) -> list[Decision]:
    """Every coordinator decision on record, oldest first."""
    offer, need = aliased(Listing), aliased(Listing)
    rows = session.execute(
        select(Match, offer.waste_code, need.purpose)
        .join(offer, Match.offer_id == offer.id).join(need, Match.need_id == need.id)
        .where(Match.decided_by.is_not(None), Match.status.in_(APPROVED_STATUSES + REJECTED_STATUSES))
        .order_by(Match.decided_at, Match.id))
    return [Decision(match_id=m.id, approved=m.status in APPROVED_STATUSES, status=m.status, reason=m.status_reason,
                     decided_by=m.decided_by, candidate=match_candidate(m, waste_code=code, purpose=purpose))
            for m, code, purpose in rows]


def decision_counts(session: Session) -> dict[str, int]:
    """How many decisions there are, and how many more are needed before a model can be trained."""
    ds = decisions(session)
    approved = sum(d.approved for d in ds)
    return {"decisions": len(ds), "approved": approved, "rejected": len(ds) - approved,
            "min_decisions": MIN_DECISIONS, "min_per_class": MIN_PER_CLASS}


def train(session: Session, actor: str, *, folds: int = MAX_FOLDS) -> RankingModel:
    """Fit the decision model on every decision, validate it, store it and make it the active one.

    Raises ``Conflict`` (409) naming the counts when there are too few decisions.
    """
    if not 2 <= folds <= 10:
        raise ValidationFailed("folds must be between 2 and 10 (交叉验证折数须在 2 到 10 之间)",
                               {"folds": ["must be between 2 and 10"]})
    ds = decisions(session)
    approved = sum(d.approved for d in ds)
    rejected = len(ds) - approved
    missing = shortfall(approved, rejected)
    if missing:
        raise Conflict(f"not enough coordinator decisions to train the ranking model (决定数量不足): {missing}",
                       {"decisions": [missing]})
    x = feature_matrix(d.candidate for d in ds)
    y = [int(d.approved) for d in ds]
    validation = validate(x, y, folds=folds)
    model = DecisionModel().fit(x, y)
    # Reasons stay with the decisions (``decisions()``); the model keeps only how many gave one.
    metrics = {**validation.as_dict(), "coefficients": model.coefficients(),
               "with_reason": sum(1 for d in ds if d.reason and d.reason.strip())}
    session.execute(update(RankingModel).where(RankingModel.active.is_(True)).values(active=False))
    row = RankingModel(actor=actor, kind=KIND, decisions=len(ds), approved=approved, rejected=rejected,
                       metric_name=validation.metric, metric_value=round(validation.mean, 4), metrics=metrics,
                       parameters=model.to_params(), active=True)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="train", entity_type="ranking_model", entity_key=str(row.id),
                 changes={"decisions": [None, len(ds)], "roc_auc": [None, row.metric_value]},
                 context={"approved": approved, "rejected": rejected, "folds": len(validation.folds)})
    return row


def train_model(session: Session, principal: Principal, *, folds: int = MAX_FOLDS) -> RankingModel:
    """``train`` as ``principal``: coordinators and admins train the model (403 for anyone else)."""
    if not (principal.is_admin or principal.is_coordinator):
        raise Forbidden(f"only coordinators and admins train the ranking model; you are {principal.role} (权限不足)",
                        {"role": ["requires coordinator or admin (仅限园区管理者或系统管理员)"]})
    return train(session, principal.actor, folds=folds)


def current_model(session: Session) -> RankingModel:
    """The active model; ``NotFound`` naming the decisions on record (and what training needs) when there is none.

    Anyone may read it: it names nobody."""
    row = active_model(session)
    if row is None:
        counts = decision_counts(session)
        raise NotFound(f"no ranking model has been trained yet; {counts['decisions']} decisions on record "
                       f"({counts['approved']} approved, {counts['rejected']} rejected), training needs "
                       f"{counts['min_decisions']} with {counts['min_per_class']} of each "
                       f"(尚未训练排序模型：已有 {counts['decisions']} 条决定，批准 {counts['approved']} 条、"
                       f"驳回 {counts['rejected']} 条；训练至少需要 {counts['min_decisions']} 条，"
                       f"批准和驳回各至少 {counts['min_per_class']} 条)",
                       {"ranking_model": ["none trained yet (尚未训练)"]})
    return row


def active_model(session: Session) -> RankingModel | None:
    """The model recommendations are re-ranked with (the newest active one), or ``None``."""
    return session.scalar(select(RankingModel).where(RankingModel.active.is_(True))
                          .order_by(RankingModel.id.desc()).limit(1))


def active_decision_model(session: Session) -> DecisionModel | None:
    """The active model, ready to score (parsed once per stored model)."""
    row = active_model(session)
    if row is None:
        return None
    cached = _CACHE.get(row.id)
    # Ids repeat across databases and rolled-back transactions: the parameters are the key that counts.
    if cached is not None and cached[0] == row.parameters:
        return cached[1]
    try:
        model = DecisionModel.from_params(row.parameters)
    except (KeyError, TypeError, ValueError):
        return None  # a model of another feature version: rank as the engine does until retrained
    if len(_CACHE) > 8:
        _CACHE.clear()
    _CACHE[row.id] = (row.parameters, model)
    return model


def candidate_context(problem: Problem, offer_ref: str, need_ref: str) -> tuple[bool, str]:
    """Whether the offer is hazardous waste, and the need's purpose (the two features a proposal lacks)."""
    offer = problem.offers[problem.o.ref_index[offer_ref]]
    need = problem.needs[problem.n.ref_index[need_ref]]
    return bool(offer.waste_code and is_hw_code(offer.waste_code)), need.purpose


def rerank(model: DecisionModel | None, recommendations: Sequence[dict[str, Any]],
           problem: Problem) -> list[dict[str, Any]]:
    """The same recommendations, reordered by ``rank_score`` and carrying ``approval_probability``.

    Only ever a permutation of its input: a pair the engine left out (it failed a hard
    check) cannot come back, however much coordinators liked pairs like it.
    """
    recs = list(recommendations)
    if model is None or not recs:
        return recs
    candidates = []
    for r in recs:
        hazardous, purpose = candidate_context(problem, r["offer"], r["need"])
        candidates.append(Candidate.from_proposal(r, hazardous=hazardous, purpose=purpose))
    x = feature_matrix(candidates)
    probabilities = model.predict_proba(x)
    out = [{**r, "approval_probability": round(float(p), 4), "rank_score": round(rank_score(r["weight"], float(p)), 2)}
           for r, p in zip(recs, probabilities)]
    order = sorted(range(len(out)), key=lambda i: -out[i]["rank_score"])  # stable: ties keep the engine's order
    return [out[i] for i in order]


def model_dict(row: RankingModel) -> dict[str, Any]:
    """A stored model as the API and ``wastematch model show`` report it."""
    m = row.metrics or {}
    coefficients = m.get("coefficients") or {}
    return {"id": row.id, "kind": row.kind, "trained_at": row.trained_at.isoformat() if row.trained_at else None,
            "active": bool(row.active), "decisions": row.decisions, "approved": row.approved,
            "rejected": row.rejected, "base_rate": m.get("base_rate"),
            "metric": {"name": row.metric_name, "value": row.metric_value, "sd": m.get("sd"),
                       "folds": m.get("folds", []), "baseline_weight_auc": m.get("baseline_weight_auc")},
            "features": [{"name": k, "coefficient": v} for k, v in coefficients.items()]}


__all__ = ["APPROVED_STATUSES", "POOL_FACTOR", "REJECTED_STATUSES", "Decision", "active_decision_model", "active_model",
           "candidate_context", "current_model", "decision_counts", "decisions", "match_candidate", "model_dict",
           "rerank", "train", "train_model"]
