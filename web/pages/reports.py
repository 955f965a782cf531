"""Report pages: coordinators choose a park and period; the report opens as its own page or downloads."""
from __future__ import annotations

import datetime as dt

from flask import jsonify, render_template, request
from flask_babel import lazy_gettext as _l

from marketplace.errors import DomainError, ValidationFailed
from marketplace.services.reports.document import build_report

from ..api.reports import report_response
from ..database import db_session, discard_changes
from ..i18n import both_languages, localise_message
from . import bp
from .auth import coordinators_only, page_principal
from .common import coordinated_parks

REPORT_FORMATS = ("html", "xlsx", "csv", "json")


def _report_form_values() -> dict[str, str]:
    # Kept whole (a cut value would be looked up as another park or date); only absurd lengths are capped.
    return {k: (request.args.get(k) or "").strip()[:200] for k in ("park", "from", "to")}


def _parse_day(value: str, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"{name}: not a date YYYY-MM-DD (日期格式应为 YYYY-MM-DD)",
                               {name: [both_languages(_l("not a date YYYY-MM-DD: %(value)s", value=value))]}) from None


@bp.get("/reports")
@coordinators_only
def reports_page():
    """The report form: park, period and format."""
    return render_template("reports.html", parks=coordinated_parks(page_principal()), values=_report_form_values(),
                           error=None, allowed=True)


@bp.get("/reports/view")
@coordinators_only
def report_view():
    """The report of the chosen park and period: the self-contained HTML page, or a download (``format``)."""
    principal = page_principal()
    values = _report_form_values()
    fmt = request.args.get("format") or "html"
    try:
        if fmt not in REPORT_FORMATS:
            raise ValidationFailed("unknown report format (报告格式有误)",
                                   {"format": [both_languages(_l("must be one of %(choices)s",
                                                                 choices=", ".join(REPORT_FORMATS)))]})
        doc = build_report(db_session(), principal, park=values["park"] or None,
                           start=_parse_day(values["from"], "from"), end=_parse_day(values["to"], "to"))
    except DomainError as exc:  # nothing was written: the error response keeps nothing anyway
        detail = "; ".join(f"{k}: {', '.join(localise_message(str(r)) for r in v)}" for k, v in exc.errors.items())
        # The field's reason already says what the message says, in the page's language.
        return render_template("reports.html", parks=coordinated_parks(principal), values=values,
                               error=detail or localise_message(exc.message), allowed=True), exc.status
    # A report only reads: end the transaction before a rendering that may take seconds (nothing is lost).
    discard_changes()
    if fmt != "json":
        return report_response(doc, fmt)
    res = jsonify(doc)  # a download here, not the API's body
    res.headers["Content-Disposition"] = "attachment; filename=wastematch-report.json"
    return res
