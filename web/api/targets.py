"""``/parks/CODE/targets`` and ``/parks/CODE/survey-report``: a park's plan targets per year with their progress
(规划目标), and its survey report of a year (化学物质环境信息调查报告: JSON, a self-contained HTML page, or XLSX).

Coordinators of the park and admins; enterprise users are refused (403).
"""
from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from marketplace.models.base import park_date
from marketplace.services.governance.survey_report import render_survey_html, render_survey_xlsx
from marketplace.services.reports import targets

from ..database import db_session, discard_changes
from .common import NO_NUL, RejectsNul, current_principal, documents_errors, requires

URL_PREFIX = "/parks"
blp = Blueprint("targets", __name__, description="Plan targets and the park survey report (规划目标与调查报告)")

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YEAR = validate.Range(min=targets.EARLIEST_YEAR, max=targets.LATEST_YEAR)


class YearArgs(Schema):
    year = fields.Integer(validate=YEAR, metadata={"description": "default: this year in the park"})


def _year(args: dict) -> int:
    return args.get("year") or park_date().year


class TrendPointSchema(Schema):
    year = fields.Integer(required=True)
    actual = fields.Float(required=True)


class TargetProgressSchema(Schema):
    """One target: its definition, the value set for the year (or null), the actual, met, and earlier years."""

    key = fields.String(required=True, metadata={"enum": list(targets.TARGETS)})
    name_zh = fields.String(required=True)
    name_en = fields.String(required=True)
    unit = fields.String(required=True, metadata={"description": "share: 0…1"})
    direction = fields.String(required=True, metadata={"enum": [">=", "<="]})
    definition_zh = fields.String(required=True)
    definition_en = fields.String(required=True)
    target = fields.Float(allow_none=True, required=True)
    note = fields.String()
    set_by = fields.String(allow_none=True)
    actual = fields.Float(allow_none=True, required=True, metadata={"description": "null: no data that year"})
    numerator = fields.Float()
    denominator = fields.Float()
    met = fields.Boolean(allow_none=True, required=True)
    trend = fields.List(fields.Nested(TrendPointSchema), required=True)


class ProgressSchema(Schema):
    park = fields.String(required=True)
    year = fields.Integer(required=True)
    targets = fields.List(fields.Nested(TargetProgressSchema), required=True)


class TargetBodySchema(RejectsNul, Schema):
    """The target's value (a share: 0…1, e.g. 0.8 = 80 %) and an optional note."""

    value = fields.Float(required=True, allow_nan=False)
    note = fields.String(load_default="", validate=[validate.Length(max=targets.NOTE_MAX), NO_NUL])


class TargetSchema(Schema):
    park = fields.String(required=True)
    year = fields.Integer(required=True)
    key = fields.String(required=True)
    name_zh = fields.String(required=True)
    name_en = fields.String(required=True)
    unit = fields.String(required=True)
    direction = fields.String(required=True)
    value = fields.Float(required=True)
    note = fields.String(required=True)
    set_by = fields.String(required=True)


class SurveyReportArgs(YearArgs):
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "html", "xlsx")))


@blp.route("/<code>/targets")
@requires(blp, "coordinator", "admin")
@blp.arguments(YearArgs, location="query")
@blp.response(200, ProgressSchema)
@documents_errors(blp, 404, 422)
def get_targets(args, code: str):
    """Every target of the park for ``year``: the value set, the actual, met or not, and the trend."""
    year = _year(args)
    rows = targets.targets_progress(db_session(), current_principal(), code, year)
    return {"park": code, "year": year, "targets": rows}


@blp.route("/<code>/targets/<int:year>/<key>", methods=["PUT"])
@requires(blp, "coordinator", "admin")
@blp.arguments(TargetBodySchema)
@blp.response(200, TargetSchema)
@documents_errors(blp, 404, 422)
def put_target(body, code: str, year: int, key: str):
    """Set (or change) the park's target ``key`` for ``year``; audited."""
    target = targets.set_target(db_session(), current_principal(), code, year, key, body["value"], body["note"])
    return targets.target_dict(target)


@blp.route("/<code>/targets/<int:year>/<key>", methods=["DELETE"])
@requires(blp, "coordinator", "admin")
@blp.response(204)
@documents_errors(blp, 404, 422)
def delete_target(code: str, year: int, key: str):
    """Remove the park's target ``key`` for ``year`` (404 when none is set); audited."""
    targets.clear_target(db_session(), current_principal(), code, year, key)
    return None


@blp.route("/<code>/survey-report")
@requires(blp, "coordinator", "admin")
@blp.arguments(SurveyReportArgs, location="query")
@blp.response(200, description="The survey report: JSON, or a file with format=html|xlsx")
@blp.doc(responses={"200": {"description": "The survey report: JSON, or a file with format=html|xlsx",
                            "content": {"application/json": {"schema": {"type": "object"}},
                                        "text/html": {"schema": {"type": "string"}},
                                        XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}}}})
@documents_errors(blp, 404, 422)
def get_survey_report(args, code: str):
    """The park survey report of ``year``: coverage, roster, violations, EECM results, targets, recommendations."""
    year = _year(args)
    doc = targets.survey_report(db_session(), current_principal(), code, year)
    discard_changes()  # it only reads: end the transaction before the rendering
    fmt = args["format"]
    if fmt == "json":
        return doc
    name = f"wastematch-survey-report-{code}-{year}"
    if fmt == "html":
        res = Response(render_survey_html(doc), mimetype="text/html")
        res.headers["Content-Disposition"] = f'inline; filename="{name}.html"'
        return res
    res = Response(render_survey_xlsx(doc), mimetype=XLSX_TYPE)
    res.headers["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return res
