"""Annual hazardous waste declarations (危险废物年度申报) in the pages: an enterprise opens its declaration of a
year (drafted from its manifests), corrects the figures and submits it; a park coordinator reads it beside
the manifests and returns it with a reason or accepts it.

Every rule (who may see or change which declaration, the transitions, what a line must hold, the
reconciliation with the manifests) is ``marketplace.services.traceability.hw_declarations``'s; these pages
parse the form, call it and render. Typed tonnes are read as on every page (``typed_numbers``: "20,5" is 20.5;
"20,500" is refused with both of its readings).
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from marketplace.errors import DomainError, NotFound
from marketplace.models import HW_LINE_TONNES, HwDeclaration
from marketplace.services.traceability import hw_declarations as service

from ..database import db_session, discard_changes
from ..i18n import one_language
from . import bp
from .auth import page_principal, signed_in
from .common import FormErrors, act_then_back, flash_done, flash_error, save_then_submit
from .surveys import parse_tonnes

STATUS_LABELS = {
    "draft": lazy_pgettext("hw declaration status", "Draft"),
    "submitted": lazy_pgettext("hw declaration status", "Submitted"),
    "returned": lazy_pgettext("hw declaration status", "Returned for correction"),
    "resubmitted": lazy_pgettext("hw declaration status", "Resubmitted"),
    "accepted": lazy_pgettext("hw declaration status", "Accepted"),
}
TONNES_LABELS = {
    "stock_start_t": _l("Stored at the start of the year (t)"), "generated_t": _l("Generated (t)"),
    "utilised_own_t": _l("Utilised on site (t)"), "disposed_own_t": _l("Disposed of on site (t)"),
    "transferred_t": _l("Transferred under manifests (t)"), "stock_end_t": _l("Stored at the end of the year (t)"),
}
CHECK_LABELS = {"manifest_mismatch": _l("Differs from the manifests"), "unbalanced": _l("Does not balance")}
SEVERITY_LABELS = {"error": _l("Error"), "warning": _l("Warning")}
LINE_FIELD = re.compile(r"^lines\.(\d{1,3})\.(waste_code|" + "|".join(HW_LINE_TONNES) + r")$")
MAX_LINES = service.MAX_LINES
FIRST_YEAR = 2000


def status_label(status: str) -> str:
    """The page-language label of a declaration's status."""
    label = STATUS_LABELS.get(status)
    return str(label) if label is not None else str(_("Unknown"))


def _years() -> list[int]:
    this = dt.date.today().year
    return list(range(this, this - 6, -1))


def _checks(decl: HwDeclaration) -> dict[str, list[dict[str, str]]]:
    """The last submission's checks by field (``lines.N.transferred_t``, ``lines.N``, ``lines``)."""
    out: dict[str, list[dict[str, str]]] = {}
    for c in decl.checks or []:
        severity = c.get("severity") if c.get("severity") in SEVERITY_LABELS else "warning"
        out.setdefault(c.get("field") or "lines", []).append({
            "label": str(CHECK_LABELS.get(c.get("code") or "", "")), "severity": severity,
            "severity_label": str(SEVERITY_LABELS[severity]), "message": one_language(c.get("message") or "")})
    return out


def _typed_lines() -> tuple[list[dict[str, str]], list[dict[str, Any]], FormErrors]:
    """The lines as typed (strings; blank lines dropped), as the service takes them, and unreadable numbers."""
    cells: dict[int, dict[str, str]] = {}
    for name in request.form:
        m = LINE_FIELD.match(name)
        if m:
            cells.setdefault(int(m.group(1)), {})[m.group(2)] = (request.form.get(name) or "").strip()[:40]
    typed = [{k: row.get(k, "") for k in ("waste_code", *HW_LINE_TONNES)} for _i, row in sorted(cells.items())]
    typed = [row for row in typed if any(row.values())][:MAX_LINES]
    errors = FormErrors()
    rows: list[dict[str, Any]] = []
    for i, row in enumerate(typed):
        item: dict[str, Any] = {"waste_code": row["waste_code"]}
        for key in HW_LINE_TONNES:
            value, reason = parse_tonnes(row[key]) if row[key] else (0.0, None)
            if reason:
                errors.add(f"lines.{i}.{key}", reason)
            item[key] = value if value is not None else 0.0
        rows.append(item)
    return typed, rows, errors


def _stored_lines(decl: HwDeclaration) -> list[dict[str, str]]:
    return [{"waste_code": x.waste_code, **{k: f"{getattr(x, k):.10g}" for k in HW_LINE_TONNES}} for x in decl.lines]


def _render(decl: HwDeclaration, *, typed: list[dict[str, str]] | None = None, errors: FormErrors | None = None,
            reason: str = "", status: int = 200):
    principal = page_principal()
    own = principal.role == "enterprise" and principal.enterprise_id == decl.enterprise_id
    lines = typed if typed is not None else _stored_lines(decl)
    manifests = {x.waste_code: (x.manifests_t, x.manifest_count) for x in decl.lines}
    return render_template(
        "hw_declaration.html", declaration=decl, lines=lines + [dict.fromkeys(("waste_code", *HW_LINE_TONNES), "")],
        manifests=manifests, checks=_checks(decl), errors=errors or FormErrors(), reason=reason,
        editable=(own or principal.is_admin) and decl.status in service.EDITABLE,
        reviewable=principal.coordinates(decl.enterprise.park_id) and decl.status in service.UNDER_REVIEW,
        tonnes_keys=HW_LINE_TONNES, tonnes_labels=TONNES_LABELS, hw_status=status_label), status


def _get(declaration_id: int) -> HwDeclaration:
    try:
        return service.get_declaration(db_session(), page_principal(), declaration_id)
    except NotFound:
        abort(404)


@bp.get("/hw-declarations")
@signed_in
def hw_declarations():
    """The declarations the user may see (an enterprise: its own; a coordinator: their parks'), newest first,
    and, for an enterprise, the form that opens a year's declaration."""
    principal = page_principal()
    year = request.args.get("year", "")
    status = request.args.get("status", "")
    found = service.list_declarations(db_session(), principal, year=int(year) if year.isdigit() and
                                      FIRST_YEAR <= int(year) <= 2100 else None,
                                      status=status if status in STATUS_LABELS else None)
    return render_template("hw_declarations.html", declarations=found, years=_years(), values={
        "year": year, "status": status}, status_options=[(s, status_label(s)) for s in STATUS_LABELS],
        hw_status=status_label, can_open=principal.role == "enterprise")


@bp.post("/hw-declarations")
@signed_in
def hw_declaration_open():
    """Open (draft from the manifests, or find) the enterprise's declaration of the chosen year."""
    try:
        year = int(request.form.get("year", ""))
    except ValueError:
        abort(400)
    try:
        decl = service.draft(db_session(), page_principal(), None, year)
    except DomainError as exc:
        flash_error(exc)
        return redirect(url_for("pages.hw_declarations"))
    return redirect(url_for("pages.hw_declaration", declaration_id=decl.id))


@bp.get("/hw-declarations/<int:declaration_id>")
@signed_in
def hw_declaration(declaration_id: int):
    """One declaration: its lines beside the manifests, the checks of its last submission, and what the user
    may do with it (edit and submit; return or accept)."""
    return _render(_get(declaration_id))


@bp.post("/hw-declarations/<int:declaration_id>/lines")
@signed_in
def hw_declaration_save(declaration_id: int):
    """Save the lines (``action=save``), or save and submit them (``action=submit``); a refusal shows the form
    again with everything typed and each field's reason beside it, and keeps nothing."""
    session, principal = db_session(), page_principal()
    typed, rows, number_errors = _typed_lines()
    submitting = request.form.get("action") == "submit"
    return save_then_submit(
        lambda: service.save_lines(session, principal, declaration_id, rows),
        (lambda: service.submit(session, principal, declaration_id)) if submitting else None, number_errors,
        lambda errors, status: _render(_get(declaration_id), typed=typed, errors=errors, status=status),
        _("Your declaration was submitted for review.") if submitting else _("Draft saved."),
        url_for("pages.hw_declaration", declaration_id=declaration_id))


@bp.post("/hw-declarations/<int:declaration_id>/return")
@signed_in
def hw_declaration_return(declaration_id: int):
    """Return the declaration to its enterprise with a reason (the park's coordinators)."""
    reason = (request.form.get("reason") or "").strip()[:service.REASON_MAX]
    try:
        service.return_declaration(db_session(), page_principal(), declaration_id, reason)
    except NotFound:
        abort(404)
    except DomainError as exc:
        discard_changes()
        return _render(_get(declaration_id), errors=FormErrors.of(exc), reason=reason, status=exc.status)
    flash_done(_("The declaration was returned to the enterprise with your reason."))
    return redirect(url_for("pages.hw_declaration", declaration_id=declaration_id))


@bp.post("/hw-declarations/<int:declaration_id>/accept")
@signed_in
def hw_declaration_accept(declaration_id: int):
    """Accept the declaration (the park's coordinators)."""
    return act_then_back(lambda: service.accept(db_session(), page_principal(), declaration_id),
                         url_for("pages.hw_declaration", declaration_id=declaration_id),
                         _("The declaration was accepted."))
