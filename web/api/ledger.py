"""``/ledger``: the chemical flow ledger and its review findings (化学物质流向台账).

Enterprise users read and write their own enterprise's entries and read the findings a
review raised on them (to correct the entries); coordinators read the entries of the
enterprises in their parks, may record on behalf of one, run the review and dismiss
findings; admins everything. An entry or finding the caller may not see is 404.
"""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from marketplace.models.ledger import FINDING_CODES, FINDING_STATUSES, LEDGER_DIRECTIONS
from marketplace.schemas.interchange import BoundedList
from marketplace.services.traceability import ledger, ledger_review

from ..database import db_session
from .common import NO_NUL, PageArgs, RejectsNul, current_principal, documents_errors, page_of, paginate, requires

URL_PREFIX = "/ledger"
blp = Blueprint("ledger", __name__, description="Chemical flow ledger and findings (化学物质流向台账与核查问题)")


def _text(limit: int, **kw):
    return fields.String(validate=[validate.Length(max=limit), NO_NUL], **kw)


class LedgerEntrySchema(Schema):
    """One batch of a chemical entering or leaving an enterprise."""

    id = fields.Integer(required=True)
    enterprise = fields.String(required=True, metadata={"description": "the owner's ref"})
    enterprise_name = fields.String()
    batch_code = fields.String(required=True)
    direction = fields.String(required=True, metadata={"enum": list(LEDGER_DIRECTIONS)})
    direction_zh = fields.String()
    entry_date = fields.String(required=True)
    chemical_name = fields.String(allow_none=True)
    cas = fields.String(allow_none=True)
    catalogue_id = fields.String(allow_none=True, metadata={"description": "control-list key, e.g. sccps"})
    waste_code = fields.String(allow_none=True)
    quantity_t = fields.Float(required=True)
    content_ratio = fields.Float(required=True)
    chemical_t = fields.Float(metadata={"description": "quantity_t × content_ratio"})
    product = fields.String(allow_none=True)
    counterparty = fields.String(allow_none=True, metadata={"description": "a registered enterprise's ref"})
    counterparty_name = fields.String(allow_none=True)
    source_entry_id = fields.Integer(allow_none=True)
    source_batch = fields.String(allow_none=True)
    shipment_id = fields.Integer(allow_none=True, metadata={"description": "set on an entry booked on receipt"})
    permit_number = fields.String(allow_none=True)
    note = fields.String()
    created_at = fields.String(allow_none=True)
    created_by = fields.String(allow_none=True)
    updated_at = fields.String(allow_none=True)
    updated_by = fields.String(allow_none=True)


class LedgerListArgs(PageArgs):
    enterprise = fields.String(validate=[validate.Length(min=1, max=64), NO_NUL])
    direction = fields.String(validate=validate.OneOf(LEDGER_DIRECTIONS))
    cas = fields.String(validate=[validate.Length(min=1, max=32), NO_NUL])
    since = fields.Date(metadata={"description": "entries on or after this day"})
    until = fields.Date(metadata={"description": "entries on or before this day"})
    batch = fields.String(validate=[validate.Length(min=1, max=64), NO_NUL])


class _EntryFields(RejectsNul, Schema):
    enterprise = _text(64, metadata={"description": "ref; enterprise users: their own (default)"})
    chemical_name = _text(200, allow_none=True)
    cas = _text(32, allow_none=True)
    catalogue_id = _text(64, allow_none=True, metadata={"description": "filled from the CAS when it is controlled"})
    waste_code = _text(10, allow_none=True, metadata={"description": "NNN-NNN-NN"})
    content_ratio = fields.Float(validate=validate.Range(min=0, min_inclusive=False, max=1),
                                 metadata={"description": "mass fraction of the chemical, default 1"})
    product = _text(200, allow_none=True)
    counterparty = _text(64, allow_none=True, metadata={"description": "ref of a registered enterprise"})
    counterparty_name = _text(200, allow_none=True, metadata={"description": "one outside the platform"})
    source_batch = _text(64, allow_none=True, metadata={"description": "out/consumed: the in/produced batch"})
    permit_number = _text(64, allow_none=True)
    note = _text(2000)


class EntryCreateSchema(_EntryFields):
    """A new entry."""

    batch_code = fields.String(required=True, validate=[validate.Length(min=1, max=64), NO_NUL])
    direction = fields.String(required=True, validate=validate.OneOf(LEDGER_DIRECTIONS))
    entry_date = fields.Date(required=True, metadata={"description": "not in the future"})
    quantity_t = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False, max=1e9))


class EntryUpdateSchema(_EntryFields):
    """The fields to correct (an entry booked on receipt: its owner may change the note only)."""

    batch_code = fields.String(validate=[validate.Length(min=1, max=64), NO_NUL])
    direction = fields.String(validate=validate.OneOf(LEDGER_DIRECTIONS))
    entry_date = fields.Date(metadata={"description": "not in the future"})
    quantity_t = fields.Float(validate=validate.Range(min=0, min_inclusive=False, max=1e9))


class ImportSchema(RejectsNul, Schema):
    """Entries to import all or nothing (each an object with the fields of a new entry)."""

    entries = BoundedList(fields.Dict(keys=fields.String()), required=True, max_length=ledger.MAX_IMPORT_ROWS,
                          what="rows", validate=validate.Length(min=1, max=ledger.MAX_IMPORT_ROWS))


class ImportResultSchema(Schema):
    created = fields.Integer(required=True)
    by_enterprise = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    by_direction = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    entry_ids = fields.List(fields.Integer(), required=True)


class FindingSchema(Schema):
    """A problem found in one enterprise's ledger, sent back to it to correct."""

    id = fields.Integer(required=True)
    enterprise = fields.String(required=True)
    enterprise_name = fields.String()
    code = fields.String(required=True, metadata={"enum": list(FINDING_CODES)})
    code_zh = fields.String()
    key = fields.String(required=True)
    severity = fields.String(required=True, metadata={"enum": ["error", "warning"]})
    message = fields.String(required=True, metadata={"description": "Chinese first, English alongside"})
    details = fields.Dict(required=True)
    status = fields.String(required=True, metadata={"enum": list(FINDING_STATUSES)})
    status_zh = fields.String()
    entry_id = fields.Integer(allow_none=True)
    batch_code = fields.String(allow_none=True)
    first_found_at = fields.String(allow_none=True)
    last_found_at = fields.String(allow_none=True)
    sent_at = fields.String(allow_none=True)
    closed_at = fields.String(allow_none=True)
    closed_by = fields.String(allow_none=True)
    note = fields.String(allow_none=True)


class FindingListArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(FINDING_STATUSES))
    code = fields.String(validate=validate.OneOf(FINDING_CODES))
    enterprise = fields.String(validate=[validate.Length(min=1, max=64), NO_NUL])
    park = fields.String(validate=[validate.Length(min=1, max=16), NO_NUL])


class ReviewRequestSchema(RejectsNul, Schema):
    park = fields.String(validate=[validate.Length(min=1, max=16), NO_NUL],
                         metadata={"description": "park code; default: all the caller's parks"})


class ReviewResultSchema(Schema):
    raised = fields.Integer(required=True)
    still_open = fields.Integer(required=True)
    resolved = fields.Integer(required=True)
    enterprises_notified = fields.Integer(required=True)
    by_code = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    park = fields.String(allow_none=True)


class DismissSchema(RejectsNul, Schema):
    note = fields.String(required=True, validate=[validate.Length(min=1, max=ledger_review.NOTE_MAX), NO_NUL])


@blp.route("")
@requires(blp)
@blp.arguments(LedgerListArgs, location="query")
@blp.response(200, page_of(LedgerEntrySchema, "LedgerEntryPage"))
def list_entries(args):
    """Entries the caller may see, newest day first (filters: enterprise ref, direction, cas, since, until, batch)."""
    session, principal = db_session(), current_principal()
    stmt = ledger.filtered_entries(session, principal, enterprise=args.get("enterprise"),
                                   direction=args.get("direction"), cas=args.get("cas"), since=args.get("since"),
                                   until=args.get("until"), batch=args.get("batch"))
    return paginate(session, stmt, args, lambda rows: [ledger.entry_view(principal, e) for e in rows])


@blp.route("", methods=["POST"])
@requires(blp)
@blp.arguments(EntryCreateSchema)
@blp.response(201, LedgerEntrySchema)
@documents_errors(blp, 403, 404, 409)
def create_entry(body):
    """Record an entry (enterprise users: their own enterprise; coordinators: one of their parks', named)."""
    session, principal = db_session(), current_principal()
    return ledger.entry_view(principal, ledger.create_entry(session, principal, dict(body)))


@blp.route("/<int:entry_id>")
@requires(blp)
@blp.response(200, LedgerEntrySchema)
@documents_errors(blp, 404)
def get_entry(entry_id: int):
    """One entry."""
    session, principal = db_session(), current_principal()
    return ledger.entry_view(principal, ledger.get_entry(session, principal, entry_id))


@blp.route("/<int:entry_id>", methods=["PATCH"])
@requires(blp)
@blp.arguments(EntryUpdateSchema)
@blp.response(200, LedgerEntrySchema)
@documents_errors(blp, 403, 404, 409)
def update_entry(body, entry_id: int):
    """Correct an entry; only the given fields change (an entry booked on receipt: the note only)."""
    session, principal = db_session(), current_principal()
    return ledger.entry_view(principal, ledger.update_entry(session, principal, entry_id, dict(body)))


@blp.route("/import", methods=["POST"])
@requires(blp)
@blp.arguments(ImportSchema)
@blp.response(201, ImportResultSchema)
@documents_errors(blp, 403, 404)
def import_entries(body):
    """Import many entries, all or nothing: a 422 lists every error by row and field (``$.entries[i].field``)."""
    return ledger.import_entries(db_session(), current_principal(), body["entries"]).as_dict()


@blp.route("/findings")
@requires(blp)
@blp.arguments(FindingListArgs, location="query")
@blp.response(200, page_of(FindingSchema, "LedgerFindingPage"))
@documents_errors(blp, 404)
def list_findings(args):
    """Findings the caller may see, newest first (filters: status, code, enterprise ref, park code)."""
    session, principal = db_session(), current_principal()
    stmt = ledger_review.filtered_findings(session, principal, status=args.get("status"), code=args.get("code"),
                                           enterprise=args.get("enterprise"), park=args.get("park"))
    return paginate(session, stmt, args, lambda rows: [ledger_review.finding_view(f) for f in rows])


@blp.route("/findings/review", methods=["POST"])
@requires(blp, "coordinator", "admin")
@blp.arguments(ReviewRequestSchema, required=False)
@blp.response(200, ReviewResultSchema)
@documents_errors(blp, 404)
def review_ledgers(body):
    """Review the ledgers of the caller's parks (or one park) and update the findings; notifies enterprises.

    A park that does not exist is 404, one the caller does not coordinate 403 (as on the findings page).
    """
    return ledger_review.review_for(db_session(), current_principal(), (body or {}).get("park")).as_dict()


@blp.route("/findings/<int:finding_id>/dismiss", methods=["POST"])
@requires(blp, "coordinator", "admin")
@blp.arguments(DismissSchema)
@blp.response(200, FindingSchema)
@documents_errors(blp, 404, 409)
def dismiss_finding(body, finding_id: int):
    """Dismiss an open finding with a note (coordinators of its park, admins); one not open is 409."""
    session, principal = db_session(), current_principal()
    return ledger_review.finding_view(ledger_review.dismiss(session, principal, finding_id, body["note"]))


__all__ = ["URL_PREFIX", "blp"]
