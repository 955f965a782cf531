"""The annual chemical survey (化学物质环境信息调查) in the pages: an enterprise fills in and submits its
declaration for a year; a park coordinator reviews it, returns it with reasons per field or accepts it.

Every rule (who may see or change which declaration, which transitions exist, what a row must hold, the
quality checks) is ``marketplace.services.governance.surveys``'s; these pages parse the form, call it and
render. The only checking done here is turning typed text into numbers, as every page reads tonnes
(``typed_numbers``): "20,5" is 20.5, never 205, and "20,500" is refused with both of its readings.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from catalog.control_lists import CONTROLLED_SUBSTANCES, ControlledSubstance, controlled_by_cas
from marketplace.db import count_rows, page_rows
from marketplace.errors import DomainError, NotFound, ValidationFailed
from marketplace.models import DECLARATION_STATUSES, SURVEY_ROLES, SurveyDeclaration
from marketplace.services.governance import surveys as service

from ..database import db_session, discard_changes
from ..i18n import is_chinese, loc, one_language
from . import bp
from .auth import coordinators_only, enterprises_only, page_principal
from .common import FormErrors, choice_filters, coordinated_parks, flash_done, flash_error, paginate, park_options
from .typed_numbers import typed_tonnes

# --- labels of the stored values (never an internal key on the page) -------------------------------

STATUS_LABELS = {
    "draft": lazy_pgettext("survey status", "Draft"),
    "submitted": lazy_pgettext("survey status", "Submitted"),
    "returned": lazy_pgettext("survey status", "Returned for correction"),
    "resubmitted": lazy_pgettext("survey status", "Resubmitted"),
    "accepted": lazy_pgettext("survey status", "Accepted"),
}
ROLE_LABELS = {
    "produce": lazy_pgettext("survey role", "Produce"),
    "import": lazy_pgettext("survey role", "Import"),
    "use": lazy_pgettext("survey role", "Use"),
    "byproduct": lazy_pgettext("survey role", "By-product"),
    "release": lazy_pgettext("survey role", "Release to the environment"),
}
FIELD_LABELS = {
    "name": _l("Substance name"), "cas": _l("CAS number"), "role": lazy_pgettext("survey field", "Role"),
    "quantity_t": _l("Tonnes in the year"), "use": lazy_pgettext("survey field", "Use"),
    "stock_t": _l("Stock at year end (t)"), "released_t": _l("Released (t)"),
}
MEASURE_LABELS = {"ban": lazy_pgettext("control measure", "Banned"),
                  "restrict": lazy_pgettext("control measure", "Restricted"),
                  "limit_emission": lazy_pgettext("control measure", "Emissions limited")}
SEVERITY_LABELS = {"error": _l("Error"), "warning": _l("Warning"), "info": _l("Info")}
# The quality checks of a submission, by their code; an unknown code shows its message only.
CHECK_LABELS = {
    "cas_invalid": _l("CAS number not valid"),
    "incomplete": _l("Row incomplete"),
    "magnitude_change": _l("Quantity changed by an order of magnitude against last year"),
    "ledger_mismatch": _l("Differs from the ledger"),
    "undeclared_controlled": _l("Controlled substance in waste listings, not declared"),
}

ROW_KEYS = ("name", "cas", "role", "quantity_t", "use", "stock_t", "released_t")
NUMBER_KEYS = ("quantity_t", "stock_t", "released_t")
ROW_FIELD = re.compile(r"^substances\.(\d{1,3})\.(name|cas|role|quantity_t|use|stock_t|released_t)$")
REASON_FIELD = re.compile(r"^reason\.(\d{1,3})$")
MAX_ROWS = 200
MIN_ROWS = 3
TEXT_LIMITS = {"name": 200, "cas": 20, "use": 300}
REASON_LIMIT = 2000
# No single enterprise handles ten million tonnes of one substance in a year: a larger figure is a typo.
MAX_TONNES = 10_000_000
MAX_TONNES_TEXT = f"{MAX_TONNES:,}"
EDITABLE = ("draft", "returned")
FIRST_YEAR = 2000


def status_label(status: str) -> str:
    """The page-language label of a declaration's status."""
    label = STATUS_LABELS.get(status)
    return str(label) if label is not None else str(_("Unknown"))


def role_label(role: str | None) -> str:
    """The page-language label of a substance's role."""
    label = ROLE_LABELS.get(role or "")
    return str(label) if label is not None else ""


def parse_tonnes(text: str) -> tuple[float | None, str | None]:
    """``(tonnes, None)`` for a typed yearly mass, else ``(None, reason)``: read as every page reads tonnes
    (``typed_numbers.typed_tonnes``: "20,5" and "２０．５" are 20.5, "300 kg" is 0.3 t; "20,500", exponents,
    infinities and negatives refused), and refused beyond ``MAX_TONNES``."""
    value, reason = typed_tonnes(text)
    if reason is not None:
        return None, reason
    if value > MAX_TONNES:
        return None, _("More than %(max)s t in a year: please check the unit (tonnes).", max=MAX_TONNES_TEXT)
    return value, None


def _g(value: float | None) -> str:
    """A stored number as the form shows it (no float noise)."""
    return "" if value is None else f"{value:.10g}"


def default_year(today: dt.date | None = None) -> int:
    """The survey year asked by default: the last calendar year (declarations are made after it ends)."""
    return (today or dt.date.today()).year - 1


def year_choices(today: dt.date | None = None) -> list[int]:
    """The years the year switch offers, newest first: the current year and five before it."""
    this = (today or dt.date.today()).year
    return list(range(this, this - 6, -1))


def _year_arg() -> int:
    """``?year=`` when it is a plausible survey year, else the default year."""
    try:
        year = int(request.args.get("year", ""))
    except ValueError:
        return default_year()
    return year if FIRST_YEAR <= year <= dt.date.today().year else default_year()


# --- the enterprise's form ---------------------------------------------------------------------------

@dataclass
class SurveyForm:
    """The substance rows as typed (strings), so a refused save loses nothing."""

    rows: list[dict[str, str]] = field(default_factory=list)
    errors: FormErrors = field(default_factory=FormErrors)

    def padded(self) -> list[dict[str, str]]:
        """The rows plus blank ones (at least ``MIN_ROWS``, always one spare)."""
        blanks = max(MIN_ROWS - len(self.rows), 1)
        return self.rows + [dict.fromkeys(ROW_KEYS, "") for _ in range(blanks)]

    @classmethod
    def of_declaration(cls, declaration: SurveyDeclaration | None) -> SurveyForm:
        """The form filled with a stored declaration's rows."""
        if declaration is None:
            return cls()
        return cls(rows=[{"name": s.name or "", "cas": s.cas or "", "role": s.role or "", "use": s.use or "",
                          "quantity_t": _g(s.quantity_t), "stock_t": _g(s.stock_t), "released_t": _g(s.released_t)}
                         for s in declaration.substances])

    @classmethod
    def from_request(cls) -> SurveyForm:
        """The submitted rows; blank rows are dropped, so row numbers match the service's."""
        cells: dict[int, dict[str, str]] = {}
        for name in request.form:
            m = ROW_FIELD.match(name)
            if m:
                key = m.group(2)
                cells.setdefault(int(m.group(1)), {})[key] = (request.form.get(name) or "").strip()[
                    :TEXT_LIMITS.get(key, 40)]
        typed = [{k: r.get(k, "") for k in ROW_KEYS} for _, r in sorted(cells.items())]
        return cls(rows=[r for r in typed if any(r.values())][:MAX_ROWS])

    def parsed(self) -> tuple[list[dict[str, Any]], FormErrors]:
        """The rows as the service takes them, and the numbers that could not be read (by field)."""
        errors = FormErrors()
        out: list[dict[str, Any]] = []
        for i, row in enumerate(self.rows):
            item: dict[str, Any] = {"name": row["name"] or None, "cas": row["cas"] or None,
                                    "role": row["role"], "use": row["use"]}
            for key in NUMBER_KEYS:
                text = row[key]
                if not text:
                    if key == "quantity_t":
                        errors.add(f"substances.{i}.{key}", _("Required."))
                        item[key] = 0.0  # stands in so that the service still checks the rest of the row
                    else:
                        item[key] = None
                    continue
                value, reason = parse_tonnes(text)
                if reason:
                    errors.add(f"substances.{i}.{key}", reason)
                item[key] = value if value is not None else 0.0
            out.append(item)
        return out, errors


def _by_field(entries: dict[str, list[str]]) -> tuple[dict[str, list[str]], dict[int, list[str]], list[str]]:
    """Texts keyed by field name split into: per cell (``substances.N.x``), per row (``substances.N``), general."""
    cells: dict[str, list[str]] = {}
    rows: dict[int, list[str]] = {}
    general: list[str] = []
    for name, texts in entries.items():
        if ROW_FIELD.match(name):
            cells.setdefault(name, []).extend(texts)
        elif (m := re.fullmatch(r"substances\.(\d{1,3})", name)):
            rows.setdefault(int(m.group(1)), []).extend(texts)
        else:
            general.extend(texts)
    return cells, rows, general


def _reason_texts(reasons: dict[str, Any] | None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in (reasons or {}).items():
        texts = value if isinstance(value, (list, tuple)) else [value]
        out[str(name)] = [str(t) for t in texts if t]  # the coordinator's own words: shown as written
    return out


def check_views(checks: list[dict[str, Any]] | None) -> dict[str, list[dict[str, str]]]:
    """The quality checks by field, each with its label, severity and message in the page's language."""
    out: dict[str, list[dict[str, str]]] = {}
    for c in checks or []:
        label = CHECK_LABELS.get(c.get("code") or "")
        severity = c.get("severity") or "info"
        out.setdefault(c.get("field") or "general", []).append({
            "label": str(label) if label is not None else "",
            "severity": severity if severity in SEVERITY_LABELS else "info",
            "severity_label": str(SEVERITY_LABELS.get(severity, SEVERITY_LABELS["info"])),
            "message": one_language(c.get("message") or ""),
        })
    return out


def _control_of(key: str | None, cas: str | None) -> list[ControlledSubstance]:
    if key:
        found = [s for s in CONTROLLED_SUBSTANCES if s.key == key]
        if found:
            return found
    if cas:
        try:
            return controlled_by_cas(cas)
        except ValueError:  # a malformed CAS number is the quality checks' business, not a flag
            return []
    return []


def control_flags(key: str | None, cas: str | None) -> list[dict[str, str]]:
    """The control-list entries a row's substance is on: name, measure (label) and what it means."""
    return [{"name": loc(s.name_zh, s.name_en), "measure": s.measure,
             "measure_label": str(MEASURE_LABELS.get(s.measure, "")),
             "detail": s.measure_zh if is_chinese() else "", "allowed": s.allowed}
            for s in _control_of(key, cas)]


def _enterprise_context(declaration: SurveyDeclaration | None, year: int, form: SurveyForm) -> dict[str, Any]:
    status = declaration.status if declaration is not None else None
    reasons = _reason_texts(declaration.returned_reasons if declaration is not None and status == "returned"
                            else None)
    reason_cells, reason_rows, reason_general = _by_field(reasons)
    checks = check_views(declaration.checks if declaration is not None else None)
    check_cells: dict[str, list[dict[str, str]]] = {}
    check_general: list[dict[str, str]] = []
    for name, items in checks.items():
        if ROW_FIELD.match(name) or re.fullmatch(r"substances\.\d{1,3}", name):
            check_cells[name] = items
        else:
            check_general.extend(items)
    return dict(
        declaration=declaration, year=year, years=year_choices(), form=form, status=status,
        status_text=status_label(status) if status else _("Not started"),
        editable=status is None or status in EDITABLE,
        reason_cells=reason_cells, reason_rows=reason_rows, reason_general=reason_general,
        check_cells=check_cells, check_general=check_general,
        role_choices=[(r, role_label(r)) for r in SURVEY_ROLES], field_labels=FIELD_LABELS,
        control_flags=control_flags, survey_status=status_label, survey_role=role_label,
    )


def _own_declaration(year: int) -> SurveyDeclaration | None:
    """This enterprise's declaration of ``year``, if it has started one (nothing is created by looking)."""
    session, principal = db_session(), page_principal()
    rows, _total = page_rows(session, service.declarations_query(session, principal, year=year), 1, 1)
    found = rows[0] if rows else None
    return found if found is not None and found.enterprise_id == principal.enterprise_id else None


@bp.get("/survey")
@enterprises_only
def survey():
    """The enterprise's declaration of a year (``?year=``, default last year): the form, or what was submitted."""
    year = _year_arg()
    declaration = _own_declaration(year)
    return render_template("survey.html", **_enterprise_context(declaration, year,
                                                                SurveyForm.of_declaration(declaration)))


@bp.get("/survey/declarations/<int:declaration_id>")
@enterprises_only
def survey_declaration(declaration_id: int):
    """One of the enterprise's own declarations (another's is not found): its year's page."""
    try:
        declaration = service.get_declaration(db_session(), page_principal(), declaration_id)
    except NotFound:
        abort(404)
    except DomainError:
        abort(404)  # another enterprise's declaration is not said to exist
    return redirect(url_for("pages.survey", year=declaration.year))


@bp.post("/survey/<int:year>")
@enterprises_only
def survey_save(year: int):
    """Save the rows as a draft (``action=save``) or save and submit them (``action=submit``).

    A refusal shows the form again with everything typed and each field's reason beside it.
    """
    if not FIRST_YEAR <= year <= dt.date.today().year:
        abort(404)
    session, principal = db_session(), page_principal()
    form = SurveyForm.from_request()
    submitting = request.form.get("action") == "submit"
    rows, number_errors = form.parsed()
    try:
        declaration = service.get_or_create_draft(session, principal, None, year)
        service.save_substances(session, principal, declaration.id, rows)
        if number_errors:
            raise ValidationFailed("the declaration has errors (调查表有误)", {})
        if submitting:
            service.submit(session, principal, declaration.id)
    except DomainError as exc:
        discard_changes()  # nothing of a refused save is kept, not even a new draft
        errors = FormErrors.of(exc)
        for name, reasons in number_errors.fields.items():
            errors.fields[name] = reasons  # the number as typed could not be read: that reason comes first
        if errors.fields:  # the service's message lists the fields; the summary names them in words
            errors.message = _("Please correct the fields marked below.")
        form.errors = errors
        declaration = _own_declaration(year)
        return render_template("survey.html", **_enterprise_context(declaration, year, form)), exc.status
    if submitting:
        flash_done(_("Your declaration was submitted for review."))
    else:
        flash_done(_("Draft saved."))
    return redirect(url_for("pages.survey", year=year))


# --- the coordinator's review --------------------------------------------------------------------------

@bp.get("/surveys")
@coordinators_only
def surveys():
    """The declarations of the coordinator's parks; filters: year, status, park; counts by status."""
    session, principal = db_session(), page_principal()
    parks = park_options(coordinated_parks(principal))
    values = choice_filters({"status": DECLARATION_STATUSES, "park": {code for code, _ in parks},
                             "year": {str(y) for y in year_choices()}})
    year = int(values["year"]) if values["year"] else None
    park = values["park"] or None
    stmt = service.declarations_query(session, principal, park=park, year=year, status=values["status"] or None)
    counts = [(s, status_label(s), count_rows(session, service.declarations_query(
        session, principal, park=park, year=year, status=s))) for s in DECLARATION_STATUSES]
    page = paginate(session, stmt)
    return render_template(
        "surveys.html", page=page, values=values, park_options=parks, counts=counts,
        status_options=[(s, status_label(s)) for s in DECLARATION_STATUSES],
        year_options=[(str(y), str(y)) for y in year_choices()], survey_status=status_label)


def _review(declaration_id: int, errors: FormErrors | None = None, typed: dict[str, str] | None = None,
            status: int = 200):
    try:
        declaration = service.get_declaration(db_session(), page_principal(), declaration_id)
    except NotFound:
        abort(404)
    checks = check_views(declaration.checks)
    reasons = _reason_texts(declaration.returned_reasons)
    return render_template(
        "survey_review.html", declaration=declaration, checks=checks, reasons=reasons,
        errors=errors or FormErrors(), typed=typed or {}, field_labels=FIELD_LABELS,
        field_choices=[("", _("The whole row"))] + [(k, str(v)) for k, v in FIELD_LABELS.items()],
        control_flags=control_flags, survey_status=status_label, survey_role=role_label,
        reviewable=declaration.status in ("submitted", "resubmitted")), status


@bp.get("/surveys/<int:declaration_id>")
@coordinators_only
def survey_review(declaration_id: int):
    """One declaration with its rows, control-list flags and the checks per field; Return and Accept."""
    return _review(declaration_id)


def _typed_reasons() -> tuple[dict[str, list[str]], dict[str, str]]:
    """The return form's reasons as the service takes them (``general``, ``substances.N[.field]``) and as typed."""
    typed: dict[str, str] = {}
    reasons: dict[str, list[str]] = {}
    general = (request.form.get("reason.general") or "").strip()[:REASON_LIMIT]
    typed["general"] = general
    if general:
        reasons["general"] = [general]
    for name in request.form:
        m = REASON_FIELD.match(name)
        if not m:
            continue
        i = int(m.group(1))
        text = (request.form.get(name) or "").strip()[:REASON_LIMIT]
        which = request.form.get(f"reason_field.{i}", "")
        typed[str(i)], typed[f"field.{i}"] = text, which
        if text:
            key = f"substances.{i}.{which}" if which in FIELD_LABELS else f"substances.{i}"
            reasons.setdefault(key, []).append(text)
    return reasons, typed


@bp.post("/surveys/<int:declaration_id>/return")
@coordinators_only
def survey_return(declaration_id: int):
    """Return the declaration to its enterprise with reasons (per row or field, and a general one)."""
    reasons, typed = _typed_reasons()
    try:
        service.return_declaration(db_session(), page_principal(), declaration_id, reasons)
    except NotFound:
        abort(404)
    except DomainError as exc:
        discard_changes()
        return _review(declaration_id, FormErrors.of(exc), typed, exc.status)
    flash_done(_("The declaration was returned to the enterprise with your reasons."))
    return redirect(url_for("pages.survey_review", declaration_id=declaration_id))


@bp.post("/surveys/<int:declaration_id>/accept")
@coordinators_only
def survey_accept(declaration_id: int):
    """Accept the declaration."""
    try:
        service.accept(db_session(), page_principal(), declaration_id)
    except NotFound:
        abort(404)
    except DomainError as exc:
        flash_error(exc)
        return redirect(url_for("pages.survey_review", declaration_id=declaration_id))
    flash_done(_("The declaration was accepted."))
    return redirect(url_for("pages.survey_review", declaration_id=declaration_id))
