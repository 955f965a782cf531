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
from sqlalchemy.orm import Session, selectinload

from marketplace.errors import DomainError, ValidationFailed
from marketplace.models import MATCH_STATUSES, Enterprise, Listing, Match
from marketplace.services.accounts import disclosure
from marketplace.services.matching import workflow
from marketplace.services.accounts.users import Principal

from ..database import db_session
from ..i18n import state_label
from . import bp
from .auth import coordinators_only, page_principal
from .common import FormErrors, coordinated_parks, flash_done, paginate, park_options, query_args
from .park import code_label, filter_values

DEFAULT_STATUS = "accepted"  # the queue: both parties accepted, the coordinator decides
DECISIONS = ("approve", "reject")
MAX_REASON = 2000  # as the API's MatchDecisionSchema
RECENT = 10


def _eager(stmt):
    """Load both listings, their enterprises and parks, and components with the matches (no N+1)."""
    return stmt.options(
        selectinload(Match.offer).selectinload(Listing.enterprise).selectinload(Enterprise.park),
        selectinload(Match.offer).selectinload(Listing.components),
        selectinload(Match.need).selectinload(Listing.enterprise).selectinload(Enterprise.park),
        selectinload(Match.need).selectinload(Listing.components))


def match_views(session: Session, principal: Principal, matches: list[Match]) -> list[dict[str, Any]]:
    """The matches as the workflow shows them to this user (coordinators: identified)."""
    disclosed = disclosure.disclosed_listing_ids(session, principal)
    origin = disclosure.viewer_origin(session, principal)
    return [workflow.match_view(principal, m, disclosed, origin) for m in matches]


def recent_decisions(session: Session, principal: Principal, park: str | None) -> list[dict[str, Any]]:
    """The latest approvals and rejections in the user's parks (or the chosen one), with their reasons."""
    stmt = workflow.decisions_stmt(principal)
    if park:
        in_park = workflow.filtered_matches(session, principal, park=park).with_only_columns(Match.id).order_by(None)
        stmt = stmt.where(Match.id.in_(in_park))
    matches = list(session.scalars(_eager(stmt).limit(RECENT)))
    rows = workflow.decision_views(session, matches)
    for row, m in zip(rows, matches):
        row.update(producer=m.offer.enterprise.name, receiver=m.need.enterprise.name, waste_code=m.offer.waste_code,
                   title=m.offer.title, title_zh=m.offer.title_zh)
    return rows


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
    stmt = _eager(workflow.filtered_matches(session, principal, status=values["status"], park=park))
    context["queue"] = paginate(session, stmt, lambda rows: match_views(session, principal, rows))
    context["decided"] = recent_decisions(session, principal, park)
    return render_template("approvals.html", **context), status


@bp.get("/approvals")
@coordinators_only
def approvals():
    """Matches awaiting approval in the user's parks (filters: park, status), then the latest decisions."""
    return render_queue()


def _decision_input() -> tuple[str, str]:
    action = (request.form.get("action") or "").strip()
    reason = request.form.get("reason") or ""
    errors: dict[str, list[str]] = {}
    if action not in DECISIONS:
        errors["action"] = [_("choose approve or reject")]
    if len(reason) > MAX_REASON:
        errors["reason"] = [_("at most %(n)s characters", n=MAX_REASON)]
    if "\x00" in reason:
        errors["reason"] = [_("contains a character that is not allowed")]
    if errors:
        raise ValidationFailed("the decision is not valid (审批输入有误)", errors)
    return action, reason


@bp.post("/approvals/<int:match_id>")
@coordinators_only
def approvals_decide(match_id: int):
    """Approve or reject one match (a reason is required to reject); back to the queue with its filters."""
    principal, session = page_principal(), db_session()
    reason = request.form.get("reason") or ""
    action = request.form.get("action") or ""
    try:
        action, reason = _decision_input()
        workflow.decide(session, principal, match_id, action, reason or None)
        session.commit()
    except DomainError as exc:
        session.rollback()
        problem = {"match": match_id, "action": action, "reason": reason, "errors": FormErrors.of(exc)}
        return render_queue(problem, exc.status)
    if action == "approve":
        flash_done(_("Match #%(id)s approved: its tonnes are reserved and the parties are told.", id=match_id))
    else:
        flash_done(_("Match #%(id)s rejected; the parties are told why.", id=match_id))
    return redirect(url_for("pages.approvals", **query_args()))
