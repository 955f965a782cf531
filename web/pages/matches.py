"""An enterprise's matches: the list, one match with its checks and history, accept / decline.

Everything shown comes from ``workflow.match_view`` and ``workflow.history``, which
anonymise the counterpart until both parties have accepted. Coordinators may open a
match too (read-only here: approving and rejecting live on the approvals pages).
"""
from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, or_, select

from marketplace.errors import DomainError, NotFound
from marketplace.models import MATCH_STATUSES, Listing, Match
from marketplace.services.accounts import disclosure
from marketplace.services.matching import workflow
from marketplace.services.accounts.users import Principal

from ..database import db_session
from ..i18n import state_label
from . import bp
from .auth import enterprises_only, page_principal, signed_in
from .common import FormErrors, flash_done, flash_error, paginate

# The regulatory checks (DESIGN's rules), by their stable code.
CHECK_LABELS = {
    "hw_licence": _l("HW business licence"), "licence_capacity": _l("Licence capacity"),
    "exemption": _l("Exemption"), "pops_destruction_only": _l("POPs: destruction only"),
    "medical_waste": _l("Medical waste"), "contaminant_limit": _l("Contaminant limits"),
    "required_component": _l("Required components"), "form": _l("Physical form"),
    "distance": _l("Distance"), "cross_province_transfer": _l("Cross-province transfer"),
    "availability": _l("Availability"), "self_match": _l("Different enterprises"),
    "incompatible_mix": _l("Incompatible mixes"),
}
ACTION_LABELS = {
    "propose": _l("Proposed"), "accept": _l("Accepted"),
    "decline": _l("Declined"), "approve": _l("Approved"), "reject": _l("Rejected"),
    "start_transfer": _l("Transfer started"), "complete": _l("Completed"), "cancel": _l("Cancelled"),
    "expire": _l("Expired"), "supersede": _l("Superseded"),
    "clear_acceptances": _l("Quantity changed: acceptances cleared"),
}
ROLE_LABELS = {"offer_party": _l("Offer side"), "need_party": _l("Need side"), "coordinator": _l("Coordinator"),
               "system": _l("System"), "none": _l("Other")}


def page_helpers() -> dict[str, Any]:
    """Labels and formatters the match templates share."""
    from .listings import FORM_LABELS, PURPOSE_LABELS

    return {"CHECK_LABELS": CHECK_LABELS, "ACTION_LABELS": ACTION_LABELS, "ROLE_LABELS": ROLE_LABELS,
            "LABELS": {"form": FORM_LABELS, "purpose": PURPOSE_LABELS}}


def match_views(principal: Principal, matches: list[Match]) -> list[dict[str, Any]]:
    """The matches as ``principal`` may see them, each with ``mine``/``theirs`` and ``awaiting`` added."""
    session = db_session()
    disclosed = disclosure.disclosed_listing_ids(session, principal)
    origin = disclosure.viewer_origin(session, principal)
    out = []
    for m in matches:
        view = workflow.match_view(principal, m, disclosed, origin)
        side = view.get("your_side")
        view["mine"] = view[side] if side else None
        view["theirs"] = view["need" if side == "offer" else "offer"] if side else None
        view["awaiting"] = bool(side and view["status"] == "proposed" and not view[f"{side}_accepted"])
        out.append(view)
    return out


def awaiting_clause(principal: Principal) -> ColumnElement[bool]:
    """Proposed matches in which the user's enterprise has not answered yet (SQL condition)."""
    own = select(Listing.id).where(Listing.enterprise_id == principal.enterprise_id)
    return and_(Match.status == "proposed",
                or_(and_(Match.offer_id.in_(own), Match.offer_accepted_at.is_(None)),
                    and_(Match.need_id.in_(own), Match.need_accepted_at.is_(None))))


@bp.get("/matches")
@enterprises_only
def matches():
    """The enterprise's matches, newest first (``?status=``, ``?awaiting=1`` for those needing an answer)."""
    principal = page_principal()
    session = db_session()
    status = request.args.get("status") if request.args.get("status") in MATCH_STATUSES else None
    awaiting = request.args.get("awaiting") == "1"
    stmt = workflow.filtered_matches(session, principal, status=status)
    if awaiting:
        stmt = stmt.where(awaiting_clause(principal))
    page = paginate(session, stmt, lambda rows: match_views(principal, rows))
    return render_template("matches.html", page=page, status=status or "", awaiting=awaiting,
                           STATUS_OPTIONS=[(s, state_label(s)) for s in MATCH_STATUSES], **page_helpers())


def _load(principal: Principal, match_id: int) -> Match:
    try:
        return workflow.get_match(db_session(), principal, match_id)
    except NotFound:
        abort(404)


def _render(principal: Principal, match: Match, errors: FormErrors | None = None, reason: str = "",
            status: int = 200):
    session = db_session()
    view = match_views(principal, [match])[0]
    return render_template("match.html", match=view, history=workflow.history(session, principal, match),
                           errors=errors, reason=reason, **page_helpers()), status


@bp.get("/matches/<int:match_id>")
@signed_in
def match(match_id: int):
    """One match: the counterpart as disclosed, quantity, price, distance, reasons, every check, history."""
    principal = page_principal()
    return _render(principal, _load(principal, match_id))


@bp.post("/matches/<int:match_id>/<any(accept, decline):action>")
@enterprises_only
def match_decide(match_id: int, action: str):
    """Accept or decline (a reason is required to decline) as the user's side of the match."""
    principal = page_principal()
    session = db_session()
    reason = (request.form.get("reason") or "").strip()[:2000]
    try:
        workflow.decide(session, principal, match_id, action, reason or None)
        session.commit()
    except NotFound:
        session.rollback()
        abort(404)
    except DomainError as exc:
        session.rollback()
        if action == "decline" and "reason" in exc.errors:
            errors = FormErrors.of(exc)
            errors.fields["reason"] = [_("Please say why you decline.")]
            return _render(principal, _load(principal, match_id), errors, reason, exc.status)
        flash_error(exc)
        return redirect(url_for("pages.match", match_id=match_id))
    flash_done(_("You accepted the match.") if action == "accept" else _("You declined the match."))
    return redirect(url_for("pages.match", match_id=match_id))
