"""``/reports``: symbiosis chains, closed loops, zero-waste KPIs and ratings (产业共生与无废城市报告).

Coordinators report on their parks, admins on any park or all; enterprise users are refused
(403). ``GET`` takes the park and period as query arguments; ``POST`` also takes rating
thresholds. ``format`` = json (the ``wastematch.report.v1`` document, the default), html (one
self-contained page that works offline), csv (a zip of CSV tables) or xlsx.
"""
from __future__ import annotations

import io

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from marketplace.services.reports.document import FORMATS, REPORT_FORMAT, build_report

from ..database import db_session, discard_changes
from .common import NO_NUL, RejectsNul, current_principal, documents_errors, requires

URL_PREFIX = "/reports"
blp = Blueprint("reports", __name__, description="Symbiosis and zero-waste reports (产业共生与无废城市报告)")

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT = {
    "application/json": {"schema": {"$ref": "#/components/schemas/Report"}},
    "text/html": {"schema": {"type": "string"}},
    "application/zip": {"schema": {"type": "string", "format": "binary"}},
    XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
}


class ReportArgs(Schema):
    """The park (a coordinator of one park may omit it; an admin who omits it gets every park), the period
    (default: the 365 days up to today) and the format."""

    park = fields.String(validate=[validate.Length(min=1, max=16), NO_NUL])
    start = fields.Date(data_key="from", metadata={"description": "first park day (YYYY-MM-DD)"})
    end = fields.Date(data_key="to", metadata={"description": "last park day (YYYY-MM-DD), default today"})
    format = fields.String(load_default="json", validate=validate.OneOf(FORMATS))


class ReportRequestSchema(RejectsNul, ReportArgs):
    """``ReportArgs`` plus rating thresholds over the park's own (``PUT /parks/CODE/rating-policy``) and the
    defaults (see ``rating_policy`` in a report)."""

    rating_policy = fields.Dict(metadata={"description": "e.g. {\"grade_a\": 0.9, \"weights\": {\"compliance\": 0.5}}"})


class ReportSchema(Schema):
    """The report document ``wastematch.report.v1`` (docs/report-format.md)."""

    format = fields.String(required=True, metadata={"enum": [REPORT_FORMAT]})
    title_zh = fields.String(required=True)
    title_en = fields.String(required=True)
    generated_at = fields.String(required=True)
    park = fields.Dict(allow_none=True, required=True)
    period = fields.Dict(required=True)
    kpis = fields.Dict(required=True, metadata={"description": "park, enterprises, monthly, compliance"})
    flows = fields.List(fields.Dict(), required=True)
    chains = fields.List(fields.Dict(), required=True)
    loops = fields.List(fields.Dict(), required=True)
    ratings = fields.List(fields.Dict(), required=True)
    rating_policy = fields.Dict(required=True)
    targets = fields.Dict(allow_none=True, metadata={"description": "the park's plan targets of the period's end year"})
    emission_factors = fields.Dict(required=True)
    stats = fields.Dict(required=True)


def _file_name(doc: dict, ext: str) -> str:
    park = (doc["park"] or {}).get("code") or "all"
    return f"wastematch-report-{park}-{doc['period']['from']}-{doc['period']['to']}.{ext}"


def report_response(doc: dict, fmt: str) -> Response | dict:
    """The document itself (json) or a download of its rendering."""
    from marketplace.services.reports import render as report_render

    if fmt == "json":
        return doc
    if fmt == "html":
        res = Response(report_render.render_html(doc), mimetype="text/html")
        res.headers["Content-Disposition"] = f'inline; filename="{_file_name(doc, "html")}"'
        return res
    if fmt == "csv":
        res = Response(report_render.csv_zip_bytes(doc), mimetype="application/zip")
        res.headers["Content-Disposition"] = f'attachment; filename="{_file_name(doc, "zip")}"'
        return res
    buffer = io.BytesIO()
    report_render.write_xlsx(doc, buffer)
    res = Response(buffer.getvalue(), mimetype=XLSX_TYPE)
    res.headers["Content-Disposition"] = f'attachment; filename="{_file_name(doc, "xlsx")}"'
    return res


def _report(args: dict) -> Response | dict:
    session, principal = db_session(), current_principal()
    doc = build_report(session, principal, park=args.get("park"), start=args.get("start"), end=args.get("end"),
                       policy=args.get("rating_policy"))
    # A report only reads: end the transaction (a POST's, SQLite's write lock) before a rendering that may take
    # seconds; nothing is lost.
    discard_changes()
    return report_response(doc, args.get("format", "json"))


@blp.route("")
@requires(blp, "coordinator", "admin")
@blp.arguments(ReportArgs, location="query")
@blp.response(200, ReportSchema)
@blp.doc(responses={"200": {"description": "The report: JSON, or a file with format=html|csv|xlsx",
                            "content": CONTENT}})
@documents_errors(blp, 404, 422)
def get_report(args):
    """The report of a park and period, rated with the park's own thresholds (``PUT /parks/CODE/rating-policy``)
    or the defaults."""
    return _report(args)


@blp.route("", methods=["POST"])
@requires(blp, "coordinator", "admin")
@blp.arguments(ReportRequestSchema)
@blp.response(200, ReportSchema)
@blp.doc(responses={"200": {"description": "The report: JSON, or a file with format=html|csv|xlsx",
                            "content": CONTENT}})
@documents_errors(blp, 404, 422)
def post_report(body):
    """The report with rating thresholds of your own (``rating_policy``)."""
    return _report(body)
