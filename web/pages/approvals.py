"""The coordinators' approval queue: matches both parties accepted, to approve or reject with a reason.

Each match shows what the coordinator decides on (coordinators see both identities): producer
and receiver, material and waste code, quantity, distance, score, every regulatory check, the
licence or exemption it relies on and the engine's reasons. Approving re-checks the hard rules
and the quantities left (``workflow.decide``): a refusal is shown on the match with the reason
the user typed kept. Below the queue: the latest decisions with their reasons.
"""
from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace.errors import DomainError, ValidationFailed
from marketplace.models import MATCH_STATUSES
from marketplace.services.matching import approvals as service
from marketplace.services.matching import workflow

from ..database import db_session, discard_changes
from ..i18n import both_languages, state_label
from . import bp
from .auth import coordinators_only, page_principal
from .common import FormErrors, coordinated_parks, flash_done, paginate, park_options, query_args
from .park import code_label, filter_values

DEFAULT_STATUS = service.QUEUE_STATUS  # the queue: both parties accepted, the coordinator decides
DECISIONS = ("approve", "reject")
RECENT = 10


def _filters(parks: list[Any]) -> tuple[dict[str, str], FormErrors]:
    values = filter_values("park", "status")
    values["status"] = values["status"] or DEFAULT_STATUS
    errors = FormErrors()
    if values["park"] and values["park"] not in {p.code for p in parks}:
        errors.add("park", _("not one of your parks"))
    if values["status"] not in MATCH_STATUSES:
        errors.add("status", _("no such status"))
    return values, errors


def render_queue(problem: dict[str, Any] | None = None, status: int = 200):
    """The queue page; ``problem`` is a refused decision to show on its match (with the typed reason)."""
    principal, session = page_principal(), db_session()
    parks = coordinated_parks(principal)
    values, filter_errors = _filters(parks)
    context: dict[str, Any] = {"values": values, "park_choices": park_options(parks), "filter_errors": filter_errors,
                               "problem": problem, "code_label": code_label,
                               "statuses": [(s, state_label(s)) for s in MATCH_STATUSES],
                               "queue": None, "decided": [], "decisions": DECISIONS}
    if filter_errors:
        return render_template("approvals.html", **context), 422
    park = values["park"] or None
    stmt = service.queue(session, principal, status=values["status"], park=park)
    context["queue"] = paginate(session, stmt, lambda rows: workflow.match_views(session, principal, rows))
    context["decided"] = service.recent_decisions(session, principal, park=park, limit=RECENT)
    return render_template("approvals.html", **context), status


@bp.get("/approvals")
@coordinators_only
def approvals():
    """Matches awaiting approval in the user's parks (filters: park, status), then the latest decisions."""
    return render_queue()


def _action() -> str:
    action = (request.form.get("action") or "").strip()
    if action not in DECISIONS:
        raise ValidationFailed("the decision is not valid (审批输入有误)",
                               {"action": [both_languages(_l("choose approve or reject"))]})
    return action


@bp.post("/approvals/<int:match_id>")
@coordinators_only
def approvals_decide(match_id: int):
    """Approve or reject one match (a reason is required to reject); back to the queue with its filters.

    The reason's rules (required to reject, at most ``workflow.MAX_REASON`` characters) are the
    workflow's, as for ``POST /api/v1/matches/<id>/decisions``."""
    principal = page_principal()
    reason = request.form.get("reason") or ""
    action = request.form.get("action") or ""
    try:
        action = _action()
        workflow.decide(db_session(), principal, match_id, action, reason or None)
    except DomainError as exc:
        discard_changes()  # the queue is shown again as it was, without what the refused decision flushed
        problem = {"match": match_id, "action": action, "reason": reason, "errors": FormErrors.of(exc)}
        return render_queue(problem, exc.status)
    if action == "approve":
        flash_done(_("Match #%(id)s approved: its tonnes are reserved and the parties are told.", id=match_id))
    else:
        flash_done(_("Match #%(id)s rejected; the parties are told why.", id=match_id))
    return redirect(url_for("pages.approvals", **query_args()))
