"""Ledger findings (台账核查) for coordinators: the review of their parks' ledgers, and dismissing a finding.

A review (``ledger_review.review``) checks every entry of the park's enterprises, raises
new findings (the enterprise is told), refreshes those still there and resolves those
gone; a coordinator may dismiss an open finding they judge acceptable, with a note.
"""
from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace.errors import DomainError
from marketplace.models.ledger import FINDING_CODES, FINDING_STATUSES
from marketplace.services.traceability import ledger_review
from marketplace.services.accounts.users import Principal

from ..database import db_session
from ..i18n import one_language, state_label
from . import bp
from .auth import coordinators_only, page_principal
from .common import (FormErrors, act_with_note, choice_filters, coordinated_parks, flash_done, flash_error, paginate,
                     park_options)

CODE_LABELS = {"out_exceeds_in": _l("More out than in"), "source_exceeded": _l("Source batch exceeded"),
               "unknown_counterparty": _l("Unknown supplier or recipient"), "missing_cas": _l("CAS number missing"),
               "controlled_without_permit": _l("Controlled substance without permit"),
               "declaration_mismatch": _l("Hazardous waste declaration differs from the manifests"),
               "plan_missing": _l("No hazardous waste management plan submitted")}
SEVERITY_LABELS = {"error": _l("Error"), "warning": _l("Warning"), "critical": _l("Critical")}


def _filters(principal: Principal) -> tuple[dict[str, str], list[tuple[str, str]]]:
    parks = park_options(coordinated_parks(principal))
    values = choice_filters({"status": FINDING_STATUSES, "kind": FINDING_CODES,
                             "park": {code for code, _ in parks}})
    return values, parks


def _render(dismiss_errors: dict[int, FormErrors] | None = None, notes: dict[int, str] | None = None,
            status: int = 200):
    principal, session = page_principal(), db_session()
    values, parks = _filters(principal)
    stmt = ledger_review.filtered_findings(session, principal, status=values["status"] or None,
                                           code=values["kind"] or None, park=values["park"] or None)

    def views(rows: list[Any]) -> list[dict[str, Any]]:
        out = []
        for f in rows:
            doc = ledger_review.finding_view(f)
            doc["text"] = one_language(doc["message"])
            out.append(doc)
        return out

    page = paginate(session, stmt, views)
    return render_template(
        "findings.html", page=page, values=values, park_options=parks,
        status_options=[(s, state_label(s)) for s in FINDING_STATUSES],
        kind_options=[(c, CODE_LABELS[c]) for c in FINDING_CODES], code_labels=CODE_LABELS,
        severity_labels=SEVERITY_LABELS, dismiss_errors=dismiss_errors or {}, notes=notes or {},
        back=request.full_path.rstrip("?")), status


@bp.get("/ledger/findings")
@coordinators_only
def ledger_findings():
    """The findings of the coordinator's parks, newest first; filters: status, kind, park."""
    return _render()


@bp.post("/ledger/findings/review")
@coordinators_only
def ledger_review_run():
    """Review the ledgers of one park (or all the coordinator's parks) and say what was found.

    Which park, and whether the user may review it, is ``ledger_review.review_for``'s rule, as for the API.
    """
    code = request.form.get("park", "")
    try:
        result = ledger_review.review_for(db_session(), page_principal(), code or None)
    except DomainError as exc:
        flash_error(exc)
        return redirect(url_for("pages.ledger_findings"))
    flash_done(_("Review done: %(raised)s new findings, %(open)s still open, %(resolved)s resolved; "
                 "%(notified)s enterprises notified.", raised=result.raised, open=result.still_open,
                 resolved=result.resolved, notified=result.enterprises_notified))
    return redirect(url_for("pages.ledger_findings", park=code or None))


@bp.post("/ledger/findings/<int:finding_id>/dismiss")
@coordinators_only
def ledger_finding_dismiss(finding_id: int):
    """Dismiss an open finding with a note (required); a refusal shows the list again with the note kept."""
    return act_with_note(lambda note: ledger_review.dismiss(db_session(), page_principal(), finding_id, note),
                         finding_id, _render, _("The finding was dismissed."), "pages.ledger_findings")
