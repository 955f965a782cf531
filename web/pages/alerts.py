"""Reconciliation alerts (对账预警) for coordinators: weights that do not match, manifests left open, licences.

The list shows the alerts of the coordinator's parks (``alerts.filtered_alerts``); a
coordinator acknowledges one with a note, or runs a scan (``alerts.scan_for``) that raises new
alerts and clears those whose condition is gone, as the API's ``/alerts/scan`` does.
"""
from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _

from marketplace.errors import DomainError
from marketplace.models import ALERT_KINDS, ALERT_STATUSES
from marketplace.services.traceability import alerts as service

from ..database import db_session
from ..i18n import one_language, state_label
from . import bp
from .auth import coordinators_only, page_principal
from .common import (FormErrors, act_with_note, choice_filters, coordinated_parks, flash_done, flash_error, paginate,
                     park_options)
from .findings import SEVERITY_LABELS


def _render(ack_errors: dict[int, FormErrors] | None = None, notes: dict[int, str] | None = None, status: int = 200):
    principal, session = page_principal(), db_session()
    parks = park_options(coordinated_parks(principal))
    values = choice_filters({"status": ALERT_STATUSES, "kind": ALERT_KINDS, "park": {code for code, _ in parks}})
    stmt = service.filtered_alerts(session, principal, status=values["status"] or None, kind=values["kind"] or None,
                                   park=values["park"] or None)

    def views(rows: list[Any]) -> list[dict[str, Any]]:
        out = []
        for a in rows:
            doc = service.alert_view(a)
            doc["text"] = one_language(doc["message"])
            out.append(doc)
        return out

    page = paginate(session, stmt, views)
    counts = service.active_counts(session, principal)
    return render_template(
        "alerts.html", page=page, values=values, park_options=parks, counts=counts,
        status_options=[(s, state_label(s)) for s in ALERT_STATUSES],
        kind_options=[(k, state_label(k)) for k in ALERT_KINDS], severity_labels=SEVERITY_LABELS,
        ack_errors=ack_errors or {}, notes=notes or {}, back=request.full_path.rstrip("?")), status


@bp.get("/alerts")
@coordinators_only
def alerts():
    """The alerts of the coordinator's parks, newest first; filters: status, kind, park."""
    return _render()


@bp.post("/alerts/<int:alert_id>/acknowledge")
@coordinators_only
def alert_acknowledge(alert_id: int):
    """Acknowledge an alert with a note (required); a refusal shows the list again with the note kept."""
    return act_with_note(lambda note: service.acknowledge(db_session(), page_principal(), alert_id, note),
                         alert_id, _render, _("The alert was acknowledged."), "pages.alerts")


@bp.post("/alerts/scan")
@coordinators_only
def alerts_scan():
    """Evaluate the alert thresholds now for one park (a coordinator of one park: theirs; admins: all).

    Which park a scan covers, and who may scan it, is ``alerts.scan_for``'s rule, as for the API's scan.
    """
    code = request.form.get("park", "")
    try:
        done = service.scan_for(db_session(), page_principal(), code or None)
    except DomainError as exc:
        flash_error(exc)
        return redirect(url_for("pages.alerts"))
    result = done.result
    flash_done(_("Scan done: %(raised)s raised, %(cleared)s cleared, %(active)s still active.",
                 raised=result.raised, cleared=result.cleared, active=result.still_active))
    return redirect(url_for("pages.alerts", park=code or None))
