"""The names of form fields as people read them, for the error summary at the top of a form.

A form's errors are keyed by the field's name (``batch_code``, ``quantity_t``); the summary lists
them with a link to the field. It shows the field's label in the page's language (the same message
ids the forms' labels use), and a name it does not know as a code: never a bare internal key.
"""
from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

FIELD_LABELS = {
    # ledger entries
    "enterprise": _l("Enterprise ref"), "batch_code": _l("Batch code"), "direction": _l("Direction"),
    "entry_date": _l("Date"), "chemical_name": _l("Chemical name"), "cas": _l("CAS number"),
    "waste_code": _l("Waste code"), "quantity_t": _l("Quantity (t)"), "content_ratio": _l("Content (mass fraction)"),
    "catalogue_id": _l("Control-list key"), "counterparty": _l("Counterparty ref (on the platform)"),
    "counterparty_name": _l("Counterparty name (outside the platform)"), "product": _l("Product"),
    "source_batch": _l("Source batch"), "permit_number": _l("Permit number"), "note": _l("Note"),
    # shipments
    "carrier": _l("Carrier"), "carrier_licence": _l("Carrier's licence"), "driver": _l("Driver"),
    "planned_on": _l("Planned day"), "vehicle": _l("Vehicle plate"), "at": _l("When (park time, optional)"),
    "quantity_received_t": _l("Received tonnes (weighed)"),
    # decisions
    "reason": _l("Reason"),
    # hazardous waste declarations (their lines: ``lines.N.<field>``)
    "lines": _l("Waste codes"), "stock_start_t": _l("Stored at the start of the year (t)"),
    "generated_t": _l("Generated (t)"), "utilised_own_t": _l("Utilised on site (t)"),
    "disposed_own_t": _l("Disposed of on site (t)"), "transferred_t": _l("Transferred under manifests (t)"),
    "stock_end_t": _l("Stored at the end of the year (t)"),
    # changing one's password
    "current_password": _l("Current password"), "new_password": _l("New password"),
    "new_password_again": _l("New password again"),
}


# A field of one row of a list (``lines.2.generated_t``): the row's number, then the field's label.
_ROW_FIELD = re.compile(r"^lines\.(\d{1,3})(?:\.(\w+))?$")


def field_label(name: str) -> Markup:
    """The label of form field ``name`` in the page's language; an unknown name as ``<code>``."""
    label = FIELD_LABELS.get(name)
    if label is not None:
        return Markup("{}").format(str(label))
    row = _ROW_FIELD.match(name)
    if row is not None and (row.group(2) is None or row.group(2) in FIELD_LABELS):
        where = _("Line %(n)s", n=int(row.group(1)) + 1)
        return Markup("{} · {}").format(where, str(FIELD_LABELS[row.group(2)])) if row.group(2) else \
            Markup("{}").format(where)
    return Markup("<code>{}</code>").format(name)
