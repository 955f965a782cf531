"""``/shipments``: transfers of approved matches with electronic manifests (转移联单) and container codes.

Enterprise users see the shipments they produce or receive (the other party is disclosed:
shipments exist only for approved matches); coordinators those of their parks (the
producer's or the receiver's); admins all. The producer dispatches and cancels, the
receiver receives, rejects and closes; coordinators may do either.
"""
from __future__ import annotations

import datetime as dt

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from marketplace.models import CORRECTABLE_FIELDS, PACKAGINGS, SHIPMENT_STATUSES
from marketplace.models.base import MAX_ID
from marketplace.services.traceability import corrections, manifests, transfers

from ..database import db_session
from .common import NO_NUL, PageArgs, RejectsNul, current_principal, documents_errors, page_of, paginate, requires, \
    utc_argument

URL_PREFIX = "/shipments"
blp = Blueprint("shipments", __name__, description="Shipments and electronic manifests (转移联单)")
# An export is one download, not a page: bounded so that one request cannot build an unbounded file.
EXPORT_LIMIT = 10_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HTML_CONTENT = {"text/html": {"schema": {"type": "string"}}}
TONNES = validate.Range(min=0, min_inclusive=False, max=1e9)
TONNES_OR_ZERO = validate.Range(min=0, max=1e9)


class PartySchema(Schema):
    id = fields.Integer(required=True)
    ref = fields.String(required=True)
    name = fields.String(required=True)


class ContainerSchema(Schema):
    """One container (一物一码) of a shipment."""

    code = fields.String(required=True)
    sequence = fields.Integer(required=True)
    packaging = fields.String(required=True, metadata={"enum": list(PACKAGINGS)})
    quantity_t = fields.Float(required=True)
    quantity_received_t = fields.Float(allow_none=True)


class ShipmentLinkSchema(Schema):
    """Another manifest linked to this one (a return and the rejected load it returns)."""

    id = fields.Integer(required=True)
    manifest_number = fields.String(required=True)
    status = fields.String(required=True)


class ShipmentSchema(Schema):
    """A shipment with its manifest."""

    id = fields.Integer(required=True)
    manifest_number = fields.String(required=True, allow_none=True,
                                    metadata={"description": "联单编号: park-YYYYMMDD-sequence (null: a draft)"})
    match = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": list(SHIPMENT_STATUSES)})
    status_zh = fields.String()
    park = fields.String(allow_none=True)
    producer = fields.Nested(PartySchema, required=True)
    receiver = fields.Nested(PartySchema, required=True)
    licence_number = fields.String(allow_none=True)
    waste_code = fields.String(allow_none=True)
    material = fields.String()
    quantity_t = fields.Float(required=True)
    quantity_received_t = fields.Float(allow_none=True)
    carrier = fields.String(allow_none=True)
    carrier_licence = fields.String(allow_none=True)
    vehicle = fields.String(allow_none=True)
    driver = fields.String(allow_none=True)
    planned_on = fields.String(allow_none=True)
    dispatched_at = fields.String(allow_none=True)
    dispatched_by = fields.String(allow_none=True)
    received_at = fields.String(allow_none=True)
    received_by = fields.String(allow_none=True)
    closed_at = fields.String(allow_none=True)
    closed_by = fields.String(allow_none=True)
    rejected_at = fields.String(allow_none=True)
    status_reason = fields.String(allow_none=True)
    note = fields.String()
    direction = fields.String(metadata={"enum": ["forward", "return"],
                                        "description": "return: a rejected load going back (producer = the sender)"})
    returned_from = fields.Nested(ShipmentLinkSchema, allow_none=True,
                                  metadata={"description": "the rejected manifest this one returns"})
    returned_by = fields.Nested(ShipmentLinkSchema, allow_none=True,
                                metadata={"description": "the return manifest of this rejected load"})
    created_at = fields.String(allow_none=True)
    created_by = fields.String(allow_none=True)
    updated_at = fields.String(allow_none=True)
    containers = fields.List(fields.Nested(ContainerSchema), required=True)


class ShipmentFilterArgs(Schema):
    status = fields.String(validate=validate.OneOf(SHIPMENT_STATUSES))
    match = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    park = fields.String(validate=[validate.Length(min=1, max=16), NO_NUL],
                         metadata={"description": "park code: the producer's or the receiver's park"})
    since = fields.AwareDateTime(default_timezone=dt.timezone.utc, metadata={"description": "created at or after"})
    until = fields.AwareDateTime(default_timezone=dt.timezone.utc, metadata={"description": "created before"})


class ShipmentListArgs(PageArgs, ShipmentFilterArgs):
    pass


class ExportArgs(ShipmentFilterArgs):
    format = fields.String(load_default="csv", validate=validate.OneOf(("csv", "xlsx")))


class ContainerInput(Schema):
    packaging = fields.String(required=True, validate=validate.OneOf(PACKAGINGS))
    quantity_t = fields.Float(required=True, validate=TONNES)


class ShipmentCreateSchema(RejectsNul, Schema):
    """Plan a shipment of an approved match: the containers' tonnes add up to ``quantity_t``."""

    match = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))
    quantity_t = fields.Float(required=True, validate=TONNES)
    containers = fields.List(fields.Nested(ContainerInput), required=True, validate=validate.Length(min=1, max=500))
    carrier = fields.String(validate=[validate.Length(max=200), NO_NUL])
    carrier_licence = fields.String(validate=[validate.Length(max=64), NO_NUL])
    vehicle = fields.String(validate=[validate.Length(max=20), NO_NUL])
    driver = fields.String(validate=[validate.Length(max=100), NO_NUL])
    planned_on = fields.Date()
    note = fields.String(validate=[validate.Length(max=2000), NO_NUL])


class ShipmentEventInput(RejectsNul, Schema):
    """One manifest step: dispatch, receive (with ``quantity_received_t``), reject or cancel (with ``reason``),
    close. ``at`` records a past event (never in the future, never before the previous step)."""

    action = fields.String(required=True, validate=validate.OneOf(transfers.ACTIONS))
    at = fields.AwareDateTime(default_timezone=dt.timezone.utc)
    quantity_received_t = fields.Float(validate=TONNES_OR_ZERO)
    containers = fields.Dict(keys=fields.String(validate=[validate.Length(min=1, max=48), NO_NUL]),
                             values=fields.Float(validate=TONNES_OR_ZERO),
                             metadata={"description": "received tonnes by container code"})
    reason = fields.String(validate=[validate.Length(max=2000), NO_NUL])
    remark = fields.String(validate=[validate.Length(max=2000), NO_NUL])


class ShipmentEventSchema(Schema):
    """One step of a shipment, from the audit trail."""

    at = fields.String(required=True, metadata={"description": "when it happened"})
    recorded_at = fields.String(allow_none=True, metadata={"description": "when it was recorded"})
    actor = fields.String(required=True)
    action = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    from_ = fields.String(data_key="from", attribute="from", allow_none=True)
    to = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)


def _views(session, principal, shipments):
    mask = transfers.actor_masker(session, principal)
    return [transfers.shipment_view(s, mask) for s in shipments]


def _filters(args) -> dict:
    """The list's (and the export's) filters as ``transfers.filtered_shipments`` takes them."""
    since = utc_argument(args["since"], "since") if args.get("since") else None
    until = utc_argument(args["until"], "until") if args.get("until") else None
    return {"status": args.get("status"), "match": args.get("match"), "park": args.get("park"), "since": since,
            "until": until}


@blp.route("")
@requires(blp)
@blp.arguments(ShipmentListArgs, location="query")
@blp.response(200, page_of(ShipmentSchema, "ShipmentPage"))
@documents_errors(blp, 404)
def list_shipments(args):
    """Shipments the caller may see, newest first (filters: status, match, park, since, until)."""
    session, principal = db_session(), current_principal()
    stmt = transfers.filtered_shipments(session, principal, **_filters(args)).options(*transfers.LOAD_OPTIONS)
    return paginate(session, stmt, args, lambda rows: _views(session, principal, rows))


@blp.route("", methods=["POST"])
@requires(blp)
@blp.arguments(ShipmentCreateSchema)
@blp.response(201, ShipmentSchema)
@documents_errors(blp, 403, 404, 409)
def create_shipment(body):
    """Plan a shipment of an approved match (a party, or a coordinator of either park); numbers its manifest.

    More than the match has left is 409; containers that do not add up to ``quantity_t`` are 422.
    """
    session, principal = db_session(), current_principal()
    shipment = transfers.create_shipment(
        session, principal, body["match"], quantity_t=body["quantity_t"], containers=body["containers"],
        carrier=body.get("carrier"), carrier_licence=body.get("carrier_licence"), vehicle=body.get("vehicle"),
        driver=body.get("driver"), planned_on=body.get("planned_on"), note=body.get("note", ""))
    return _views(session, principal, [shipment])[0]


@blp.route("/export")
@requires(blp)
@blp.arguments(ExportArgs, location="query")
@blp.response(200, content_type="text/csv")
@blp.doc(responses={"200": {"description": "CSV (UTF-8 with BOM), or XLSX with format=xlsx",
                            "content": {"text/csv": {"schema": {"type": "string"}},
                                        XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}}}})
@documents_errors(blp, 404)
def export_shipments(args):
    """Download the visible shipments (the list's filters) as CSV or XLSX, newest first (at most 10 000)."""
    session, principal = db_session(), current_principal()
    rows = transfers.list_shipments(session, principal, limit=EXPORT_LIMIT, **_filters(args))
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
    if args["format"] == "xlsx":
        body, mimetype, name = manifests.to_xlsx(session, rows), XLSX_TYPE, f"manifests-{stamp}.xlsx"
    else:
        body, mimetype, name = manifests.to_csv(session, rows), "text/csv", f"manifests-{stamp}.csv"
    res = Response(body, mimetype=mimetype)
    if mimetype == "text/csv":
        res.headers["Content-Type"] = "text/csv; charset=utf-8"
    res.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    res.headers["X-Total-Count"] = str(len(rows))
    return res


@blp.route("/<int:shipment_id>")
@requires(blp)
@blp.response(200, ShipmentSchema)
@documents_errors(blp, 404)
def get_shipment(shipment_id: int):
    """One shipment with its containers."""
    session, principal = db_session(), current_principal()
    return _views(session, principal, [transfers.get_shipment(session, principal, shipment_id)])[0]


@blp.route("/<int:shipment_id>/events", methods=["POST"])
@requires(blp)
@blp.arguments(ShipmentEventInput)
@blp.response(200, ShipmentSchema)
@documents_errors(blp, 403, 404, 409)
def shipment_event(body, shipment_id: int):
    """Record a manifest step. Wrong state is 409, the wrong side 403, ``at`` in the future or before the
    previous step 422."""
    session, principal = db_session(), current_principal()
    at = utc_argument(body["at"], "at") if body.get("at") else None
    shipment = transfers.apply_event(session, principal, shipment_id, body["action"], at=at,
                                     quantity_received_t=body.get("quantity_received_t"),
                                     containers=body.get("containers"), reason=body.get("reason"),
                                     remark=body.get("remark"))
    return _views(session, principal, [shipment])[0]


@blp.route("/<int:shipment_id>/events")
@requires(blp)
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(ShipmentEventSchema, "ShipmentEventPage"))
@documents_errors(blp, 404)
def shipment_history(args, shipment_id: int):
    """The shipment's steps (who, when, from, to, why), oldest first."""
    session, principal = db_session(), current_principal()
    shipment = transfers.get_shipment(session, principal, shipment_id)
    mask = transfers.actor_masker(session, principal)
    return paginate(session, transfers.history_query(shipment), args,
                    lambda rows: [transfers.event_view(e, mask) for e in rows])


class CorrectionInput(RejectsNul, Schema):
    """A correction request: the fields to correct with their proposed values, and why."""

    changes = fields.Dict(keys=fields.String(validate=validate.OneOf(CORRECTABLE_FIELDS)), values=fields.Raw(
        allow_none=True), required=True, validate=validate.Length(min=1),
        metadata={"description": "{field: proposed value}; fields: " + ", ".join(CORRECTABLE_FIELDS)})
    reason = fields.String(required=True, validate=[validate.Length(min=1, max=2000), NO_NUL])


class CorrectionDecisionInput(RejectsNul, Schema):
    """Approve (apply the changes) or reject (a note is required) a correction request."""

    decision = fields.String(required=True, validate=validate.OneOf(corrections.DECISIONS))
    note = fields.String(validate=[validate.Length(max=2000), NO_NUL])


class CorrectionSchema(Schema):
    """A correction request of a manifest."""

    id = fields.Integer(required=True)
    shipment = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": ["requested", "approved", "rejected"]})
    changes = fields.Dict(keys=fields.String(), values=fields.List(fields.Raw(allow_none=True)), required=True,
                          metadata={"description": "{field: [value when asked, proposed]}"})
    reason = fields.String(required=True)
    requested_by = fields.String(allow_none=True)
    requested_at = fields.String(allow_none=True)
    decided_by = fields.String(allow_none=True)
    decided_at = fields.String(allow_none=True)
    decision_note = fields.String(allow_none=True)


class ReturnInput(RejectsNul, Schema):
    """The return trip of a rejected load (everything else is the original's)."""

    carrier = fields.String(validate=[validate.Length(max=200), NO_NUL])
    carrier_licence = fields.String(validate=[validate.Length(max=64), NO_NUL])
    vehicle = fields.String(validate=[validate.Length(max=20), NO_NUL])
    driver = fields.String(validate=[validate.Length(max=100), NO_NUL])
    planned_on = fields.Date()
    note = fields.String(validate=[validate.Length(max=2000), NO_NUL])


class DraftContainerInput(Schema):
    packaging = fields.String(required=True, validate=validate.OneOf(PACKAGINGS))
    quantity_t = fields.Float(required=True, validate=TONNES)


class DraftUpdateSchema(RejectsNul, Schema):
    """Fields of a draft manifest (any subset; containers replace the draft's and need not add up yet)."""

    quantity_t = fields.Float(validate=TONNES)
    containers = fields.List(fields.Nested(DraftContainerInput), validate=validate.Length(max=500))
    carrier = fields.String(allow_none=True, validate=[validate.Length(max=200), NO_NUL])
    carrier_licence = fields.String(allow_none=True, validate=[validate.Length(max=64), NO_NUL])
    vehicle = fields.String(allow_none=True, validate=[validate.Length(max=20), NO_NUL])
    driver = fields.String(allow_none=True, validate=[validate.Length(max=100), NO_NUL])
    planned_on = fields.Date(allow_none=True)
    note = fields.String(validate=[validate.Length(max=2000), NO_NUL])


class DraftCreateSchema(DraftUpdateSchema):
    """A manifest saved as a draft of an approved match: its quantity at least."""

    match = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))
    quantity_t = fields.Float(required=True, validate=TONNES)


@blp.route("/drafts")
@requires(blp)
@blp.response(200, ShipmentSchema(many=True))
def list_drafts():
    """The caller's own draft manifests, newest first (no other list shows a draft)."""
    session, principal = db_session(), current_principal()
    return _views(session, principal, transfers.list_drafts(session, principal))


@blp.route("/drafts", methods=["POST"])
@requires(blp)
@blp.arguments(DraftCreateSchema)
@blp.response(201, ShipmentSchema)
@documents_errors(blp, 404, 409)
def create_draft(body):
    """Save a manifest as a draft (a party or a coordinator of the match, as for planning): no number yet,
    reserves nothing, seen and changed by its author only."""
    session, principal = db_session(), current_principal()
    values = dict(body)
    match_id = values.pop("match")
    return _views(session, principal, [transfers.save_draft(session, principal, match_id, **values)])[0]


@blp.route("/drafts/<int:shipment_id>", methods=["PATCH"])
@requires(blp)
@blp.arguments(DraftUpdateSchema)
@blp.response(200, ShipmentSchema)
@documents_errors(blp, 404)
def update_draft(body, shipment_id: int):
    """Change the caller's draft (404 for anybody else's)."""
    session, principal = db_session(), current_principal()
    return _views(session, principal, [transfers.update_draft(session, principal, shipment_id, **body)])[0]


@blp.route("/drafts/<int:shipment_id>", methods=["DELETE"])
@requires(blp)
@blp.response(204)
@documents_errors(blp, 404)
def delete_draft(shipment_id: int):
    """Delete the caller's draft."""
    transfers.delete_draft(db_session(), current_principal(), shipment_id)


@blp.route("/drafts/<int:shipment_id>/plan", methods=["POST"])
@requires(blp)
@blp.response(201, ShipmentSchema)
@documents_errors(blp, 404, 409)
def plan_draft(shipment_id: int):
    """Plan the caller's draft: every check of planning, then the manifest is numbered (the planned shipment has
    a new id; the draft is gone)."""
    session, principal = db_session(), current_principal()
    return _views(session, principal, [transfers.plan_draft(session, principal, shipment_id)])[0]


def _correction_views(session, principal, rows):
    mask = transfers.actor_masker(session, principal)
    return [corrections.correction_view(c, mask) for c in rows]


@blp.route("/<int:shipment_id>/corrections")
@requires(blp)
@blp.response(200, CorrectionSchema(many=True))
@documents_errors(blp, 404)
def list_corrections(shipment_id: int):
    """The manifest's correction requests, oldest first."""
    session, principal = db_session(), current_principal()
    return _correction_views(session, principal, corrections.list_corrections(session, principal, shipment_id))


@blp.route("/<int:shipment_id>/corrections", methods=["POST"])
@requires(blp)
@blp.arguments(CorrectionInput)
@blp.response(201, CorrectionSchema)
@documents_errors(blp, 404, 409)
def request_correction(body, shipment_id: int):
    """Ask for a correction of the manifest (a party or a coordinator of either park). Another open request
    or a cancelled shipment is 409; a value the manifest would refuse, or one equal to the current, 422."""
    session, principal = db_session(), current_principal()
    c = corrections.request_correction(session, principal, shipment_id, changes=body["changes"],
                                       reason=body["reason"])
    return _correction_views(session, principal, [c])[0]


@blp.route("/<int:shipment_id>/corrections/<int:correction_id>/decision", methods=["POST"])
@requires(blp)
@blp.arguments(CorrectionDecisionInput)
@blp.response(200, CorrectionSchema)
@documents_errors(blp, 403, 404, 409)
def decide_correction(body, shipment_id: int, correction_id: int):
    """Approve or reject a correction request: a coordinator of the producer's park or an admin, never the
    requester (403). A decided request, or a manifest changed since the request, is 409."""
    session, principal = db_session(), current_principal()
    c = corrections.decide_correction(session, principal, shipment_id, correction_id, decision=body["decision"],
                                      note=body.get("note"))
    return _correction_views(session, principal, [c])[0]


@blp.route("/<int:shipment_id>/return", methods=["POST"])
@requires(blp)
@blp.arguments(ReturnInput)
@blp.response(201, ShipmentSchema)
@documents_errors(blp, 403, 404, 409)
def create_return(body, shipment_id: int):
    """Plan the return of a rejected load under a new manifest linked to it (its producer or a coordinator).
    A shipment that is not a rejected forward load, or already has its return, is 409."""
    session, principal = db_session(), current_principal()
    back = transfers.create_return(session, principal, shipment_id, carrier=body.get("carrier"),
                                   carrier_licence=body.get("carrier_licence"), vehicle=body.get("vehicle"),
                                   driver=body.get("driver"), planned_on=body.get("planned_on"),
                                   note=body.get("note", ""))
    return _views(session, principal, [back])[0]


def _html(text: str) -> Response:
    return Response(text, mimetype="text/html")


@blp.route("/<int:shipment_id>/manifest")
@requires(blp)
@blp.response(200, content_type="text/html")
@blp.doc(responses={"200": {"description": "The printable one-page manifest (A4, self-contained)",
                            "content": HTML_CONTENT}})
@documents_errors(blp, 404)
def shipment_manifest(shipment_id: int):
    """The manifest as one printable HTML page (bilingual, QR codes inline, no external resources)."""
    session, principal = db_session(), current_principal()
    return _html(manifests.manifest_html(session, transfers.get_shipment(session, principal, shipment_id)))


@blp.route("/<int:shipment_id>/labels")
@requires(blp)
@blp.response(200, content_type="text/html")
@blp.doc(responses={"200": {"description": "One QR label per container, printable", "content": HTML_CONTENT}})
@documents_errors(blp, 404)
def shipment_labels(shipment_id: int):
    """The container labels (一物一码) as printable HTML: one QR label per container."""
    session, principal = db_session(), current_principal()
    return _html(manifests.labels_html(session, transfers.get_shipment(session, principal, shipment_id)))
