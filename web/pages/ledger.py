"""The chemical flow ledger (化学物质流向台账): an enterprise's batches in and out, one entry or a file at a time.

Enterprise users read and record their own enterprise's entries (and see the open
findings a coordinator's review sent them); coordinators read the entries of their
parks' enterprises and may record for one of them, named by its ref. The fields and
their checks are the service's (``ledger.create_entry``), as the API's schema states them.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import PurePath
from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace.errors import DomainError
from marketplace.models.ledger import LEDGER_DIRECTIONS
from marketplace.services.traceability import ledger as service
from marketplace.services.traceability import ledger_review
from marketplace.services.accounts.users import Principal

from ..database import db_session, discard_changes
from ..i18n import localise_message, one_language
from . import bp
from .auth import page_principal, signed_in
from .common import FormErrors, flash_done, paginate
from .findings import CODE_LABELS
from .common import park_time

DIRECTION_LABELS = {"in": _l("In (bought or received)"), "out": _l("Out (sold or shipped)"),
                    "produced": _l("Produced on site"), "consumed": _l("Consumed on site")}
# The form's fields in order (the service's FIELDS; ``enterprise`` only for coordinators and admins).
ENTRY_FIELDS = tuple(f for f in service.FIELDS if f != "enterprise")
IMPORT_FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".json": "json"}
MAX_IMPORT_BYTES = 5 * 1024 * 1024
ROW_KEY = re.compile(r"^\$\.entries\[(\d+)\](?:\.(.+))?$")
FINDINGS_SHOWN = 20


def direction_options() -> list[tuple[str, Any]]:
    """(value, label) of each ledger direction."""
    return [(d, DIRECTION_LABELS[d]) for d in LEDGER_DIRECTIONS]


def _writes_for_others(principal: Principal) -> bool:
    return principal.is_admin or principal.is_coordinator


def _day(name: str, errors: FormErrors) -> dt.date | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors.add(name, _("not a date YYYY-MM-DD: %(value)s", value=raw[:20]))
        return None


@bp.get("/ledger")
@signed_in
def ledger():
    """The visible entries, newest day first; filters: direction, period, CAS, batch (coordinators: enterprise)."""
    principal, session = page_principal(), db_session()
    errors = FormErrors()
    # Free-text filters go into SQL: without NUL (PostgreSQL refuses it) and as long as the columns at most.
    values = {k: (request.args.get(k) or "").replace("\x00", "").strip()[:64]
              for k in ("direction", "since", "until", "cas", "batch", "enterprise")}
    direction = values["direction"] if values["direction"] in LEDGER_DIRECTIONS else None
    since, until = _day("since", errors), _day("until", errors)
    stmt = service.filtered_entries(session, principal, direction=direction, since=since, until=until,
                                    cas=values["cas"] or None, batch=values["batch"] or None,
                                    enterprise=(values["enterprise"] or None) if _writes_for_others(principal)
                                    else None)
    page = paginate(session, stmt, lambda rows: [service.entry_view(principal, e) for e in rows])
    findings: list[dict[str, Any]] = []
    if principal.enterprise_id is not None:  # the review's open findings, to correct
        for f in ledger_review.open_findings(session, principal, limit=FINDINGS_SHOWN):
            doc = ledger_review.finding_view(f)
            doc["text"] = one_language(doc["message"])
            findings.append(doc)
    return render_template("ledger.html", page=page, values=values, errors=errors,
                           directions=direction_options(), labels=DIRECTION_LABELS, findings=findings,
                           for_others=_writes_for_others(principal), code_labels=CODE_LABELS)


# --- recording -----------------------------------------------------------------------------------------

def _render_form(values: dict[str, str], errors: FormErrors | None = None, import_errors: list | None = None,
                 import_message: str = "", status: int = 200):
    principal = page_principal()
    return render_template("ledger_form.html", values=values, errors=errors, directions=direction_options(),
                           for_others=_writes_for_others(principal), import_errors=import_errors or [],
                           import_message=import_message, limits=service.TEXT_LIMITS,
                           columns=service.FIELDS, max_rows=service.MAX_IMPORT_ROWS), status


@bp.route("/ledger/new", methods=["GET", "POST"])
@signed_in
def ledger_new():
    """Record one entry (fields as the API's); errors keep the input."""
    principal, session = page_principal(), db_session()
    names = ENTRY_FIELDS + (("enterprise",) if _writes_for_others(principal) else ())
    if request.method == "GET":
        return _render_form({n: "" for n in names} | {"entry_date": park_time(dt.datetime.now(dt.timezone.utc),
                                                                                with_time=False)})
    values = {n: request.form.get(n, "") for n in names}
    # Blank fields are absent (the service's defaults apply); the note is kept as typed.
    given = {k: v for k, v in values.items() if v.strip() or k == "note"}
    try:
        entry = service.create_entry(session, principal, given)
    except DomainError as exc:
        discard_changes()  # the form is shown again; nothing of the refused entry is kept
        return _render_form(values, FormErrors.of(exc), status=exc.status)
    flash_done(_("Batch %(batch)s recorded in the ledger.", batch=entry.batch_code))
    return redirect(url_for("pages.ledger"))


def row_errors(exc: DomainError) -> list[dict[str, Any]]:
    """An import's errors as rows of the file: ``{"row": 4, "field": "cas", "reasons": [...]}`` (rows from 1)."""
    out = []
    for key, reasons in (exc.errors or {}).items():
        found = ROW_KEY.match(str(key))
        texts = [localise_message(str(r)) for r in (reasons if isinstance(reasons, (list, tuple)) else [reasons])]
        if found:
            out.append({"row": int(found.group(1)) + 1, "field": found.group(2) or "", "reasons": texts})
        else:
            out.append({"row": None, "field": str(key), "reasons": texts})
    return sorted(out, key=lambda e: (e["row"] or 0, e["field"]))


@bp.post("/ledger/import")
@signed_in
def ledger_import():
    """Import a CSV, XLSX or JSON file of entries, all or nothing; every bad row and field is listed."""
    principal, session = page_principal(), db_session()
    blank = {n: "" for n in ENTRY_FIELDS + (("enterprise",) if _writes_for_others(principal) else ())}
    upload = request.files.get("file")
    fmt = IMPORT_FORMATS.get(PurePath(upload.filename or "").suffix.lower()) if upload else None
    if upload is None or not upload.filename or fmt is None:
        return _render_form(blank, import_message=_("Choose a .csv, .xlsx or .json file."), status=422)
    data = upload.stream.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        return _render_form(blank, import_message=_("The file is larger than %(mb)s MB.",
                                                    mb=MAX_IMPORT_BYTES // (1024 * 1024)), status=413)
    try:
        result = service.import_entries(session, principal, service.parse_rows(data, fmt))
    except DomainError as exc:
        discard_changes()  # all or nothing: no row of a refused import is kept
        return _render_form(blank, import_errors=row_errors(exc), import_message=localise_message(exc.message),
                            status=exc.status)
    flash_done(_("%(n)s entries imported.", n=result.created))
    return redirect(url_for("pages.ledger"))
