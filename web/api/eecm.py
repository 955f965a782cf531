"""``/eecm``: EECM assessments (EECM 评估) — a park's indicator tree, self-assessments, coordinator scoring.

Enterprise users self-assess their own enterprise and submit; coordinators of its park (admins anywhere)
score it; the park's coordinators set the park's tree. Every permission is the service's.
"""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from marketplace.models import EECM_STATUSES
from marketplace.services.governance import eecm

from ..database import db_session
from .common import NO_NUL, PageArgs, RejectsNul, current_principal, documents_errors, page_of, paginate, requires

URL_PREFIX = "/eecm"
blp = Blueprint("eecm", __name__, description="EECM assessments (EECM 评估)")

SCORES = fields.Dict(keys=fields.String(validate=[validate.Length(min=1, max=20), NO_NUL]), values=fields.Dict(),
                     required=True, metadata={"description": '{"LEAF": {"score": 0…1, "evidence"|"note": "…"}}; '
                                                             "a score is one of the leaf's scoring rule"})


class EecmTreeViewSchema(Schema):
    park = fields.String(required=True)
    custom = fields.Boolean(required=True, metadata={"description": "the park has its own tree"})
    override = fields.Dict(allow_none=True, metadata={"description": "the park's stored tree (null: the default)"})
    tree = fields.Dict(required=True, metadata={"description": "the tree in effect: bonus_max, elements"})


class EecmTreeBody(RejectsNul, Schema):
    tree = fields.Dict(required=True, allow_none=True,
                       metadata={"description": "the park's tree in the shape GET returns under tree; null: default"})


class EecmEnterpriseSchema(Schema):
    ref = fields.String(required=True)
    name = fields.String(required=True)


class EecmAssessmentSchema(Schema):
    """One assessment: the self-scores with evidence, the coordinator's scores with notes, results by node."""

    id = fields.Integer(required=True)
    enterprise = fields.Nested(EecmEnterpriseSchema, required=True)
    park = fields.String(allow_none=True)
    year = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": list(EECM_STATUSES)})
    self_scores = fields.Dict(required=True)
    scores = fields.Dict(required=True)
    self_total = fields.Float(required=True, metadata={"description": "0…1 over the park's tree"})
    self_missing = fields.List(fields.String(), required=True)
    self_by_node = fields.Dict(keys=fields.String(), values=fields.Float())
    total = fields.Float(allow_none=True, metadata={"description": "the coordinator's result, 0…1"})
    bonus = fields.Float(allow_none=True, metadata={"description": "what the result adds to the A–D rating"})
    by_node = fields.Dict(keys=fields.String(), values=fields.Float())
    missing = fields.List(fields.String(), metadata={"description": "leaves the coordinator left out (count 0)"})
    submitted_at = fields.String(allow_none=True)
    scored_at = fields.String(allow_none=True)
    scored_by = fields.String(allow_none=True)


class EecmListArgs(PageArgs):
    park = fields.String(validate=[validate.Length(min=1, max=16), NO_NUL])
    year = fields.Integer(validate=validate.Range(min=eecm.MIN_YEAR, max=eecm.MAX_YEAR))
    status = fields.String(validate=validate.OneOf(EECM_STATUSES))


class EecmSelfAssessBody(RejectsNul, Schema):
    enterprise = fields.String(required=True, validate=[validate.Length(min=1, max=64), NO_NUL])
    year = fields.Integer(required=True, validate=validate.Range(min=eecm.MIN_YEAR, max=eecm.MAX_YEAR))
    scores = SCORES


class EecmScoreBody(RejectsNul, Schema):
    scores = SCORES


@blp.route("/parks/<code>/tree")
@requires(blp)
@blp.response(200, EecmTreeViewSchema)
@documents_errors(blp, 403, 404)
def get_tree(code: str):
    """The park's EECM indicator tree (its coordinators, admins and its enterprises)."""
    return eecm.park_tree_view(db_session(), current_principal(), code)


@blp.route("/parks/<code>/tree", methods=["PUT"])
@requires(blp, "coordinator", "admin")
@blp.arguments(EecmTreeBody)
@blp.response(200, EecmTreeViewSchema)
@documents_errors(blp, 404, 422)
def put_tree(body, code: str):
    """Store the park's own tree (validated, each error by path; null: back to the default), audited."""
    return eecm.set_park_tree(db_session(), current_principal(), code, body["tree"])


@blp.route("/assessments")
@requires(blp)
@blp.arguments(EecmListArgs, location="query")
@blp.response(200, page_of(EecmAssessmentSchema, "EecmAssessmentPage"))
@documents_errors(blp, 403, 404)
def list_assessments(args):
    """The assessments the caller may see, newest year first (filters: park, year, status)."""
    session = db_session()
    stmt = eecm.list_assessments(session, current_principal(), park=args.get("park"), year=args.get("year"),
                                 status=args.get("status"))
    return paginate(session, stmt, args, lambda rows: [eecm.assessment_view(session, a) for a in rows])


@blp.route("/assessments", methods=["POST"])
@requires(blp)
@blp.arguments(EecmSelfAssessBody)
@blp.response(200, EecmAssessmentSchema)
@documents_errors(blp, 403, 404, 409, 422)
def self_assess(body):
    """Save the enterprise's self-scores of a year (a draft, created on first use; merged over earlier saves).

    Only the enterprise's own users assess it: the service answers anyone else 403 (or 404 if they cannot see it)."""
    session = db_session()
    a = eecm.self_assess(session, current_principal(), body["enterprise"], body["year"], body["scores"])
    return eecm.assessment_view(session, a)


@blp.route("/assessments/<int:assessment_id>")
@requires(blp)
@blp.response(200, EecmAssessmentSchema)
@documents_errors(blp, 404)
def get_assessment(assessment_id: int):
    """One assessment (its enterprise's users, its park's coordinators, admins)."""
    session = db_session()
    return eecm.assessment_view(session, eecm.get_assessment(session, current_principal(), assessment_id))


@blp.route("/assessments/<int:assessment_id>/submit", methods=["POST"])
@requires(blp)
@blp.response(200, EecmAssessmentSchema)
@documents_errors(blp, 403, 404, 409, 422)
def submit(assessment_id: int):
    """Submit the draft for scoring (every leaf needs a self-score); the park's coordinators are told."""
    session = db_session()
    return eecm.assessment_view(session, eecm.submit(session, current_principal(), assessment_id))


@blp.route("/assessments/<int:assessment_id>/score", methods=["POST"])
@requires(blp, "coordinator", "admin")
@blp.arguments(EecmScoreBody)
@blp.response(200, EecmAssessmentSchema)
@documents_errors(blp, 404, 409, 422)
def score(body, assessment_id: int):
    """Score a submitted (or re-score a scored) assessment: total and rating bonus; the enterprise is told."""
    session = db_session()
    return eecm.assessment_view(session, eecm.score_assessment(session, current_principal(), assessment_id,
                                                               body["scores"]))
