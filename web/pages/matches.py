"""An enterprise's matches: the list, one match with its checks and history, accept / decline.

Everything shown comes from ``workflow.match_view`` and ``workflow.history``, which
anonymise the counterpart until both parties have accepted. Coordinators may open a
match too (read-only here: approving and rejecting live on the approvals pages).
"""
from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from marketplace.errors import DomainError, NotFound
from marketplace.models import MATCH_STATUSES, Match
from marketplace.services.accounts.users import Principal
from marketplace.services.matching import workflow
from matching.scoring import explain_value

from ..database import db_session, discard_changes
from ..i18n import state_label
from . import bp
from .auth import enterprises_only, page_principal, signed_in
from .common import FormErrors, flash_done, flash_error, paginate
from .match_views import match_views, page_helpers

# The score shown as value created per tonne with its parts (``_match_parts.value_breakdown``).
bp.add_app_template_global(explain_value, "explain_value")


@bp.get("/matches")
@enterprises_only
def matches():
    """The enterprise's matches, newest first (``?status=``, ``?awaiting=1`` for those needing an answer)."""
    principal = page_principal()
    session = db_session()
    status = request.args.get("status") if request.args.get("status") in MATCH_STATUSES else None
    awaiting = request.args.get("awaiting") == "1"
    stmt = workflow.filtered_matches(session, principal, status=status, awaiting=awaiting)
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
    reason = request.form.get("reason") or ""
    try:
        workflow.decide(db_session(), principal, match_id, action, reason or None,
                        confirm=request.form.get("confirm") == "1")  # the page's "accept anyway" (over-commitment)
    except NotFound:
        abort(404)
    except DomainError as exc:
        if action == "decline" and "reason" in exc.errors:  # missing or too long: the form again, with it
            discard_changes()
            errors = FormErrors.of(exc)
            if not reason.strip():
                errors.fields["reason"] = [_("Please say why you decline.")]
            return _render(principal, _load(principal, match_id), errors, reason.strip(), exc.status)
        flash_error(exc)
        return redirect(url_for("pages.match", match_id=match_id))
    flash_done(_("You accepted the match.") if action == "accept" else _("You declined the match."))
    return redirect(url_for("pages.match", match_id=match_id))
