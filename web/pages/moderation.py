"""Coordinators' moderation of listings: the park's listings (filter: flagged, held), one listing in full, and
hold / resume / flag / clear / note on it.

The service decides who may (``marketplace.services.listings.moderation``): the page shows its
refusal, in the page's language, with the status the API gives (403, or 404 for a listing the
user cannot see). The listing itself is drawn by ``listing.html`` (the enterprise's own listing
page) with ``moderating`` set, and ``_moderation.html`` adds the hold, the flags and the forms.
Two template helpers serve other pages: ``listing_moderation`` (the owner's listing page shows
the hold and open flags) and ``commitment_of`` (the match and approval pages show what a
listing already committed to other partners).
"""
from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace.db import count_rows
from marketplace.errors import DomainError, Forbidden, NotFound
from marketplace.models import FLAG_REASONS, LISTING_KINDS, LISTING_STATUSES, Listing
from marketplace.services.listings import listings as listing_service
from marketplace.services.listings import moderation as service
from marketplace.services.matching import workflow

from ..database import db_session
from ..i18n import localise_message, state_label
from . import bp
from .auth import page_principal, signed_in
from .common import coordinated_parks, flash_done, flash_error, paginate, park_options
from .listings import _choices
from .match_views import match_views

FLAG_LABELS = {"implausible_quantity": _l("Implausible quantity"), "wrong_code": _l("Wrong waste code"),
               "wrong_composition": _l("Wrong composition"), "duplicate": _l("Duplicate listing"),
               "misleading": _l("Misleading description"), "other": _l("Other")}
TEXT_LIMIT = service.MAX_TEXT


def _refused(exc: DomainError):
    """The service's refusal as a page: 404 for a listing the user cannot see, else the reason (403)."""
    if isinstance(exc, NotFound):
        abort(404)
    return render_template("forbidden.html", reason=localise_message(exc.message)), exc.status


def _form_text(name: str) -> str | None:
    return (request.form.get(name) or "")[: TEXT_LIMIT + 1] or None  # one over: the service says "too long"


@bp.get("/park/listings")
@signed_in
def moderation_listings():
    """The listings of the coordinator's parks, newest first (filters: park, kind, status, flagged, held)."""
    principal, session = page_principal(), db_session()
    parks = coordinated_parks(principal)
    codes = {p.code for p in parks}
    values = {"park": request.args.get("park", ""), "kind": request.args.get("kind", ""),
              "status": request.args.get("status", ""), "flagged": request.args.get("flagged") == "1",
              "held": request.args.get("held") == "1"}
    values["park"] = values["park"] if values["park"] in codes else ""
    values["kind"] = values["kind"] if values["kind"] in LISTING_KINDS else ""
    values["status"] = values["status"] if values["status"] in LISTING_STATUSES else ""
    try:
        stmt = service.park_listings(session, principal, park=values["park"] or None, status=values["status"] or None,
                                     kind=values["kind"] or None, flagged=values["flagged"], held=values["held"])
    except (Forbidden, NotFound) as exc:
        return _refused(exc)

    def rows(items: list[Listing]) -> list[dict[str, Any]]:
        flags = service.open_flags_by_listing(session, [x.id for x in items])
        changed = service.changed_since_flagged(session, items)
        return [{"listing": x, "flags": flags.get(x.id, []), "changed": x.id in changed} for x in items]

    page = paginate(session, stmt, rows)
    return render_template(
        "moderation_listings.html", page=page, values=values, park_choices=park_options(parks),
        kind_choices=[(k, state_label(k)) for k in LISTING_KINDS],
        status_choices=[(s, state_label(s)) for s in LISTING_STATUSES],
        flagged_count=service.flagged_count(session, principal))


@bp.get("/park/listings/<int:listing_id>")
@signed_in
def moderation_listing(listing_id: int):
    """One listing of the coordinator's parks in full, with its matches, hold, flags, notes and the forms."""
    principal, session = page_principal(), db_session()
    try:
        view = service.moderation_view(session, principal, listing_id)
    except DomainError as exc:
        return _refused(exc)
    item = listing_service.get_listing(session, principal, listing_id)
    rows = listing_service.matches_of(session, principal, item, limit=50)
    return render_template("listing.html", item=listing_service.listing_detail(session, principal, item),
                           matches=match_views(principal, rows), reserved_t=listing_service.reserved_t(session, item.id),
                           moderating=True, moderation=view, FLAG_REASONS=FLAG_REASONS, **_choices())


def _act(listing_id: int, act, done: str):
    """Run one moderation act; back to the listing with what it did, or why it was refused."""
    try:
        act(db_session(), page_principal())
    except (Forbidden, NotFound) as exc:
        return _refused(exc)
    except DomainError as exc:
        flash_error(exc)
    else:
        flash_done(done)
    return redirect(url_for("pages.moderation_listing", listing_id=listing_id))


@bp.post("/park/listings/<int:listing_id>/hold")
@signed_in
def moderation_hold(listing_id: int):
    """Pause the listing and hold it (a reason is required); its open matches are cancelled."""
    reason = _form_text("reason")
    return _act(listing_id, lambda s, p: service.hold(s, p, listing_id, reason),
                _("The listing is paused and held: only a coordinator can resume it."))


@bp.post("/park/listings/<int:listing_id>/release")
@signed_in
def moderation_release(listing_id: int):
    """Resume the listing and lift the hold."""
    reason = _form_text("reason")
    return _act(listing_id, lambda s, p: service.release(s, p, listing_id, reason),
                _("The listing is active again and takes part in matching."))


@bp.post("/park/listings/<int:listing_id>/flag")
@signed_in
def moderation_flag(listing_id: int):
    """Flag the listing with a reason; its enterprise is notified."""
    reason, text = request.form.get("reason") or "", _form_text("text")
    return _act(listing_id, lambda s, p: service.flag(s, p, listing_id, reason, text),
                _("The listing is flagged and its enterprise notified."))


@bp.post("/park/listings/<int:listing_id>/flags/<int:remark_id>/clear")
@signed_in
def moderation_clear(listing_id: int, remark_id: int):
    """Clear an open flag; its enterprise is notified."""
    reason = _form_text("reason")
    return _act(listing_id, lambda s, p: service.clear_flag(s, p, listing_id, remark_id, reason),
                _("The flag is cleared and the enterprise notified."))


@bp.post("/park/listings/<int:listing_id>/note")
@signed_in
def moderation_note(listing_id: int):
    """A note only coordinators read."""
    text = _form_text("text")
    return _act(listing_id, lambda s, p: service.annotate(s, p, listing_id, text), _("Note saved."))


# --- helpers of other pages' templates ---------------------------------------------------------------

@bp.app_template_global()
def listing_moderation(listing_id: int) -> service.ModerationView | None:
    """The hold and flags the signed-in user may read on a listing's page (None when there is nothing)."""
    principal = page_principal()
    if principal is None:
        return None
    try:
        return service.remarks_view(db_session(), principal, listing_id)
    except (NotFound, Forbidden):
        return None


@bp.app_template_global()
def commitment_of(match_id: int, side: str) -> workflow.Commitment | None:
    """What ``side``'s listing of a match the user sees has committed to other partners (None if not visible)."""
    principal = page_principal()
    if principal is None or side not in ("offer", "need"):
        return None
    try:
        match = workflow.get_match(db_session(), principal, match_id)
    except NotFound:
        return None
    return workflow.commitment(db_session(), match, side)


@bp.app_template_global()
def flagged_in_park(code: str) -> int:
    """How many listings of park ``code`` carry an open flag (the park overview's "waiting for you")."""
    principal = page_principal()
    if principal is None:
        return 0
    try:
        stmt = service.park_listings(db_session(), principal, park=code, flagged=True)
    except DomainError:
        return 0
    return count_rows(db_session(), stmt)


@bp.app_context_processor
def _flag_labels() -> dict[str, Any]:
    return {"FLAG_LABELS": FLAG_LABELS}
