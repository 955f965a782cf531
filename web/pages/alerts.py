"""Reconciliation alerts (对账预警) for coordinators: weights that do not match, manifests left open, licences.

The list shows the alerts of the coordinator's parks (``alerts.filtered_alerts``); a
coordinator acknowledges one with a note, or runs a scan (``alerts.scan``) that raises new
alerts and clears those whose condition is gone, as the API's ``/alerts/scan`` does.
"""
from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _

from marketplace.errors import DomainError, ValidationFailed
from marketplace.models import ALERT_KINDS, ALERT_STATUSES
from marketplace.services.traceability import alerts as service

from ..database import db_session
from ..i18n import one_language, state_label
from . import bp
from .auth import coordinators_only, page_principal
from .common import FormErrors, act_with_note, choice_filters, coordinated_parks, flash_done, flash_error, paginate, park_options
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
    """Evaluate the alert thresholds now for one park (a coordinator of one park: theirs; admins: all)."""
    principal, session = page_principal(), db_session()
    parks = {p.code: p.id for p in coordinated_parks(principal)}
    code = request.form.get("park", "")
    try:
        if code and code not in parks:
            raise ValidationFailed("not one of your parks (非所辖园区)", {"park": ["not one of your parks"]})
        if code:
            park_id = parks[code]
        elif principal.is_admin:
            park_id = None
        elif len(principal.park_ids) == 1:
            park_id = next(iter(principal.park_ids))
        else:
            raise ValidationFailed("name the park to scan (请选择园区)", {"park": ["required"]})
        result = service.scan(session, park_id=park_id, actor=principal.actor)
    except DomainError as exc:
        session.rollback()
        flash_error(exc)
        return redirect(url_for("pages.alerts"))
    session.commit()
    flash_done(_("Scan done: %(raised)s raised, %(cleared)s cleared, %(active)s still active.",
                 raised=result.raised, cleared=result.cleared, active=result.still_active))
    return redirect(url_for("pages.alerts", park=code or None))
