"""The enterprise dashboard: own offers and needs, matches awaiting an answer, notices, shipments."""
from __future__ import annotations

from typing import Any

from flask import render_template
from sqlalchemy import Select, func, select

from marketplace.models import OPEN_SHIPMENT_STATUSES, Enterprise, Listing, Shipment
from marketplace.services.matching import workflow
from marketplace.services.matching.notifications import list_query, notification_dict
from marketplace.services.traceability.transfers import filtered_shipments
from matching.quantities import annual_tonnes

from ..database import db_session
from ..i18n import one_language
from . import bp
from .auth import enterprises_only, page_principal
from .home import unread_count
from .matches import awaiting_clause, match_views, page_helpers
from .notifications import notice_link

AWAITING_SHOWN = 5
NOTICES_SHOWN = 5


def _count(stmt: Select) -> int:
    return db_session().scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def listing_totals(enterprise_id: int) -> dict[str, dict[str, float]]:
    """Active offers and needs of the enterprise: how many, and their tonnes a year."""
    out = {kind: {"count": 0, "tonnes": 0.0} for kind in ("offer", "need")}
    rows = db_session().execute(select(Listing.kind, Listing.quantity_t, Listing.period).where(
        Listing.enterprise_id == enterprise_id, Listing.status == "active"))
    for kind, quantity, period in rows:
        out[kind]["count"] += 1
        out[kind]["tonnes"] += annual_tonnes(quantity, period)
    return out


@bp.get("/dashboard")
@enterprises_only
def dashboard():
    """The enterprise's home page."""
    principal = page_principal()
    session = db_session()
    enterprise = session.get(Enterprise, principal.enterprise_id)  # the user's own enterprise
    awaiting_stmt = workflow.filtered_matches(session, principal).where(awaiting_clause(principal))
    awaiting = match_views(principal, list(session.scalars(awaiting_stmt.limit(AWAITING_SHOWN))))
    notices = list(session.scalars(list_query(principal).limit(NOTICES_SHOWN)))
    shipments = filtered_shipments(session, principal).where(Shipment.status.in_(OPEN_SHIPMENT_STATUSES))
    context: dict[str, Any] = {
        "enterprise": enterprise, "totals": listing_totals(principal.enterprise_id),
        "awaiting": awaiting, "awaiting_total": _count(awaiting_stmt),
        "notices": [{"text": one_language(n.data.get("message") if n.data else None),
                     "link": notice_link(principal, notification_dict(n), n.enterprise_id),
                     "read": n.read_at is not None, "kind": n.kind,
                     "at": n.created_at.isoformat() if n.created_at else None} for n in notices],
        "unread": unread_count(principal), "shipments_open": _count(shipments),
    }
    return render_template("dashboard.html", **context, **page_helpers())
