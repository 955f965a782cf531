"""``/ranking-model``: the model learnt from coordinators' decisions that re-ranks recommendations."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from marketplace.services.matching import learning
from matching.reranker import MAX_FOLDS

from ..database import db_session
from .common import current_principal, documents_errors, requires

URL_PREFIX = "/ranking-model"
blp = Blueprint("ranking", __name__, description="Re-ranking model learnt from decisions (决策学习排序模型)")


class RankingMetricSchema(Schema):
    name = fields.String(required=True, metadata={"description": "Validation metric (stratified k-fold ROC AUC)"})
    value = fields.Float(allow_none=True, required=True)
    sd = fields.Float(allow_none=True)
    folds = fields.List(fields.Float(), required=True)
    baseline_weight_auc = fields.Float(allow_none=True, metadata={
        "description": "ROC AUC of the engine's weight alone, for comparison"})


class RankingFeatureSchema(Schema):
    name = fields.String(required=True)
    coefficient = fields.Float(required=True, metadata={
        "description": "Standardised logistic-regression coefficient: positive favours approval"})


class RankingModelSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    trained_at = fields.String(allow_none=True, required=True)
    active = fields.Boolean(required=True)
    decisions = fields.Integer(required=True)
    approved = fields.Integer(required=True)
    rejected = fields.Integer(required=True)
    base_rate = fields.Float(allow_none=True, metadata={"description": "Share of approvals among the decisions"})
    metric = fields.Nested(RankingMetricSchema, required=True)
    features = fields.List(fields.Nested(RankingFeatureSchema), required=True)


class TrainRankingSchema(Schema):
    folds = fields.Integer(load_default=MAX_FOLDS, validate=validate.Range(min=2, max=10),
                           metadata={"description": "Cross-validation folds (capped by the smaller class)"})


@blp.route("")
@requires(blp)
@blp.response(200, RankingModelSchema)
@documents_errors(blp, 404)
def get_model():
    """The active model: when it was trained, on how many decisions, its validation metric and features."""
    return learning.model_dict(learning.current_model(db_session()))


@blp.route("/train", methods=["POST"])
@requires(blp, "coordinator", "admin")
@blp.arguments(TrainRankingSchema, required=False)
@blp.response(201, RankingModelSchema)
@documents_errors(blp, 409)
def train_model(body):
    """Train on every coordinator decision and make the new model active (409 when too few decisions)."""
    row = learning.train_model(db_session(), current_principal(), folds=(body or {}).get("folds", MAX_FOLDS))
    return learning.model_dict(row)
