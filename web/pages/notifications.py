"""The user's notices (推送通知): newest first, unread highlighted, each linking to what it is about."""
from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace.errors import DomainError, NotFound
from marketplace.models import NOTIFICATION_KINDS
from marketplace.services.accounts.users import Principal
from marketplace.services.delivery import preferences as delivery_preferences
from marketplace.services.matching import notifications as service

from ..database import db_session
from ..i18n import one_language
from . import bp
from .auth import page_principal, safe_next, signed_in
from .common import flash_done, flash_error, paginate, park_time

READ_FILTERS = (("", _l("All notices")), ("unread", _l("Unread only")), ("read", _l("Read only")))


# --- the notices ---------------------------------------------------------------------------------------

def notice_link(principal: Principal, notice: dict[str, Any], enterprise_id: int | None) -> str | None:
    """Where a notice points: its shipment, its match, the user's own listing, or the ledger."""
    data = notice.get("data") or {}
    if data.get("shipment_id"):
        return url_for("pages.shipment", shipment_id=int(data["shipment_id"]))
    if notice.get("match_id"):
        return f"/matches/{int(notice['match_id'])}"
    own = notice.get("own_listing_id")
    # Only an enterprise's own listing is linked: the other one is shown anonymised in the notice itself.
    if own and principal.enterprise_id is not None and enterprise_id == principal.enterprise_id:
        return f"/listings/{int(own)}"
    if notice.get("kind") == "ledger_findings" and principal.enterprise_id is not None:
        return url_for("pages.ledger") + "#findings"
    return _governance_link(principal, notice.get("kind"), data)


def _governance_link(principal: Principal, kind: str | None, data: dict[str, Any]) -> str | None:
    """A survey, roster, EECM, disclosure or HW filing notice points at the page where the user acts on it."""
    enterprise = principal.enterprise_id is not None
    if kind == "survey_transition":
        if data.get("declaration_id"):
            endpoint = "pages.survey_declaration" if enterprise else "pages.survey_review"
            return url_for(endpoint, declaration_id=int(data["declaration_id"]))
        return None if enterprise else url_for("pages.surveys")  # an import: the review list
    if kind == "eecm_transition" and data.get("assessment_id"):
        if enterprise:
            return url_for("pages.eecm_self", year=data.get("year"))
        return url_for("pages.eecm_assessment", assessment_id=int(data["assessment_id"]))
    if kind == "disclosure_transition" and data.get("disclosure_id"):
        return url_for("pages.disclosure_page", disclosure_id=int(data["disclosure_id"]))
    if kind == "roster_decision":
        return None if enterprise else url_for("pages.roster_page", year=data.get("year"))
    # The yearly HW filings: both sides act on the same page (the enterprise edits, the coordinator reviews).
    if kind == "hw_declaration" and data.get("declaration_id"):
        return url_for("pages.hw_declaration", declaration_id=int(data["declaration_id"]))
    if kind == "hw_plan" and data.get("plan_id"):
        return url_for("pages.hw_plan", plan_id=int(data["plan_id"]))
    return None


def _read_filter() -> tuple[str, bool | None]:
    chosen = request.args.get("read", "")
    return (chosen, {"unread": True, "read": False}.get(chosen)) if chosen in ("unread", "read") else ("", None)


@bp.get("/notifications")
@signed_in
def notifications():
    """The user's notices, newest first (``?read=unread|read``), paginated."""
    principal, session = page_principal(), db_session()
    chosen, unread = _read_filter()

    def views(rows: list[Any]) -> list[dict[str, Any]]:
        out = []
        for n in rows:
            doc = service.notification_dict(n)
            doc["text"] = one_language(doc["message"])
            doc["when"] = park_time(n.created_at)
            doc["link"] = notice_link(principal, doc, n.enterprise_id)
            out.append(doc)
        return out

    page = paginate(session, service.list_query(principal, unread=unread), views)
    return render_template("notifications.html", page=page, read=chosen, filters=READ_FILTERS,
                           back=request.full_path.rstrip("?"), delivery=_delivery_view(session, principal))


def _delivery_view(session, principal: Principal) -> dict[str, Any] | None:
    """The preferences section: the caller's channels, each kind labelled in the page's language."""
    if principal.user_id is None:
        return None
    view = delivery_preferences.preferences_view(session, principal)
    return {**view, "kinds": [{**k, "label": one_language(k["label"])} for k in view["kinds"]]}


@bp.post("/notifications/preferences")
@signed_in
def notification_preferences():
    """Save where the user's notices go outside the app: the chat robot's webhook and each kind's channels."""
    form = request.form
    kinds = {k: {"email": f"email-{k}" in form, "webhook": f"webhook-{k}" in form} for k in NOTIFICATION_KINDS}
    url = form.get("webhook_url", "").strip()
    try:
        delivery_preferences.update_preferences(db_session(), page_principal(), webhook_url=url or None,
                                                clear_webhook=not url, kinds=kinds)
    except DomainError as exc:
        flash_error(exc)
    else:
        flash_done(_("Your notice preferences were saved."))
    return redirect(url_for("pages.notifications") + "#delivery")


@bp.post("/notifications/<int(max=2147483647):notification_id>/read")
@signed_in
def notification_read(notification_id: int):
    """Mark one notice read; go back to the list (or on to what it is about, with ``open``)."""
    try:
        service.mark_read(db_session(), page_principal(), notification_id)
    except NotFound:
        abort(404)
    return redirect(safe_next(request.form.get("next"), url_for("pages.notifications")))


@bp.post("/notifications/read-all")
@signed_in
def notifications_read_all():
    """Mark every unread notice of the user read."""
    marked = service.mark_all_read(db_session(), page_principal())
    flash_done(_("%(n)s notices marked read.", n=marked))
    return redirect(safe_next(request.form.get("next"), url_for("pages.notifications")))
