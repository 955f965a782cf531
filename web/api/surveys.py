"""``/surveys``: the annual chemical survey (化学物质环境信息调查).

Enterprise users fill in and submit their own enterprise's declaration; coordinators of its park
(and admins) return it with reasons per field or accept it. Other enterprises' declarations are
404 to enterprise users, those of other parks 404 to a coordinator; an enterprise user returning
or accepting is 403. ``POST /surveys/import`` takes a ``wastematch.survey.v1`` document, all or
nothing; ``GET /surveys/template`` is the Excel template.
"""
from __future__ import annotations

import io

from flask import Response
from flask_smorest import Blueprint
from marshmallow import INCLUDE, Schema, fields, validate

from marketplace.models import DECLARATION_STATUSES, SURVEY_ROLES
from marketplace.schemas.interchange import BoundedList
from marketplace.schemas.survey import FORMAT, MAX_ROWS, MAX_YEAR, MIN_YEAR
from marketplace.services.governance import survey_files, surveys

from ..database import db_session
from .common import NO_NUL, PageArgs, RejectsNul, current_principal, documents_errors, page_of, paginate, requires

URL_PREFIX = "/surveys"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
blp = Blueprint("surveys", __name__, description="Chemical survey declarations (化学物质环境信息调查)")


class SurveyControlledSchema(Schema):
    key = fields.String(required=True)
    name_zh = fields.String(required=True)
    name_en = fields.String(required=True)
    list = fields.String(allow_none=True, metadata={"description": "the first control list naming it"})
    lists = fields.List(fields.String(), required=True)
    measure = fields.String(required=True, metadata={"enum": ["ban", "restrict", "limit_emission"]})
    measure_zh = fields.String(required=True)
    allowed = fields.String()


class SurveySubstanceSchema(Schema):
    """One row: the substance, its role and tonnes, and its control-list entry (null when not listed)."""

    cas = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    role = fields.String(required=True, metadata={"enum": list(SURVEY_ROLES)})
    quantity_t = fields.Float(required=True)
    use = fields.String()
    stock_t = fields.Float(allow_none=True)
    released_t = fields.Float(allow_none=True)
    substance_key = fields.String(allow_none=True)
    controlled = fields.Nested(SurveyControlledSchema, allow_none=True)


class SurveyCheckSchema(Schema):
    """A quality finding of the last submission, on one field."""

    field = fields.String(required=True, metadata={"description": "substances.N.<field>, or substances"})
    code = fields.String(required=True, metadata={"enum": ["cas_invalid", "incomplete", "magnitude_change",
                                                           "ledger_mismatch", "undeclared_controlled"]})
    severity = fields.String(required=True, metadata={"enum": ["error", "warning"]})
    message = fields.String(required=True, metadata={"description": "Chinese / English"})


class SurveyEnterpriseSchema(Schema):
    ref = fields.String(required=True)
    name = fields.String(required=True)
    park = fields.String(allow_none=True)


class SurveyDeclarationSchema(Schema):
    """One enterprise's declaration for one year, its rows, findings and the reasons of the last return."""

    id = fields.Integer(required=True)
    enterprise = fields.Nested(SurveyEnterpriseSchema, required=True)
    year = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": list(DECLARATION_STATUSES)})
    status_zh = fields.String()
    substances = fields.List(fields.Nested(SurveySubstanceSchema), required=True)
    checks = fields.List(fields.Nested(SurveyCheckSchema), required=True)
    returned_reasons = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True)
    created_at = fields.String(allow_none=True)
    created_by = fields.String(allow_none=True)
    updated_at = fields.String(allow_none=True)
    submitted_at = fields.String(allow_none=True)
    submitted_by = fields.String(allow_none=True)
    reviewed_at = fields.String(allow_none=True)
    reviewed_by = fields.String(allow_none=True)


class SurveyListArgs(PageArgs):
    park = fields.String(validate=[validate.Length(min=1, max=16), NO_NUL])
    year = fields.Integer(validate=validate.Range(MIN_YEAR, MAX_YEAR))
    status = fields.String(validate=validate.OneOf(DECLARATION_STATUSES))


class SurveyDraftRequestSchema(RejectsNul, Schema):
    """The enterprise (a coordinator or admin names it; an enterprise user may omit it) and the year."""

    enterprise = fields.String(validate=validate.Length(min=1, max=64), allow_none=True)
    year = fields.Integer(required=True, validate=validate.Range(MIN_YEAR, MAX_YEAR))


class SurveySubstancesRequestSchema(RejectsNul, Schema):
    """The declaration's whole list of rows (it replaces the rows there are); each row is validated by the
    service, its errors keyed ``substances.N.<field>``."""

    substances = BoundedList(fields.Dict(), required=True, max_length=MAX_ROWS, what="substance rows", metadata={
        "description": "rows {cas, name, role (" + ", ".join(SURVEY_ROLES) + "), quantity_t, use, stock_t, "
                       "released_t}; a row needs a cas or a name; tonnes ≥ 0"})


class SurveyReturnRequestSchema(RejectsNul, Schema):
    """Reasons per field: ``{"substances.2.quantity_t": ["…"], "general": ["…"]}`` (at least one)."""

    reasons = fields.Dict(keys=fields.String(), required=True)


class SurveyDocumentBody(RejectsNul, Schema):
    """A ``wastematch.survey.v1`` document; validated whole by the import (errors by JSON path)."""

    class Meta:
        unknown = INCLUDE

    format = fields.Raw(required=True, metadata={"description": f"{FORMAT!r}"})
    year = fields.Raw(required=True, metadata={"description": "the survey year"})
    declarations = fields.Raw(required=True, metadata={
        "description": "[{enterprise, substances: [{cas, name, role, quantity_t, use, stock_t, released_t}]}]"})


class SurveyImportResultSchema(Schema):
    format = fields.String(required=True)
    created = fields.Integer(required=True)
    replaced = fields.Integer(required=True)
    substances = fields.Integer(required=True)
    findings = fields.Integer(required=True)
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    declarations = fields.List(fields.Dict(), required=True)


@blp.route("")
@requires(blp)
@blp.arguments(SurveyListArgs, location="query")
@blp.response(200, page_of(SurveyDeclarationSchema, "SurveyDeclarationPage"))
@documents_errors(blp, 403, 404)
def list_declarations(args):
    """Declarations the caller may see, newest first (filters: park code, year, status)."""
    session, principal = db_session(), current_principal()
    stmt = surveys.declarations_query(session, principal, park=args.get("park"), year=args.get("year"),
                                      status=args.get("status"))
    return paginate(session, stmt, args, lambda rows: [surveys.declaration_view(d) for d in rows])


@blp.route("", methods=["POST"])
@requires(blp)
@blp.arguments(SurveyDraftRequestSchema)
@blp.response(200, SurveyDeclarationSchema)
@documents_errors(blp, 403, 404, 422)
def draft(body):
    """The enterprise's declaration for the year: a new draft, or the one there is (in whatever state)."""
    decl = surveys.get_or_create_draft(db_session(), current_principal(), body.get("enterprise"), body["year"])
    return surveys.declaration_view(decl)


@blp.route("/<int:declaration_id>")
@requires(blp)
@blp.response(200, SurveyDeclarationSchema)
@documents_errors(blp, 404)
def get_declaration(declaration_id: int):
    """One declaration."""
    return surveys.declaration_view(surveys.get_declaration(db_session(), current_principal(), declaration_id))


@blp.route("/<int:declaration_id>/substances", methods=["PUT"])
@requires(blp)
@blp.arguments(SurveySubstancesRequestSchema)
@blp.response(200, SurveyDeclarationSchema)
@documents_errors(blp, 403, 404, 409, 422)
def put_substances(body, declaration_id: int):
    """Replace the rows of a draft or returned declaration (the enterprise's users, admins)."""
    decl = surveys.save_substances(db_session(), current_principal(), declaration_id, body["substances"])
    return surveys.declaration_view(decl)


@blp.route("/<int:declaration_id>/submit", methods=["POST"])
@requires(blp)
@blp.response(200, SurveyDeclarationSchema)
@documents_errors(blp, 403, 404, 409, 422)
def submit(declaration_id: int):
    """Submit (draft → submitted, returned → resubmitted): the quality checks run; the coordinators are told."""
    return surveys.declaration_view(surveys.submit(db_session(), current_principal(), declaration_id))


@blp.route("/<int:declaration_id>/return", methods=["POST"])
@requires(blp)
@blp.arguments(SurveyReturnRequestSchema)
@blp.response(200, SurveyDeclarationSchema)
@documents_errors(blp, 403, 404, 409, 422)
def return_declaration(body, declaration_id: int):
    """Return a submitted declaration with reasons per field (coordinators of its park, admins); the
    enterprise is told the reasons."""
    decl = surveys.return_declaration(db_session(), current_principal(), declaration_id, body["reasons"])
    return surveys.declaration_view(decl)


@blp.route("/<int:declaration_id>/accept", methods=["POST"])
@requires(blp)
@blp.response(200, SurveyDeclarationSchema)
@documents_errors(blp, 403, 404, 409)
def accept(declaration_id: int):
    """Accept a submitted declaration (coordinators of its park, admins); the enterprise is told."""
    return surveys.declaration_view(surveys.accept(db_session(), current_principal(), declaration_id))


@blp.route("/import", methods=["POST"])
@requires(blp)
@blp.arguments(SurveyDocumentBody)
@blp.response(200, SurveyImportResultSchema)
@documents_errors(blp, 409, 422)
def import_survey(body):
    """Import a ``wastematch.survey.v1`` document as declarations submitted for review: all or nothing, every
    error named by JSON path; an already accepted declaration is 409."""
    return survey_files.import_survey(db_session(), current_principal(), dict(body), source="api").as_dict()


@blp.route("/template")
@requires(blp)
@blp.response(200, content_type=XLSX_TYPE)
@blp.doc(responses={"200": {"description": "The Excel template (sheets declarations and substances)",
                            "content": {XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}}}})
def template():
    """The empty Excel template of the survey."""
    buffer = io.BytesIO()
    survey_files.write_template(buffer)
    res = Response(buffer.getvalue(), mimetype=XLSX_TYPE)
    res.headers["Content-Disposition"] = 'attachment; filename="wastematch-survey-template.xlsx"'
    return res
