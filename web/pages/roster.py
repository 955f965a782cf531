"""The key-enterprise roster (重点管控新污染物企业名单) for coordinators: substances, obligations (overdue in red),
violations, a recomputation, and confirming or removing an entry with a reason (``governance.roster``)."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace.errors import DomainError
from marketplace.models.base import park_date
from marketplace.services.governance import roster as service

from ..database import db_session
from . import bp
from .auth import coordinators_only, page_principal
from .common import coordinated_parks, flash_done, flash_error, park_options

# Stored codes shown on the page, in both languages.
LABELS = {
    "proposed": _l("Proposed for the roster"), "confirmed": _l("Confirmed"), "removed": _l("Removed"),
    "open": _l("Not done yet"), "done": _l("Done"), "waived": _l("Waived"), "overdue": _l("Overdue"),
    "clean_production_audit": _l("Clean-production audit"), "discharge_permit": _l("Discharge permit"),
    "monitoring": _l("Self-monitoring"), "annual_disclosure": _l("Annual disclosure"),
    "banned_use": _l("Prohibited use"), "obligation_overdue": _l("Obligation overdue"),
    "produce": _l("Production"), "import": _l("Importing"), "use": _l("Processing use"), "byproduct": _l("By-product"),
    "release": _l("Release"), "ban": _l("Ban"), "restrict": _l("Restriction"), "limit_emission": _l("Emission limit"),
    "declaration": _l("Declaration"), "ledger": _l("Ledger"),
}


def _year() -> int:
    raw = request.values.get("year", "")
    return int(raw) if raw.isdigit() and len(raw) == 4 else park_date().year - 1


@bp.get("/roster")
@coordinators_only
def roster_page():
    """The roster of a park and year as last computed."""
    principal = page_principal()
    parks = park_options(coordinated_parks(principal))
    park = request.args.get("park") or (parks[0][0] if parks else None)
    year = _year()
    try:
        rows = service.roster_rows(db_session(), principal, park=park, year=year)
    except DomainError as exc:
        flash_error(exc)
        rows = []
    return render_template("roster.html", rows=rows, park=park, year=year, park_options=parks,
                           labels={k: str(v) for k, v in LABELS.items()})


@bp.post("/roster/compute")
@coordinators_only
def roster_compute():
    """Recompute the roster of a park and year from accepted declarations and the ledger."""
    park, year = request.form.get("park") or None, _year()
    try:
        entries = service.compute_roster(db_session(), page_principal(), park=park, year=year)
        flash_done(_("Roster computed: %(n)s enterprise(s).", n=len(entries)))
    except DomainError as exc:
        flash_error(exc)
    return redirect(url_for("pages.roster_page", park=park, year=year))


@bp.post("/roster/<string:enterprise>/<int:year>/<string:decision>")
@coordinators_only
def roster_decide(enterprise: str, year: int, decision: str):
    """Confirm or remove an entry (a removal needs a reason)."""
    action = {"confirm": service.confirm, "remove": service.remove}.get(decision)
    park = request.form.get("park") or None
    if action is not None:
        try:
            action(db_session(), page_principal(), enterprise, year, request.form.get("reason", ""))
            flash_done(_("The roster entry was updated."))
        except DomainError as exc:
            flash_error(exc)
    return redirect(url_for("pages.roster_page", park=park, year=year))
