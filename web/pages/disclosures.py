"""The annual environmental disclosure pages (企业环境信息依法披露) of enterprises and their coordinators.

Not the confidentiality rules (``accounts.disclosure``). The list shows the disclosures the user may see
(``disclosures.visible_disclosures``); a form generates the one of a year; a disclosure's page shows the
document with the step the user may take next: review (the enterprise), publish (the enterprise or its
coordinator), generate again while unpublished. Every rule is the service's, as for the API.
"""
from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace.errors import DomainError
from marketplace.models.base import park_date
from marketplace.services.governance import disclosures as service

from ..database import db_session
from . import bp
from .auth import page_principal, signed_in
from .common import flash_done, flash_error, paginate

STATUS_LABELS = {"draft": _l("Draft, not public"), "reviewed": _l("Reviewed by the enterprise"),
                 "published": _l("Published")}


def status_labels() -> dict[str, str]:
    """The page-language label of each disclosure state."""
    return {k: str(v) for k, v in STATUS_LABELS.items()}


@bp.get("/disclosures")
@signed_in
def disclosures():
    """The disclosures of the user's enterprise (coordinators: of their parks), newest year first."""
    principal, session = page_principal(), db_session()
    page = paginate(session, service.visible_disclosures(principal),
                    lambda rows: [service.disclosure_view(d) for d in rows])
    values = {"enterprise": principal.enterprise_ref or "", "year": str(park_date().year - 1)}
    return render_template("disclosures.html", page=page, values=values, status_labels=status_labels())


@bp.post("/disclosures/generate")
@signed_in
def disclosure_generate():
    """Generate (or rebuild) a year's disclosure; a refusal goes back to the list with the reason."""
    principal = page_principal()
    ref = (principal.enterprise_ref or request.form.get("enterprise", "")).strip()[:64]
    try:
        year = int(request.form.get("year", ""))
    except ValueError:
        year = request.form.get("year", "")  # the service names the field and the reason
    try:
        d = service.generate_disclosure(db_session(), principal, ref, year)  # type: ignore[arg-type]
    except DomainError as exc:
        flash_error(exc)
        return redirect(url_for("pages.disclosures"))
    flash_done(_("The disclosure of %(year)s was generated: check it, then mark it as reviewed.", year=d.year))
    return redirect(url_for("pages.disclosure_page", disclosure_id=d.id))


@bp.get("/disclosures/<int:disclosure_id>")
@signed_in
def disclosure_page(disclosure_id: int):
    """One disclosure: the document and the next step."""
    d = service.get_disclosure(db_session(), page_principal(), disclosure_id)
    return render_template("disclosure_page.html", d=service.disclosure_view(d), t=service.labels(),
                           status_labels=status_labels())


def _step(disclosure_id: int, act: Any, done: str):
    try:
        act(db_session(), page_principal(), disclosure_id)
    except DomainError as exc:
        flash_error(exc)
    else:
        flash_done(done)
    return redirect(url_for("pages.disclosure_page", disclosure_id=disclosure_id))


@bp.post("/disclosures/<int:disclosure_id>/review")
@signed_in
def disclosure_review(disclosure_id: int):
    """The enterprise marks its draft as reviewed."""
    return _step(disclosure_id, service.review, _("Marked as reviewed: it can now be published."))


@bp.post("/disclosures/<int:disclosure_id>/publish")
@signed_in
def disclosure_publish(disclosure_id: int):
    """Publish a reviewed disclosure: it appears on the public pages and no longer changes."""
    return _step(disclosure_id, service.publish, _("Published: the disclosure is on the public pages."))
