"""``/decisions``: coordinators' approvals and rejections with their reasons (the ranking model's training data)."""
from __future__ import annotations

import datetime as dt

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from marketplace.services.matching import approvals, workflow

from ..database import db_session
from .common import (NO_NUL, PageArgs, current_principal, documents_errors, page_of, paginate, requires,
                     utc_argument)

URL_PREFIX = "/decisions"
blp = Blueprint("decisions", __name__, description="Coordinator decisions (审批记录)")


class CoordinatorDecisionSchema(Schema):
    match = fields.Integer(required=True)
    decision = fields.String(required=True, metadata={"enum": ["approve", "reject"]})
    reason = fields.String(allow_none=True)
    decided_at = fields.String(allow_none=True)
    decided_by = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "the match's state now"})
    offer = fields.Integer()
    need = fields.Integer()
    offer_ref = fields.String()
    need_ref = fields.String()
    park = fields.String(allow_none=True)
    quantity_t = fields.Float()
    weight = fields.Integer()
    score = fields.Float()
    distance_km = fields.Float()
    similarity = fields.Float()
    source = fields.String()


class DecisionListArgs(PageArgs):
    decision = fields.String(validate=validate.OneOf(["approve", "reject"]))
    park = fields.String(validate=[validate.Length(min=1, max=16), NO_NUL])
    since = fields.AwareDateTime(default_timezone=dt.timezone.utc)


@blp.route("")
@requires(blp, "admin", "coordinator")
@blp.arguments(DecisionListArgs, location="query")
@blp.response(200, page_of(CoordinatorDecisionSchema, "CoordinatorDecisionPage"))
@documents_errors(blp, 404)
def list_decisions(args):
    """Approvals and rejections on matches touching the caller's parks (admins: all), newest first."""
    session, principal = db_session(), current_principal()
    since = args.get("since")
    stmt = approvals.decided_matches(session, principal, decision=args.get("decision"),
                                     since=utc_argument(since) if since else None, park=args.get("park"))
    return paginate(session, stmt, args, lambda rows: workflow.decision_views(session, rows))
