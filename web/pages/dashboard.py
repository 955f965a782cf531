"""The enterprise dashboard: own offers and needs, matches awaiting an answer, notices, shipments."""
from __future__ import annotations

from typing import Any

from flask import render_template

from marketplace.db import count_rows, page_rows
from marketplace.services.accounts.enterprises import own_enterprise
from marketplace.services.listings.listings import active_totals
from marketplace.services.matching import workflow
from marketplace.services.matching.notifications import list_query, notification_dict
from marketplace.services.traceability.transfers import open_shipments

from ..database import db_session
from ..i18n import one_language
from . import bp
from .auth import enterprises_only, page_principal
from .home import unread_count
from .match_views import match_views, page_helpers
from .notifications import notice_link

AWAITING_SHOWN = 5
NOTICES_SHOWN = 5


@bp.get("/dashboard")
@enterprises_only
def dashboard():
    """The enterprise's home page."""
    principal = page_principal()
    session = db_session()
    awaiting_stmt = workflow.filtered_matches(session, principal, awaiting=True)
    awaiting, awaiting_total = page_rows(session, awaiting_stmt, 1, AWAITING_SHOWN)
    notices, _total = page_rows(session, list_query(principal), 1, NOTICES_SHOWN)
    context: dict[str, Any] = {
        "enterprise": own_enterprise(session, principal), "totals": active_totals(session, principal),
        "awaiting": match_views(principal, awaiting), "awaiting_total": awaiting_total,
        "notices": [{"text": one_language(n.data.get("message") if n.data else None),
                     "link": notice_link(principal, notification_dict(n), n.enterprise_id),
                     "read": n.read_at is not None, "kind": n.kind,
                     "at": n.created_at.isoformat() if n.created_at else None} for n in notices],
        "unread": unread_count(principal), "shipments_open": count_rows(session, open_shipments(session, principal)),
    }
    return render_template("dashboard.html", **context, **page_helpers())
