"""The public landing page and the navigation every signed-in page shows."""
from __future__ import annotations

from typing import Any

from flask import g, redirect, render_template, request
from flask_babel import lazy_gettext as _l

from marketplace.db import count_rows
from marketplace.services.accounts.users import Principal
from marketplace.services.matching.notifications import list_query
from marketplace.services.reports.overview import catalog_counts, park_overview

from ..database import db_session
from . import bp
from .auth import home_of, page_principal
from .common import page_url, park_time, query_args

# (endpoint, label) in menu order.
ENTERPRISE_MENU = (
    ("pages.dashboard", _l("Dashboard")),
    ("pages.listings", _l("Offers & needs")),
    ("pages.matches", _l("Matches")),
    ("pages.shipments", _l("Shipments")),
    ("pages.ledger", _l("Ledger")),
    ("pages.hw_declarations", _l("HW declaration")),
    ("pages.hw_plans", _l("HW management plan")),
    ("pages.survey", _l("Chemical survey")),
    ("pages.eecm_self", _l("EECM self-assessment")),
    ("pages.disclosures", _l("Disclosure")),
    ("pages.notifications", _l("Notifications")),
    ("pages.trace_form", _l("Trace")),
    ("pages.park_map_page", _l("Map")),
)
COORDINATOR_MENU = (
    ("pages.park_home", _l("Park overview")),
    ("pages.park_map_page", _l("Map")),
    ("pages.runs", _l("Matching")),
    ("pages.approvals", _l("Approvals")),
    ("pages.moderation_listings", _l("Park listings")),
    ("pages.shipments", _l("Shipments")),
    ("pages.collection_rounds", _l("Pooled collection")),
    ("pages.alerts", _l("Alerts")),
    ("pages.ledger_findings", _l("Ledger findings")),
    ("pages.hw_declarations", _l("HW declarations")),
    ("pages.hw_plans", _l("HW management plans")),
    ("pages.reports_page", _l("Reports")),
    ("pages.ratings", _l("Ratings")),
    ("pages.surveys", _l("Surveys")),
    ("pages.eecm_assessments", _l("EECM")),
    ("pages.roster_page", _l("Key-enterprise roster")),
    ("pages.notifications", _l("Notifications")),
    ("pages.trace_form", _l("Trace")),
)


# Pages below a menu entry highlight that entry.
NAV_PARENT = {"pages.trace_page": "pages.trace_form", "pages.moderation_listing": "pages.moderation_listings",
              "pages.report_view": "pages.reports_page",
              "pages.survey_review": "pages.surveys", "pages.survey_declaration": "pages.survey",
              "pages.eecm_assessment": "pages.eecm_assessments", "pages.disclosure_page": "pages.disclosures",
              "pages.hw_declaration": "pages.hw_declarations", "pages.hw_plan": "pages.hw_plans",
              "pages.collection_round": "pages.collection_rounds"}


def nav_items(principal: Principal | None) -> list[tuple[str, Any]]:
    """The menu of the user's role."""
    if principal is None:
        return []
    return list(COORDINATOR_MENU if (principal.is_admin or principal.is_coordinator) else ENTERPRISE_MENU)


def unread_count(principal: Principal | None) -> int:
    """How many of the user's notices are unread (computed once per request)."""
    if principal is None:
        return 0
    if "unread_count" not in g:
        g.unread_count = count_rows(db_session(), list_query(principal, unread=True))
    return g.unread_count


@bp.app_context_processor
def _navigation() -> dict[str, Any]:
    # The principal is resolved for every page so the header knows the user (one primary-key read).
    # (also on error pages of unknown addresses, which have no endpoint)
    endpoint = request.endpoint or "pages."
    principal = page_principal() if endpoint.startswith("pages.") else None
    return {"principal": principal, "nav_items": nav_items, "unread_count": unread_count, "nav_parent": NAV_PARENT,
            "when": park_time, "page_url": page_url, "query_args": query_args}


@bp.get("/")
def index():
    """The parks at a glance; signed-in users go to their own home page."""
    principal = page_principal()
    if principal is not None and request.args.get("overview") is None:
        return redirect(home_of(principal))
    session_ = db_session()
    return render_template("index.html", parks=park_overview(session_), catalog=catalog_counts(session_))
