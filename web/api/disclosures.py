"""``/disclosures``: annual environmental disclosures (企业环境信息依法披露); ``/public/disclosures``: the published ones.

Not the confidentiality rules of ``accounts.disclosure``. An enterprise's users, its park's coordinators and
admins generate a disclosure (draft, rebuilt while unpublished), the enterprise reviews it, the enterprise or
its coordinator publishes it. ``GET /public/disclosures[/ID]`` need no token (OpenAPI ``security: []``) and
answer with published disclosures only: nothing else of the platform.
"""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from marketplace.models.governance import DISCLOSURE_STATUSES
from marketplace.services.governance import disclosures

from ..database import db_session
from .common import NO_NUL, PageArgs, RejectsNul, current_principal, documents_errors, page_of, paginate, requires

# One blueprint for both paths: the signed-in ``/disclosures`` and the public ``/public/disclosures``.
URL_PREFIX = ""
blp = Blueprint("disclosures", __name__, description="Annual environmental disclosures (企业环境信息依法披露)")
YEARS = validate.Range(min=disclosures.MIN_YEAR, max=disclosures.MAX_YEAR)


class DisclosureSchema(Schema):
    """A disclosure with its state; ``content`` is the document (at least enterprise, year, substances,
    hazardous_waste, violations)."""

    id = fields.Integer(required=True)
    enterprise = fields.String(required=True, metadata={"description": "enterprise ref"})
    enterprise_name = fields.String(required=True)
    year = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": list(DISCLOSURE_STATUSES)})
    generated_at = fields.String(allow_none=True)
    reviewed_at = fields.String(allow_none=True)
    reviewed_by = fields.String(allow_none=True)
    published_at = fields.String(allow_none=True)
    published_by = fields.String(allow_none=True)
    content = fields.Dict(required=True)


class PublicDisclosureSchema(Schema):
    """A published disclosure as the public sees it."""

    id = fields.Integer(required=True)
    year = fields.Integer(required=True)
    published_at = fields.String(allow_none=True)
    enterprise = fields.String(allow_none=True, metadata={"description": "the enterprise's name"})
    park = fields.String(allow_none=True, metadata={"description": "park code"})
    content = fields.Dict(required=True)


class GenerateSchema(RejectsNul, Schema):
    enterprise = fields.String(required=True, validate=[validate.Length(min=1, max=64), NO_NUL],
                               metadata={"description": "enterprise ref"})
    year = fields.Integer(required=True, strict=True, validate=YEARS)


class DisclosureListArgs(PageArgs):
    year = fields.Integer(validate=YEARS)
    status = fields.String(validate=validate.OneOf(DISCLOSURE_STATUSES))


class PublicListArgs(PageArgs):
    year = fields.Integer(validate=YEARS)
    park = fields.String(validate=[validate.Length(min=1, max=16), NO_NUL], metadata={"description": "park code"})


@blp.route("/disclosures")
@requires(blp)
@blp.arguments(DisclosureListArgs, location="query")
@blp.response(200, page_of(DisclosureSchema, "DisclosurePage"))
def list_disclosures(args):
    """The disclosures the caller may see (own enterprise; coordinators their parks; admins all), newest year first."""
    stmt = disclosures.visible_disclosures(current_principal(), year=args.get("year"), status=args.get("status"))
    return paginate(db_session(), stmt, args, lambda rows: [disclosures.disclosure_view(d) for d in rows])


@blp.route("/disclosures", methods=["POST"])
@requires(blp)
@blp.arguments(GenerateSchema)
@blp.response(201, DisclosureSchema)
@documents_errors(blp, 404, 409)
def generate_disclosure(body):
    """Generate (or rebuild, back to draft) an enterprise's disclosure for a year; a published one is 409."""
    d = disclosures.generate_disclosure(db_session(), current_principal(), body["enterprise"], body["year"])
    return disclosures.disclosure_view(d)


@blp.route("/disclosures/<int:disclosure_id>")
@requires(blp)
@blp.response(200, DisclosureSchema)
@documents_errors(blp, 404)
def get_disclosure(disclosure_id: int):
    """One disclosure the caller may see."""
    return disclosures.disclosure_view(disclosures.get_disclosure(db_session(), current_principal(), disclosure_id))


@blp.route("/disclosures/<int:disclosure_id>/review", methods=["POST"])
@requires(blp)
@blp.response(200, DisclosureSchema)
@documents_errors(blp, 404, 409)
def review_disclosure(disclosure_id: int):
    """The enterprise confirms its draft (draft → reviewed)."""
    return disclosures.disclosure_view(disclosures.review(db_session(), current_principal(), disclosure_id))


@blp.route("/disclosures/<int:disclosure_id>/publish", methods=["POST"])
@requires(blp)
@blp.response(200, DisclosureSchema)
@documents_errors(blp, 403, 404, 409)
def publish_disclosure(disclosure_id: int):
    """Publish a reviewed disclosure (the enterprise or its park's coordinator): public from then on, frozen."""
    return disclosures.disclosure_view(disclosures.publish(db_session(), current_principal(), disclosure_id))


@blp.route("/public/disclosures")
@blp.doc(security=[])
@blp.arguments(PublicListArgs, location="query")
@blp.response(200, page_of(PublicDisclosureSchema, "PublicDisclosurePage"))
def list_published(args):
    """Published disclosures (no token needed), newest year first, by park and name; filters: year, park."""
    session = db_session()
    stmt = disclosures.published_query(session, park=args.get("park"), year=args.get("year"))
    return paginate(session, stmt, args, lambda rows: [disclosures.public_view(d) for d in rows])


@blp.route("/public/disclosures/<int:disclosure_id>")
@blp.doc(security=[])
@blp.response(200, PublicDisclosureSchema)
@documents_errors(blp, 404)
def get_published(disclosure_id: int):
    """One published disclosure (no token needed); anything unpublished is 404."""
    return disclosures.public_view(disclosures.get_published(db_session(), disclosure_id))
