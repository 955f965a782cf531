"""``/hw-declarations``: annual hazardous waste declarations (危险废物年度申报), reconciled with the manifests.

An enterprise user drafts its enterprise's declaration of a year (filled from its manifests), corrects the
lines and submits it; a mismatch with the manifests is listed in ``checks`` and raised as the enterprise's
ledger finding ``declaration_mismatch``. Coordinators of its park (and admins) return it with a reason or
accept it. Other enterprises' declarations are 404 to enterprise users, those of other parks 404 to a
coordinator; an enterprise user returning or accepting is 403.
"""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from marketplace.models import HW_DECLARATION_STATUSES, HW_LINE_TONNES
from marketplace.schemas.interchange import BoundedList
from marketplace.services.traceability import hw_declarations

from ..database import db_session
from .common import RejectsNul, current_principal, documents_errors, requires

URL_PREFIX = "/hw-declarations"
blp = Blueprint("hw_declarations", __name__, description="Annual hazardous waste declarations (危险废物年度申报)")


class HwLineSchema(Schema):
    """One waste code: the year's tonnes as declared, and the manifests' figures for it."""

    waste_code = fields.String(required=True)
    stock_start_t = fields.Float(required=True)
    generated_t = fields.Float(required=True)
    utilised_own_t = fields.Float(required=True)
    disposed_own_t = fields.Float(required=True)
    transferred_t = fields.Float(required=True)
    stock_end_t = fields.Float(required=True)
    manifests_t = fields.Float(required=True, metadata={"description": "the year's dispatched manifests, tonnes"})
    manifests = fields.Integer(required=True, metadata={"description": "how many manifests"})


class HwCheckSchema(Schema):
    """A reconciliation finding of the last submission."""

    field = fields.String(required=True)
    code = fields.String(required=True, metadata={"enum": ["manifest_mismatch", "unbalanced"]})
    severity = fields.String(required=True, metadata={"enum": ["error", "warning"]})
    waste_code = fields.String(required=True)
    message = fields.String(required=True, metadata={"description": "Chinese / English"})


class HwDeclarationSchema(Schema):
    id = fields.Integer(required=True)
    enterprise = fields.String(required=True)
    enterprise_name = fields.String(required=True)
    year = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": list(HW_DECLARATION_STATUSES)})
    status_zh = fields.String(required=True)
    lines = fields.List(fields.Nested(HwLineSchema), required=True)
    checks = fields.List(fields.Nested(HwCheckSchema), required=True)
    returned_reason = fields.String(allow_none=True)
    submitted_at = fields.String(allow_none=True)
    reviewed_at = fields.String(allow_none=True)


class HwDeclarationListSchema(Schema):
    declarations = fields.List(fields.Nested(HwDeclarationSchema), required=True)


class HwListArgs(Schema):
    year = fields.Integer(validate=validate.Range(hw_declarations.MIN_YEAR, hw_declarations.MAX_YEAR))
    status = fields.String(validate=validate.OneOf(HW_DECLARATION_STATUSES))


class HwDraftRequestSchema(RejectsNul, Schema):
    """The enterprise (a coordinator or admin names it; an enterprise user may omit it) and the year."""

    enterprise = fields.String(validate=validate.Length(min=1, max=64), allow_none=True)
    year = fields.Integer(required=True, validate=validate.Range(hw_declarations.MIN_YEAR, hw_declarations.MAX_YEAR))


class HwLinesRequestSchema(RejectsNul, Schema):
    """The declaration's whole list of lines (it replaces the lines there are); each line is validated by the
    service, its errors keyed ``lines.N.<field>``."""

    lines = BoundedList(fields.Dict(), required=True, max_length=hw_declarations.MAX_LINES, what="lines", metadata={
        "description": "lines {waste_code, " + ", ".join(HW_LINE_TONNES) + "}; tonnes ≥ 0, absent 0"})


class HwReturnRequestSchema(RejectsNul, Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=hw_declarations.REASON_MAX))


@blp.route("")
@requires(blp)
@blp.arguments(HwListArgs, location="query")
@blp.response(200, HwDeclarationListSchema)
@documents_errors(blp, 422)
def list_declarations(args):
    """Declarations the caller may see, newest year first (filters: year, status)."""
    found = hw_declarations.list_declarations(db_session(), current_principal(), year=args.get("year"),
                                              status=args.get("status"))
    return {"declarations": [hw_declarations.declaration_view(d) for d in found]}


@blp.route("", methods=["POST"])
@requires(blp)
@blp.arguments(HwDraftRequestSchema)
@blp.response(200, HwDeclarationSchema)
@documents_errors(blp, 403, 404, 422)
def draft(body):
    """The enterprise's declaration for the year: a new draft filled from its manifests, or the one there is."""
    decl = hw_declarations.draft(db_session(), current_principal(), body.get("enterprise"), body["year"])
    return hw_declarations.declaration_view(decl)


@blp.route("/<int:declaration_id>")
@requires(blp)
@blp.response(200, HwDeclarationSchema)
@documents_errors(blp, 404)
def get_declaration(declaration_id: int):
    """One declaration."""
    decl = hw_declarations.get_declaration(db_session(), current_principal(), declaration_id)
    return hw_declarations.declaration_view(decl)


@blp.route("/<int:declaration_id>/lines", methods=["PUT"])
@requires(blp)
@blp.arguments(HwLinesRequestSchema)
@blp.response(200, HwDeclarationSchema)
@documents_errors(blp, 403, 404, 409, 422)
def put_lines(body, declaration_id: int):
    """Replace the lines of a draft or returned declaration (the enterprise's users, admins): all or nothing."""
    decl = hw_declarations.save_lines(db_session(), current_principal(), declaration_id, body["lines"])
    return hw_declarations.declaration_view(decl)


@blp.route("/<int:declaration_id>/submit", methods=["POST"])
@requires(blp)
@blp.response(200, HwDeclarationSchema)
@documents_errors(blp, 403, 404, 409, 422)
def submit(declaration_id: int):
    """Submit: reconciled with the year's manifests (a mismatch is a ledger finding); the coordinators are told."""
    return hw_declarations.declaration_view(hw_declarations.submit(db_session(), current_principal(), declaration_id))


@blp.route("/<int:declaration_id>/return", methods=["POST"])
@requires(blp)
@blp.arguments(HwReturnRequestSchema)
@blp.response(200, HwDeclarationSchema)
@documents_errors(blp, 403, 404, 409, 422)
def return_declaration(body, declaration_id: int):
    """Return a declaration under review with a reason (coordinators of its park, admins); the enterprise is told."""
    decl = hw_declarations.return_declaration(db_session(), current_principal(), declaration_id, body["reason"])
    return hw_declarations.declaration_view(decl)


@blp.route("/<int:declaration_id>/accept", methods=["POST"])
@requires(blp)
@blp.response(200, HwDeclarationSchema)
@documents_errors(blp, 403, 404, 409)
def accept(declaration_id: int):
    """Accept a declaration under review (coordinators of its park, admins); the enterprise is told."""
    return hw_declarations.declaration_view(hw_declarations.accept(db_session(), current_principal(), declaration_id))
