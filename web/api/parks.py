"""``/parks``: the industrial parks (园区) — public to every signed-in user; admins maintain them."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from marketplace.schemas.interchange import ParkSchema
from marketplace.services.accounts import parks as parks_service
from marketplace.services.reports import rating_policy

from ..database import db_session
from .common import PageArgs, RejectsNul, current_principal, documents_errors, page_of, paginate, requires

URL_PREFIX = "/parks"
blp = Blueprint("parks", __name__, description="Industrial parks (园区)")


# The interchange format's park is the API's park: one definition of what a valid park is.
class ParkPatch(ParkSchema):
    class Meta:
        exclude = ("code",)


PARK_PATCH = ParkPatch(partial=True)


@blp.route("")
@requires(blp)
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(ParkSchema, "ParkPage"))
def list_parks(args):
    """Every park, by code."""
    return paginate(db_session(), parks_service.all_parks(), args,
                    lambda rows: [parks_service.park_dict(p) for p in rows])


@blp.route("", methods=["POST"])
@requires(blp, "admin")
@blp.arguments(ParkSchema)
@blp.response(201, ParkSchema)
@documents_errors(blp, 409)
def create_park(body):
    """Add a park (admins)."""
    park = parks_service.create_park(db_session(), current_principal(), body)
    return parks_service.park_dict(park)


@blp.route("/<code>")
@requires(blp)
@blp.response(200, ParkSchema)
@documents_errors(blp, 404)
def get_park(code: str):
    """One park."""
    return parks_service.park_dict(parks_service.get_park(db_session(), code))


@blp.route("/<code>", methods=["PATCH"])
@requires(blp, "admin", "coordinator")
@blp.arguments(PARK_PATCH)
@blp.response(200, ParkSchema)
@documents_errors(blp, 404)
def update_park(body, code: str):
    """Change a park's names, position or HW haulage cap (admins, and coordinators of that park)."""
    park = parks_service.update_park(db_session(), current_principal(), code, body)
    return parks_service.park_dict(park)


class RatingPolicyBody(RejectsNul, Schema):
    """The park's overrides of the report's rating thresholds; ``{}`` goes back to the defaults."""

    overrides = fields.Dict(required=True, metadata={
        "description": "e.g. {\"grade_a\": 0.9, \"weights\": {\"compliance\": 0.5}, \"utilisation_target\": 0.5}"})


class RatingPolicySchema(Schema):
    """What the park stores and the thresholds its reports use."""

    park = fields.String(required=True)
    overrides = fields.Dict(required=True)
    effective = fields.Dict(required=True, metadata={"description": "the defaults with the overrides applied"})


@blp.route("/<code>/rating-policy")
@requires(blp, "admin", "coordinator")
@blp.response(200, RatingPolicySchema)
@documents_errors(blp, 404)
def get_rating_policy(code: str):
    """The park's rating thresholds for its reports (coordinators of that park, admins)."""
    return rating_policy.rating_policy_view(db_session(), current_principal(), code)


@blp.route("/<code>/rating-policy", methods=["PUT"])
@requires(blp, "admin", "coordinator")
@blp.arguments(RatingPolicyBody)
@blp.response(200, RatingPolicySchema)
@documents_errors(blp, 404, 422)
def put_rating_policy(body, code: str):
    """Store the park's rating thresholds (validated, audited); every later report of the park uses them."""
    return rating_policy.set_rating_policy(db_session(), current_principal(), code, body["overrides"])
