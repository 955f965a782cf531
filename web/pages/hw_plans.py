"""Hazardous waste management plans (危险废物管理计划) in the pages: an enterprise opens its plan of a year (drafted
from what the platform knows), completes its wastes, transfers, facilities and reduction measures and submits it;
a park coordinator files it (accepts it, giving a filing number) or returns it with a reason; a filed plan that
must change is revised and goes through the same review.

Every rule (who may see or change which plan, the tier and what it requires, the transitions, what a row must
hold, the findings) is ``marketplace.services.traceability.hw_plans``'s; these pages parse the form, call it and
render. Typed tonnes are read with ``read_tonnes`` ("1,5", "20吨", "300 kg" read; "20,500" or "2o" refused with
their reason beside the field).
"""
from __future__ import annotations

import re
from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from markupsafe import Markup

from marketplace.errors import DomainError, NotFound
from marketplace.models import HW_FACILITY_KINDS, HW_PLAN_TONNES, HwPlan
from marketplace.models.base import park_date
from marketplace.schemas.numbers import read_number, read_tonnes
from marketplace.services.accounts.enterprises import list_enterprises
from marketplace.services.traceability import hw_plans as service

from ..database import db_session, discard_changes
from ..i18n import one_language
from . import bp
from .auth import page_principal, signed_in
from .common import FormErrors, act_then_back, flash_done, flash_error, save_then_submit
from .typed_numbers import number_reason, tonnes_reason

STATUS_LABELS = {
    "draft": lazy_pgettext("hw plan status", "Draft"),
    "submitted": lazy_pgettext("hw plan status", "Submitted"),
    "returned": lazy_pgettext("hw plan status", "Returned for correction"),
    "resubmitted": lazy_pgettext("hw plan status", "Resubmitted"),
    "accepted": lazy_pgettext("hw plan status", "Filed"),
}
TIER_LABELS = {
    "key": _l("Key supervision unit"), "simplified": _l("Simplified management unit"),
    "registration": _l("Registration management unit"),
}
KIND_LABELS = {"storage": _l("Storage facility"), "utilisation": _l("Own utilisation facility"),
               "disposal": _l("Own disposal facility")}
SECTION_LABELS = {
    "wastes": _l("Planned wastes"), "transfers": _l("Planned transfers to licensed receivers"),
    "facilities": _l("Facilities"), "reduction": _l("Waste reduction"),
}
# The columns of each table, in the form's order: text fields, then tonnes.
COLUMNS = {
    "wastes": ("waste_code", "name", "source", *HW_PLAN_TONNES),
    "transfers": ("waste_code", "receiver", "licence_number", "planned_t"),
    "facilities": ("kind", "name", "capacity_t"),
}
TONNES = {"wastes": HW_PLAN_TONNES, "transfers": ("planned_t",), "facilities": ("capacity_t",)}
COLUMN_LABELS = {
    "wastes": {
        "waste_code": _l("Waste code"), "name": _l("Waste name"), "source": _l("Where it arises (process)"),
        "planned_t": _l("Planned generation (t)"), "storage_max_t": _l("Largest amount stored (t)"),
        "utilised_own_t": _l("Utilised on site (t)"), "disposed_own_t": _l("Disposed of on site (t)"),
        "transferred_t": _l("To licensed receivers (t)"),
    },
    "transfers": {
        "waste_code": _l("Waste code"), "receiver": _l("Receiver (platform ref or name)"),
        "licence_number": _l("Receiver's HW business licence number"), "planned_t": _l("Planned transfer (t)"),
    },
    "facilities": {"kind": _l("Kind of facility"), "name": _l("Facility name"), "capacity_t": _l("Facility capacity (t)")},
    "reduction": {"reduction_measures": _l("Reduction measures"),
                  "reduction_target_pct": _l("Reduction target (%)")},
}
CHECK_LABELS = {
    "section_missing": _l("Section missing"), "unbalanced": _l("Does not balance"),
    "transfers_differ": _l("Transfers differ from the wastes"), "receiver_unlicensed": _l("Receiver not licensed"),
    "licence_unknown": _l("Licence not found"), "late": _l("Filed late"),
    "beyond_plan": _l("Manifests beyond the plan"),
}
SEVERITY_LABELS = {"error": _l("Error"), "warning": _l("Warning")}
NOT_PERCENT = _l("Type a percentage, e.g. 5 or 5%.")
ROW_FIELD = re.compile(r"^(wastes|transfers|facilities)\.(\d{1,3})\.(\w+)$")
WASTE_ROW = re.compile(r"^(wastes)\.(\d{1,3})$")
# What a field keeps of what was typed: beyond the service's own limits, so that it says why a text is too long.
TEXT_MAX = 1000
LONG_TEXT_MAX = 20_000
NUMBER_MAX = 40


def status_label(status: str) -> str:
    """The page-language label of a plan's status."""
    label = STATUS_LABELS.get(status)
    return str(label) if label is not None else str(_("Unknown"))


def tier_label(tier: str | None) -> str:
    """The page-language name of a management tier."""
    label = TIER_LABELS.get(tier or "")
    return str(label) if label is not None else str(_("Unknown"))


def _section_of(name: str) -> str:
    """The section a form field or finding belongs to (``wastes.2.planned_t`` → ``wastes``); '' for the plan."""
    head = name.split(".", 1)[0]
    if head in COLUMNS:
        return head
    return "reduction" if head.startswith("reduction") else ""


def plan_field_label(name: str) -> str:
    """A form field's name as people read it ("Planned wastes, line 2: Planned generation (t)"), never its key."""
    row = ROW_FIELD.match(name)
    if row is not None:
        section, n, key = row.groups()
        column = COLUMN_LABELS[section].get(key)
        where = _("%(section)s, line %(n)s", section=SECTION_LABELS[section], n=int(n) + 1)
        return _("%(where)s: %(field)s", where=where, field=column) if column is not None else where
    section = _section_of(name)
    if section == "reduction" and name in COLUMN_LABELS["reduction"]:
        return str(COLUMN_LABELS["reduction"][name])
    if section:
        return str(SECTION_LABELS[section])
    return str(_("The plan"))


def _years() -> list[int]:
    """The years a plan may be opened for: next year's (drafted late in the year), this year's and two before."""
    this = park_date().year
    return list(range(this + 1, this - 3, -1))


def _default_year() -> int:
    """Next year's plan from October on (it is due by 31 March), else this year's."""
    today = park_date()
    return today.year + 1 if today.month >= 10 else today.year


def _checks(view: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    """The findings of the last submission by field (``wastes.0.transferred_t``, ``facilities``, ``''``…), each with
    its label and its message in the page's language."""
    out: dict[str, list[dict[str, str]]] = {}
    for c in view.get("checks") or []:
        severity = c.get("severity") if c.get("severity") in SEVERITY_LABELS else "warning"
        label, message = CHECK_LABELS.get(c.get("code") or ""), one_language(c.get("message") or "")
        out.setdefault(c.get("field") or "", []).append({
            "severity": severity, "severity_label": str(SEVERITY_LABELS[severity]),
            "text": _("%(check)s: %(detail)s", check=label, detail=message) if label is not None else message})
    return out


def _section_checks(checks: dict[str, list[dict[str, str]]], rows: dict[str, int]) -> dict[str, list[dict[str, str]]]:
    """The findings shown above each section (``''``: above the plan): those not beside a row shown on the page."""
    out: dict[str, list[dict[str, str]]] = {}
    for field, items in checks.items():
        row = ROW_FIELD.match(field) or WASTE_ROW.match(field)
        if row is not None and int(row.group(2)) < rows.get(row.group(1), 0):
            continue  # shown beside its field (a waste line's own: beside the platform's figures)
        out.setdefault(_section_of(field), []).extend(items)
    return out


# --- the form ------------------------------------------------------------------------------------------------------

def _typed_rows() -> dict[str, list[dict[str, str]]]:
    """Each table's rows as typed (strings), blank rows dropped, renumbered from 0 as the service will see them."""
    cells: dict[str, dict[int, dict[str, str]]] = {section: {} for section in COLUMNS}
    for name in request.form:
        m = ROW_FIELD.match(name)
        if m and m.group(3) in COLUMNS[m.group(1)]:
            limit = NUMBER_MAX if m.group(3) in TONNES[m.group(1)] else TEXT_MAX
            cells[m.group(1)].setdefault(int(m.group(2)), {})[m.group(3)] = (request.form.get(name) or "").strip()[:limit]
    typed = {}
    for section, rows in cells.items():
        full = [{k: row.get(k, "") for k in COLUMNS[section]} for _i, row in sorted(rows.items())]
        typed[section] = [row for row in full if any(row.values())][:service.MAX_ROWS]
    return typed


def _tonnes(typed: str, name: str, errors: FormErrors) -> float:
    """A typed tonnage (blank: 0); an unreadable one is a field error (and 0, never kept: the form is refused)."""
    if not typed:
        return 0.0
    reading = read_tonnes(typed)
    if not reading.ok:
        errors.add(name, tonnes_reason(reading, typed))
        return 0.0
    return reading.value


def _body(typed: dict[str, list[dict[str, str]]], reduction: dict[str, str]) -> tuple[dict[str, Any], FormErrors]:
    """The body ``save_plan`` takes, and the typed numbers that could not be read, by field."""
    errors = FormErrors()
    body: dict[str, Any] = {}
    for section, rows in typed.items():
        body[section] = [{k: (_tonnes(v, f"{section}.{i}.{k}", errors) if k in TONNES[section] else v)
                          for k, v in row.items()} for i, row in enumerate(rows)]
    body["reduction_measures"] = reduction["reduction_measures"]
    pct = reduction["reduction_target_pct"]
    body["reduction_target_pct"] = None
    if pct:
        reading = read_number(pct, percent=True)
        if reading.ok:
            body["reduction_target_pct"] = reading.value
        else:
            errors.add("reduction_target_pct", number_reason(reading, pct) if reading.problem != "unknown_unit"
                       else str(NOT_PERCENT))
    return body, errors


def _g(value: Any) -> str:
    """A stored figure as the form shows it (no float noise); '' for none."""
    return "" if value is None else f"{value:.10g}" if isinstance(value, (int, float)) else str(value)


def _stored_rows(view: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    return {section: [{k: _g(row.get(k)) for k in COLUMNS[section]} for row in view.get(section) or []]
            for section in COLUMNS}


def _manifest_count(value: Any) -> int:
    return len(value) if isinstance(value, (list, tuple)) else int(value or 0)


def _render(plan: HwPlan, *, typed: dict[str, list[dict[str, str]]] | None = None,
            reduction: dict[str, str] | None = None, errors: FormErrors | None = None, reason: str = "",
            status: int = 200, form: str = ""):
    """The plan's page; ``errors`` are of ``form`` (``save``, ``return``), shown beside its fields when the page shows
    that form, else at the top."""
    principal = page_principal()
    view = service.plan_view(plan)
    own = principal.is_admin or (principal.role == "enterprise" and principal.enterprise_id == plan.enterprise_id)
    rows = typed if typed is not None else _stored_rows(view)
    reduction = reduction if reduction is not None else {
        "reduction_measures": view.get("reduction_measures") or "",
        "reduction_target_pct": _g(view.get("reduction_target_pct"))}
    editable = own and plan.status in service.EDITABLE
    shown = {section: len(items) for section, items in rows.items()}
    checks = _checks(view)
    # The platform's figures of each waste code, read-only beside the line that names it.
    platform = {w["waste_code"]: {"last_year_t": w.get("last_year_t"), "manifests_t": w.get("manifests_t"),
                                  "manifests": _manifest_count(w.get("manifests"))} for w in view.get("wastes") or []}
    blank = {section: dict.fromkeys(COLUMNS[section], "") for section in COLUMNS}
    return render_template(
        "hw_plan.html", plan=plan, view=view, rows=rows, blank=blank, reduction=reduction, platform=platform,
        checks=checks, section_checks=_section_checks(checks, shown), errors=errors or FormErrors(), reason=reason,
        form=form, editable=editable, reviewable=principal.coordinates(plan.enterprise.park_id)
        and plan.status in service.UNDER_REVIEW,
        revisable=own and plan.status == "accepted", required=set(view.get("required") or ()),
        columns=COLUMNS, tonnes=TONNES, labels=COLUMN_LABELS, section_labels=SECTION_LABELS,
        kind_options=[(k, str(KIND_LABELS[k])) for k in HW_FACILITY_KINDS], kind_labels=KIND_LABELS,
        hw_status=status_label, hw_tier=tier_label, plan_field_label=plan_field_label,
        required_badge=required_badge), status


def _get(plan_id: int) -> HwPlan:
    try:
        return service.get_plan(db_session(), page_principal(), plan_id)
    except NotFound:
        abort(404)


# --- the pages -----------------------------------------------------------------------------------------------------

@bp.get("/hw-plans")
@signed_in
def hw_plans():
    """The plans the user may see (an enterprise: its own; a coordinator: their parks'), filtered by year, status
    and tier, and the form that opens a year's plan (coordinators name the enterprise)."""
    principal = page_principal()
    values = {k: request.args.get(k, "") for k in ("year", "status", "tier")}
    year = int(values["year"]) if values["year"].isdigit() and service.MIN_YEAR <= int(values["year"]) \
        <= service.MAX_YEAR else None
    found = service.list_plans(db_session(), principal, year=year,
                               status=values["status"] if values["status"] in STATUS_LABELS else None,
                               tier=values["tier"] if values["tier"] in TIER_LABELS else None)
    coordinating = principal.is_admin or principal.is_coordinator
    enterprises = [(e.ref, f"{e.name} ({e.ref})") for e in list_enterprises(db_session(), principal)] \
        if coordinating else []
    return render_template(
        "hw_plans.html", plans=found, years=_years(), default_year=_default_year(), values=values,
        status_options=[(s, status_label(s)) for s in STATUS_LABELS],
        tier_options=[(t, tier_label(t)) for t in TIER_LABELS], hw_status=status_label, hw_tier=tier_label,
        can_open=principal.role == "enterprise" or coordinating, enterprises=enterprises)


@bp.post("/hw-plans")
@signed_in
def hw_plan_open():
    """Open the plan of the chosen year (drafted from what the platform knows, or the one already there)."""
    try:
        year = int(request.form.get("year", ""))
    except ValueError:
        abort(400)
    ref = (request.form.get("enterprise") or "").strip() or None
    try:
        plan = service.draft(db_session(), page_principal(), ref, year)
    except DomainError as exc:
        flash_error(exc)
        return redirect(url_for("pages.hw_plans"))
    return redirect(url_for("pages.hw_plan", plan_id=plan.id))


@bp.get("/hw-plans/<int:plan_id>")
@signed_in
def hw_plan(plan_id: int):
    """One plan: its tier and why, its tables beside the platform's figures, the findings of its last submission,
    and what the user may do with it (edit and submit, revise; return or accept)."""
    return _render(_get(plan_id))


@bp.post("/hw-plans/<int:plan_id>/save")
@signed_in
def hw_plan_save(plan_id: int):
    """Save the plan (``action=save``), or save and submit it (``action=submit``); a refusal shows the form again
    with everything typed and each field's reason beside it, and keeps nothing."""
    session, principal = db_session(), page_principal()
    typed = _typed_rows()
    reduction = {"reduction_measures": (request.form.get("reduction_measures") or "").strip()[:LONG_TEXT_MAX],
                 "reduction_target_pct": (request.form.get("reduction_target_pct") or "").strip()[:NUMBER_MAX]}
    body, number_errors = _body(typed, reduction)
    submitting = request.form.get("action") == "submit"
    return save_then_submit(
        lambda: service.save_plan(session, principal, plan_id, body),
        (lambda: service.submit(session, principal, plan_id)) if submitting else None, number_errors,
        lambda errors, status: _render(_get(plan_id), typed=typed, reduction=reduction, errors=errors, status=status,
                                       form="save"),
        _("Your plan was submitted for filing.") if submitting else _("Draft saved."),
        url_for("pages.hw_plan", plan_id=plan_id))


@bp.post("/hw-plans/<int:plan_id>/return")
@signed_in
def hw_plan_return(plan_id: int):
    """Return the plan to its enterprise with a reason (the park's coordinators)."""
    reason = (request.form.get("reason") or "").strip()[:service.REASON_MAX]
    try:
        service.return_plan(db_session(), page_principal(), plan_id, reason)
    except NotFound:
        abort(404)
    except DomainError as exc:
        discard_changes()
        return _render(_get(plan_id), errors=FormErrors.of(exc), reason=reason, status=exc.status, form="return")
    flash_done(_("The plan was returned to the enterprise with your reason."))
    return redirect(url_for("pages.hw_plan", plan_id=plan_id))


@bp.post("/hw-plans/<int:plan_id>/accept")
@signed_in
def hw_plan_accept(plan_id: int):
    """Accept (file) the plan, which gives it its filing number (the park's coordinators)."""
    return act_then_back(lambda: service.accept(db_session(), page_principal(), plan_id),
                         url_for("pages.hw_plan", plan_id=plan_id),
                         lambda plan: _("The plan was filed under number %(number)s.",
                                        number=plan.filing_number or "—"))


@bp.post("/hw-plans/<int:plan_id>/revise")
@signed_in
def hw_plan_revise(plan_id: int):
    """Revise a filed plan: it becomes a draft again (its next revision), to be filed anew."""
    return act_then_back(lambda: service.revise(db_session(), page_principal(), plan_id),
                         url_for("pages.hw_plan", plan_id=plan_id),
                         _("A new revision of the plan was opened as a draft."))


def required_badge(required: bool) -> Markup:
    """Whether the plan's tier requires a section, as a small badge in the page's language."""
    text = _("Required in this plan") if required else _("Optional for this tier")
    return Markup('<span class="badge {}">{}</span>').format("s-required" if required else "s-optional", text)
