"""``/collection-rounds``: pooled collection rounds (小微企业危险废物集中收集).

A park's coordinators plan a collector's day over the small producers around it (``POST``: the OR-Tools plan
and, beside it, a nearest-neighbour round on the same pick-ups), put its stops into the match workflow
(``/propose``: every pair's hard checks) and, once matches are approved, write one manifest per pick-up
(``/manifests``). Enterprise users are refused (403) or see no round (404): a round names every producer on
it and where it is; the collector and the producers see their pick-ups as matches and manifests.
"""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from marketplace.services.traceability import pooled_collection as pooled

from ..database import db_session
from .common import RejectsNul, current_principal, documents_errors, requires

URL_PREFIX = "/collection-rounds"
blp = Blueprint("collection_rounds", __name__, description="Pooled collection rounds (小微企业危险废物集中收集)")


class VehicleSchema(RejectsNul, Schema):
    ref = fields.String(required=True, validate=validate.Length(min=1, max=40))
    capacity_t = fields.Float(required=True, validate=validate.Range(min=0, max=60, min_inclusive=False))
    shift_start_min = fields.Integer(validate=validate.Range(0, 1440))
    shift_end_min = fields.Integer(validate=validate.Range(0, 1440))


class PlanRequestSchema(RejectsNul, Schema):
    collector = fields.String(required=True, validate=validate.Length(min=1, max=64))
    day = fields.Date(required=True)
    vehicles = fields.List(fields.Nested(VehicleSchema), validate=validate.Length(min=1, max=pooled.MAX_VEHICLES))
    need = fields.String(validate=validate.Length(min=1, max=64), metadata={
        "description": "the collector's need listing the pick-ups go to (default: its first active need)"})
    radius_km = fields.Float(validate=validate.Range(min=0, max=500, min_inclusive=False))
    time_limit_s = fields.Float(validate=validate.Range(min=0.1, max=120))


class StopSchema(Schema):
    vehicle = fields.String(required=True)
    sequence = fields.Integer(required=True)
    offer = fields.String(allow_none=True)
    producer = fields.String(allow_none=True)
    producer_name = fields.String(allow_none=True)
    waste_code = fields.String(required=True)
    quantity_t = fields.Float(required=True)
    arrive = fields.String(required=True, metadata={"description": "HH:MM, park time"})
    km_from_previous = fields.Float(required=True)
    load_t = fields.Float(required=True)
    match = fields.Integer(allow_none=True)
    shipment = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True, metadata={"description": "why the stop has no match (中文 / English)"})


class BaselineSchema(Schema):
    planner = fields.String(required=True)
    total_km = fields.Float(required=True)
    total_hours = fields.Float(required=True)
    served = fields.Integer(required=True)


class RoundSchema(Schema):
    id = fields.Integer(required=True)
    collector = fields.String(required=True)
    day = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": ["planned", "proposed", "manifested", "cancelled"]})
    licence = fields.String(required=True)
    vehicles = fields.List(fields.Dict(), required=True)
    vehicles_used = fields.Integer(required=True)
    total_km = fields.Float(required=True)
    total_hours = fields.Float(required=True)
    solve_s = fields.Float(required=True)
    baseline = fields.Nested(BaselineSchema, required=True)
    km_saved = fields.Float(required=True)
    km_saved_pct = fields.Float(allow_none=True)
    stops = fields.List(fields.Nested(StopSchema), required=True)
    unserved = fields.List(fields.Dict(), required=True)
    created_at = fields.String(allow_none=True)


class RoundListSchema(Schema):
    rounds = fields.List(fields.Nested(RoundSchema), required=True)


@blp.route("")
@requires(blp)
@blp.response(200, RoundListSchema)
def list_rounds():
    """The rounds the caller may see, newest day first."""
    session = db_session()
    return {"rounds": [pooled.round_view(session, r) for r in pooled.list_rounds(session, current_principal())]}


@blp.route("", methods=["POST"])
@requires(blp)
@blp.arguments(PlanRequestSchema)
@blp.response(201, RoundSchema)
@documents_errors(blp, 403, 404, 422)
def plan(body):
    """Plan a collector's round of a day and store it (``planned``)."""
    session = db_session()
    vehicles = [dict(v) for v in body["vehicles"]] if body.get("vehicles") else None
    rnd = pooled.plan_round(session, current_principal(), body["collector"], body["day"], vehicles=vehicles,
                            need_ref=body.get("need"), radius_km=body.get("radius_km", pooled.RADIUS_KM),
                            time_limit_s=body.get("time_limit_s"))
    return pooled.round_view(session, rnd)


@blp.route("/<int:round_id>")
@requires(blp)
@blp.response(200, RoundSchema)
@documents_errors(blp, 404)
def get_round(round_id: int):
    """One round."""
    session = db_session()
    return pooled.round_view(session, pooled.get_round(session, current_principal(), round_id))


@blp.route("/<int:round_id>/propose", methods=["POST"])
@requires(blp)
@blp.response(200, RoundSchema)
@documents_errors(blp, 403, 404, 409)
def propose(round_id: int):
    """Put every stop into the match workflow (each pair's hard checks; a refused one keeps its reason)."""
    session = db_session()
    return pooled.round_view(session, pooled.propose_round(session, current_principal(), round_id))


@blp.route("/<int:round_id>/manifests", methods=["POST"])
@requires(blp)
@blp.response(200, RoundSchema)
@documents_errors(blp, 403, 404, 409)
def manifests(round_id: int):
    """One manifest per approved pick-up that has none yet."""
    session = db_session()
    return pooled.round_view(session, pooled.issue_manifests(session, current_principal(), round_id))
