"""Enterprise ratings A/B/C/D (分级分类管理) of a park and period, with their indicators and reasons.

The grades are the park report's (``reports.build_report``: the ``ratings`` block, rated with
the park's rating policy, whose thresholds the page explains); the page filters by grade
and pages through them. Texts carried in both languages come from the report itself.
"""
from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace.errors import DomainError
from marketplace.services.reports.ratings import GRADE_EN, GRADE_ZH, INDICATOR_EN, INDICATOR_ZH, INDICATORS
from marketplace.services.reports.document import build_report

from ..database import db_session
from ..i18n import loc
from . import bp
from .auth import coordinators_only, page_principal
from .common import FormErrors, coordinated_parks, park_options, slice_page
from .park import code_label, filter_values, grade_chart, grade_counts, page_link, parse_period

NOT_RATED = "none"  # the grade filter's value for enterprises without a grade
INDICATOR_HELP = {
    "utilisation": _l("tonnes of approved matches in force ÷ offered tonnes; full marks at the target"),
    "compliance": _l("1 minus the penalties of active alerts and open ledger findings"),
    "manifest_timeliness": _l("share of manifest steps done in time (receipt within 3 days, closing within 7)"),
    "ledger_completeness": _l("share of ledger entries without an open finding"),
}


def _grade_options() -> list[tuple[str, str]]:
    return [(g, f"{g} {loc(GRADE_ZH[g], GRADE_EN[g])}") for g in ("A", "B", "C", "D")] + \
        [(NOT_RATED, loc(GRADE_ZH[None], GRADE_EN[None]))]


def _keep(row: dict[str, Any], grade: str) -> bool:
    if not grade:
        return True
    return row.get("grade") is None if grade == NOT_RATED else row.get("grade") == grade


@bp.get("/ratings")
@coordinators_only
def ratings():
    """The ratings of the chosen park and period (default: the user's first park, the last 365 days)."""
    principal, session = page_principal(), db_session()
    parks = coordinated_parks(principal)
    values = filter_values("park", "from", "to", "grade")
    context: dict[str, Any] = {"parks": parks, "park_choices": park_options(parks), "values": values, "errors": None,
                               "doc": None, "grade_options": _grade_options(), "indicators": INDICATORS,
                               "indicator_help": INDICATOR_HELP,
                               "indicator_names": {n: loc(INDICATOR_ZH[n], INDICATOR_EN[n]) for n in INDICATORS}}
    if not parks:
        return render_template("ratings.html", **context)
    values["park"] = values["park"] or parks[0].code
    try:
        if values["grade"] and values["grade"] not in {g for g, _label in context["grade_options"]}:
            errors = FormErrors()
            errors.add("grade", _("no such grade"))
            return render_template("ratings.html", **{**context, "errors": errors}), 422
        start, end = parse_period(values)
        doc = build_report(session, principal, park=values["park"], start=start, end=end)
    except DomainError as exc:  # nothing was written: the error response keeps nothing anyway
        return render_template("ratings.html", **{**context, "errors": FormErrors.of(exc)}), exc.status
    rows, policy = doc["ratings"], doc["rating_policy"]
    context.update(doc=doc, policy=policy, counts=grade_counts(rows), chart=grade_chart(rows),
                   page=slice_page([r for r in rows if _keep(r, values["grade"])]),
                   park_url=page_link("pages.park_home", park=values["park"]),
                   rectify_labels=[code_label(c) for c in [*policy["rectify_findings"], *policy["rectify_alerts"]]],
                   chip_args={k: values[k] for k in ("park", "from", "to") if values[k]})
    return render_template("ratings.html", **context)
